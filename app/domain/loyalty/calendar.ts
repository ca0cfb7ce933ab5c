/**
 * Calendar arithmetic for the program, in UTC. Month arithmetic clamps to the end of the month
 * (31 Jan + 1 month = 28/29 Feb) so "12 months later" and "N months after earning" never skip a month.
 */

const DAY_MS = 86_400_000;

/** Adds whole days (24 h each: UTC has no daylight saving) to an instant. */
export function addDaysUtc(at: Date, days: number): Date {
  return new Date(at.getTime() + days * DAY_MS);
}

/**
 * Adds calendar months in UTC, keeping the time of day and clamping the day to the target month's
 * length; negative `months` go back. Invariant: the result is in month (m + months) exactly.
 */
export function addMonthsUtc(at: Date, months: number): Date {
  if (!Number.isInteger(months)) throw new RangeError(`months must be an integer, got ${months}`);
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth() + months;
  const targetYear = year + Math.floor(month / 12);
  const targetMonth = ((month % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const day = Math.min(at.getUTCDate(), lastDay);
  return new Date(
    Date.UTC(
      targetYear,
      targetMonth,
      day,
      at.getUTCHours(),
      at.getUTCMinutes(),
      at.getUTCSeconds(),
      at.getUTCMilliseconds(),
    ),
  );
}
