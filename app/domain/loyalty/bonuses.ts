/**
 * Signup and birthday bonuses. Birthdays are judged on the shop's local calendar date (a Riyadh
 * customer born on 1 March gets the bonus on 1 March in Riyadh, not in UTC); 29 February counts
 * as 28 February in common years.
 */
import type { NegativeBalancePolicy, ProgramSettings } from "./settings";

/** The staffId of entries the app books by itself (no staff member decided them). */
export const SYSTEM_STAFF_ID = "wafa:system";
/** Reason of the ADJUSTMENT that takes back signup bonuses a profile merge brought together. */
export const DUPLICATE_SIGNUP_BONUS_REASON = "DUPLICATE_SIGNUP_BONUS";

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

/** A signup bonus a wallet holds, directly or through the wallets merged into it. */
export interface HeldSignupBonus {
  /** The bonus entry's idempotency key (toSignupBonusKey of the profile it was credited to). */
  key: string;
  points: number;
  creditedAt: Date;
  /** Points of its lot written off by expiry: the customer never had the use of them. */
  expiredPoints: number;
}

export interface DuplicateSignupBonusTakeBack {
  keptKey: string;
  /** The surplus bonuses this take-back settles: none of them is looked at again. */
  signupBonusKeys: string[];
  /** What they were worth: their points less what of them expired unspent. */
  owedPoints: number;
  /** Points to debit now; 0 when there is nothing to take (the wallet is empty). */
  points: number;
  /** RECORD_SHORTFALL: owed points already spent, written off like a refund's shortfall. */
  uncollectedPoints: number;
}

const valueOf = (bonus: HeldSignupBonus) => Math.max(0, bonus.points - bonus.expiredPoints);

/**
 * One person, one signup bonus. Of the bonuses a merged wallet holds that no earlier take-back
 * settled, it keeps the one worth most (points less expired; the earliest of equal ones) and takes
 * back the others: all of it under ALLOW_NEGATIVE, at most `balancePoints` (never below zero)
 * under RECORD_SHORTFALL. Null when the wallet holds at most one unsettled bonus.
 */
export function computeDuplicateSignupBonusTakeBack(input: {
  bonuses: readonly HeldSignupBonus[];
  settledKeys: ReadonlySet<string>;
  /** The wallet's balance once merged (lots - debt). */
  balancePoints: number;
  policy: NegativeBalancePolicy;
}): DuplicateSignupBonusTakeBack | null {
  const held = input.bonuses
    .filter((bonus) => !input.settledKeys.has(bonus.key))
    .sort(
      (a, b) =>
        valueOf(b) - valueOf(a) ||
        a.creditedAt.getTime() - b.creditedAt.getTime() ||
        (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    );
  if (held.length < 2) return null;
  const [kept, ...surplus] = held;
  const owedPoints = surplus.reduce((sum, bonus) => sum + valueOf(bonus), 0);
  const points = input.policy === "ALLOW_NEGATIVE" ? owedPoints : Math.min(owedPoints, Math.max(0, input.balancePoints));
  return { keptKey: kept.key, signupBonusKeys: surplus.map((bonus) => bonus.key), owedPoints, points, uncollectedPoints: owedPoints - points };
}
