/**
 * A wallet's birthday, as staff enter it: month and day only (the year is nobody's business and
 * the bonus needs none). 29 February is allowed; the birthday job celebrates it on 28 February
 * in common years.
 */
import { ValidationError, type FieldErrors } from "../errors";
import { toAsciiNumber } from "./settings-form";

export interface Birthday {
  month: number;
  day: number;
}

// Leap-year lengths: a birthday is a day of any year, so 29 February is a valid one.
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function readPart(value: unknown, max: number, field: string, fieldErrors: FieldErrors): number | null {
  const text = toAsciiNumber(String(value ?? ""));
  if (text === "") return null;
  if (!/^\d{1,2}$/.test(text)) {
    fieldErrors[field] = ["Must be a whole number"];
    return null;
  }
  const number = Number(text);
  if (number < 1) fieldErrors[field] = ["Must be at least 1"];
  else if (number > max) fieldErrors[field] = [`Must be at most ${max}`];
  return number;
}

/**
 * Parses `{ month, day }` form values (ASCII or Arabic-Indic digits). Both empty clears the
 * birthday (null); one without the other, or a day the month does not have, is a field error.
 */
export function parseBirthdayInput(input: { month: unknown; day: unknown }): Birthday | null {
  const fieldErrors: FieldErrors = {};
  const month = readPart(input.month, 12, "month", fieldErrors);
  const maxDay = month !== null && month >= 1 && month <= 12 ? DAYS_IN_MONTH[month - 1] : 31;
  const day = readPart(input.day, maxDay, "day", fieldErrors);
  if (month === null && day !== null && !fieldErrors.day) fieldErrors.month = ["Required"];
  if (day === null && month !== null && !fieldErrors.month) fieldErrors.day = ["Required"];
  if (Object.keys(fieldErrors).length > 0) throw new ValidationError(fieldErrors, "The birthday is not a valid day of the year");
  return month === null || day === null ? null : { month, day };
}
