/**
 * The admin form's view of the program settings: every value a string as the merchant types it,
 * money in major units of the shop's currency. toSettingsFormValues fills the form from settings;
 * fromSettingsFormValues turns a submitted form back into raw input for parseProgramSettings,
 * reporting money it cannot convert under the same dot paths the schema uses
 * ("tiers.1.thresholdMinor"), so every error lands on the field that caused it.
 */
import { InvalidMoneyError, type FieldErrors } from "../errors";
import { formatAmountMinor, getCurrencyExponent, parseAmountMinor, type RoundingMode } from "../money";
import type { ExpiryPolicy, NegativeBalancePolicy, ProgramSettings, Reward } from "./settings";

export interface TierFormValues {
  id: string;
  nameEn: string;
  nameAr: string;
  /** Rolling 12-month spend threshold in major units ("1000.00"). */
  threshold: string;
  earnMultiplier: string;
  benefitsEn: string;
  benefitsAr: string;
}

export type RewardKind = Reward["kind"];

export interface RewardFormValues {
  id: string;
  nameEn: string;
  nameAr: string;
  enabled: boolean;
  kind: RewardKind;
  pointsCost: string;
  /** Major units; blank means no minimum. */
  minOrder: string;
  /** FIXED_AMOUNT: amount off, major units. */
  amount: string;
  /** PERCENTAGE: percent off. */
  percent: string;
  /** PERCENTAGE: optional cap, major units. */
  maxDiscount: string;
  /** FREE_SHIPPING: optional cap, major units. */
  maxShipping: string;
}

export interface SettingsFormValues {
  enabled: boolean;
  pointsPerUnit: string;
  rounding: RoundingMode;
  includeShipping: boolean;
  includeTaxes: boolean;
  onlineMultiplier: string;
  posMultiplier: string;
  /** Location GID -> multiplier; a blank value means the branch has no multiplier of its own. */
  branchMultipliers: Record<string, string>;
  signupBonusPoints: string;
  birthdayBonusPoints: string;
  tiers: TierFormValues[];
  pendingDays: string;
  expiryKind: ExpiryPolicy["kind"];
  expiryMonths: string;
  maxOrderSharePercent: string;
  rewards: RewardFormValues[];
  negativeBalancePolicy: NegativeBalancePolicy;
}

const ARABIC_INDIC = /[\u0660-\u0669\u06F0-\u06F9]/g;

/** Arabic-Indic and Persian digits to ASCII, Arabic decimal separator to ".", spaces trimmed. */
export function toAsciiNumber(text: string): string {
  return text
    .replace(ARABIC_INDIC, (digit) => String((digit.charCodeAt(0) - 0x0660) % 0x90 % 0x10))
    .replace(/\u066B/g, ".")
    .trim();
}

const money = (amountMinor: number | null | undefined, currency: string) =>
  amountMinor === null || amountMinor === undefined ? "" : formatAmountMinor(amountMinor, currency);

/** The form as it shows `settings` (a saved version or the defaults). */
export function toSettingsFormValues(settings: ProgramSettings): SettingsFormValues {
  const { currency } = settings;
  return {
    enabled: settings.enabled,
    pointsPerUnit: settings.earn.pointsPerUnit,
    rounding: settings.earn.rounding,
    includeShipping: settings.earn.includeShipping,
    includeTaxes: settings.earn.includeTaxes,
    onlineMultiplier: settings.earn.channelMultipliers.online,
    posMultiplier: settings.earn.channelMultipliers.pos,
    branchMultipliers: { ...settings.earn.branchMultipliers },
    signupBonusPoints: String(settings.earn.signupBonusPoints),
    birthdayBonusPoints: String(settings.earn.birthdayBonusPoints),
    tiers: settings.tiers.map((tier) => ({
      id: tier.id,
      nameEn: tier.name.en,
      nameAr: tier.name.ar,
      threshold: money(tier.thresholdMinor, currency),
      earnMultiplier: tier.earnMultiplier,
      benefitsEn: tier.benefits.en,
      benefitsAr: tier.benefits.ar,
    })),
    pendingDays: String(settings.pendingDays),
    expiryKind: settings.expiry.kind,
    expiryMonths: settings.expiry.kind === "NONE" ? "12" : String(settings.expiry.months),
    maxOrderSharePercent: String(settings.maxOrderSharePercent),
    rewards: settings.rewards.map((reward) => ({
      id: reward.id,
      nameEn: reward.name.en,
      nameAr: reward.name.ar,
      enabled: reward.enabled,
      kind: reward.kind,
      pointsCost: String(reward.pointsCost),
      minOrder: reward.minOrderMinor ? money(reward.minOrderMinor, currency) : "",
      amount: reward.kind === "FIXED_AMOUNT" ? money(reward.amountMinor, currency) : "",
      percent: reward.kind === "PERCENTAGE" ? String(reward.percent) : "",
      maxDiscount: reward.kind === "PERCENTAGE" ? money(reward.maxDiscountMinor, currency) : "",
      maxShipping: reward.kind === "FREE_SHIPPING" ? money(reward.maxShippingMinor, currency) : "",
    })),
    negativeBalancePolicy: settings.negativeBalancePolicy,
  };
}

/**
 * A whole number typed in the form; anything else goes through unchanged so the schema reports it
 * ("Must be a number") on the right field instead of this function guessing.
 */
function toInteger(text: unknown): unknown {
  if (typeof text !== "string") return text;
  const ascii = toAsciiNumber(text);
  return /^-?\d+$/.test(ascii) ? Number(ascii) : ascii === "" ? undefined : ascii;
}

/** A whole number the program cannot do without: blank is reported as Required, not defaulted. */
function toRequiredInteger(text: unknown, path: string, fieldErrors: FieldErrors): unknown {
  if (typeof text === "string" && toAsciiNumber(text) === "") {
    fieldErrors[path] = [FORM_MESSAGES.required];
    return undefined;
  }
  return toInteger(text);
}

/** Messages of form conversion (money, blanks), matched by the admin UI to translations: keep them stable. */
export const FORM_MESSAGES = {
  required: "Required",
  malformed: "Must be an amount such as 10.50",
  tooManyDecimals: (exponent: number) => `At most ${exponent} decimal places for this currency`,
  negative: "Must be at least 0",
};

function toMinor(
  text: unknown,
  currency: string,
  path: string,
  fieldErrors: FieldErrors,
  options: { blank: "REQUIRED" | "NULL" | "ZERO" },
): number | null | undefined {
  const ascii = typeof text === "string" ? toAsciiNumber(text).replace(/,/g, "") : "";
  if (ascii === "") {
    if (options.blank === "REQUIRED") fieldErrors[path] = [FORM_MESSAGES.required];
    return options.blank === "ZERO" ? 0 : options.blank === "NULL" ? null : undefined;
  }
  try {
    return parseAmountMinor(ascii, currency);
  } catch (error) {
    if (!(error instanceof InvalidMoneyError)) throw error;
    fieldErrors[path] = [
      error.reason === "TOO_MANY_DECIMALS"
        ? FORM_MESSAGES.tooManyDecimals(getCurrencyExponent(currency))
        : error.reason === "NEGATIVE"
          ? FORM_MESSAGES.negative
          : FORM_MESSAGES.malformed,
    ];
    return undefined;
  }
}

const text = (value: unknown) => (typeof value === "string" ? value : "");
const decimal = (value: unknown) => (typeof value === "string" ? toAsciiNumber(value) : value);

/**
 * Raw settings input for parseProgramSettings from submitted form values (untrusted JSON), in the
 * shop's `currency`, plus the money fields that could not be converted. Unknown keys are dropped.
 */
export function fromSettingsFormValues(
  form: Partial<Record<keyof SettingsFormValues, unknown>>,
  currency: string,
): { input: Record<string, unknown>; fieldErrors: FieldErrors } {
  const fieldErrors: FieldErrors = {};
  const tiers = Array.isArray(form.tiers) ? (form.tiers as Array<Partial<TierFormValues>>) : [];
  const rewards = Array.isArray(form.rewards) ? (form.rewards as Array<Partial<RewardFormValues>>) : [];
  const branchEntries =
    form.branchMultipliers && typeof form.branchMultipliers === "object"
      ? Object.entries(form.branchMultipliers as Record<string, unknown>).filter(([, value]) => text(value).trim() !== "")
      : [];
  const expiryKind = form.expiryKind;
  const input = {
    enabled: form.enabled === true,
    currency,
    earn: {
      pointsPerUnit: decimal(form.pointsPerUnit),
      rounding: form.rounding,
      includeShipping: form.includeShipping === true,
      includeTaxes: form.includeTaxes === true,
      channelMultipliers: { online: decimal(form.onlineMultiplier), pos: decimal(form.posMultiplier) },
      branchMultipliers: Object.fromEntries(branchEntries.map(([gid, value]) => [gid, decimal(value)])),
      signupBonusPoints: toInteger(form.signupBonusPoints) ?? 0,
      birthdayBonusPoints: toInteger(form.birthdayBonusPoints) ?? 0,
    },
    tiers: tiers.map((tier, index) => ({
      id: tier.id,
      name: { en: text(tier.nameEn), ar: text(tier.nameAr) },
      thresholdMinor: toMinor(tier.threshold, currency, `tiers.${index}.thresholdMinor`, fieldErrors, { blank: "REQUIRED" }),
      earnMultiplier: decimal(tier.earnMultiplier),
      benefits: { en: text(tier.benefitsEn), ar: text(tier.benefitsAr) },
    })),
    pendingDays: toRequiredInteger(form.pendingDays, "pendingDays", fieldErrors),
    expiry:
      expiryKind === "AFTER_EARNING" || expiryKind === "AFTER_INACTIVITY"
        ? { kind: expiryKind, months: toRequiredInteger(form.expiryMonths, "expiry.months", fieldErrors) }
        : { kind: expiryKind },
    maxOrderSharePercent: toRequiredInteger(form.maxOrderSharePercent, "maxOrderSharePercent", fieldErrors),
    rewards: rewards.map((reward, index) => {
      const at = (field: string) => `rewards.${index}.${field}`;
      const base = {
        id: reward.id,
        name: { en: text(reward.nameEn), ar: text(reward.nameAr) },
        enabled: reward.enabled !== false,
        kind: reward.kind,
        pointsCost: toRequiredInteger(reward.pointsCost, at("pointsCost"), fieldErrors),
        minOrderMinor: toMinor(reward.minOrder, currency, at("minOrderMinor"), fieldErrors, { blank: "ZERO" }),
      };
      if (reward.kind === "FIXED_AMOUNT") {
        return { ...base, amountMinor: toMinor(reward.amount, currency, at("amountMinor"), fieldErrors, { blank: "REQUIRED" }) };
      }
      if (reward.kind === "PERCENTAGE") {
        return { ...base, percent: toRequiredInteger(reward.percent, at("percent"), fieldErrors), maxDiscountMinor: toMinor(reward.maxDiscount, currency, at("maxDiscountMinor"), fieldErrors, { blank: "NULL" }) };
      }
      if (reward.kind === "FREE_SHIPPING") {
        return { ...base, maxShippingMinor: toMinor(reward.maxShipping, currency, at("maxShippingMinor"), fieldErrors, { blank: "NULL" }) };
      }
      return base;
    }),
    negativeBalancePolicy: form.negativeBalancePolicy,
  };
  return { input, fieldErrors };
}

/** A slug id not used by `taken`: "<prefix>-1", "<prefix>-2", … (ids are what wallets and entries refer to). */
export function nextRowId(prefix: string, taken: readonly string[]): string {
  for (let n = taken.length + 1; ; n++) {
    const id = `${prefix}-${n}`;
    if (!taken.includes(id)) return id;
  }
}
