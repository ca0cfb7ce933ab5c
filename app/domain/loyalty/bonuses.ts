/**
 * Signup and birthday bonuses. Birthdays are judged on the shop's local calendar date (a Riyadh
 * customer born on 1 March gets the bonus on 1 March in Riyadh, not in UTC); 29 February counts
 * as 28 February in common years.
 */
import type { ProgramSettings } from "./settings";

export interface LocalDate {
  year: number;
  /** 1-12 */
  month: number;
  /** 1-31 */
  day: number;
}

/** The calendar date of `now` in an IANA time zone (e.g. "Asia/Riyadh"), without any clock access. */
export function toLocalDate(now: Date, timeZone: string): LocalDate {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "numeric",
    day: "numeric",
  }).formatToParts(now);
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  return { year: get("year"), month: get("month"), day: get("day") };
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** True when `today` is the customer's birthday (29 Feb is celebrated on 28 Feb in common years). */
export function isBirthday(birthday: { month: number; day: number }, today: LocalDate): boolean {
  if (birthday.month === 2 && birthday.day === 29 && !isLeapYear(today.year)) {
    return today.month === 2 && today.day === 28;
  }
  return birthday.month === today.month && birthday.day === today.day;
}

/** Signup bonus points for a new member; 0 when the program is off. */
export function computeSignupBonus(settings: ProgramSettings): number {
  return settings.enabled ? settings.earn.signupBonusPoints : 0;
}

/**
 * Birthday bonus points due today (0 if not the birthday, no birthday known, or program off).
 * Once a year is enforced by the ledger key toBirthdayBonusKey(profileId, today.year).
 */
export function computeBirthdayBonus(
  settings: ProgramSettings,
  birthday: { month: number; day: number } | null,
  today: LocalDate,
): number {
  if (!settings.enabled || !birthday || !isBirthday(birthday, today)) return 0;
  return settings.earn.birthdayBonusPoints;
}
