/**
 * Loyalty program settings: the zod schema the admin form and the database JSON both go through,
 * defaults, and selection of the settings version in force at a given instant. Rates and
 * multipliers are decimal strings ("1.25"), never floats, so earn arithmetic stays exact.
 */
import { z } from "zod";
import { ValidationError, type FieldErrors } from "../errors";
import { getCurrencyExponent, parseDecimal, ROUNDING_MODES } from "../money";

const MAX_DECIMAL_PLACES = 4;
const LOCATION_GID = /^gid:\/\/shopify\/Location\/\d+$/;
const SLUG = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const MAX_POINTS = 1_000_000_000;

/**
 * A non-negative decimal given as a string (or a number, read through its shortest decimal form),
 * output as a canonical string without trailing zeros: "1.50" -> "1.5", 2 -> "2".
 */
function decimalSchema(bounds: { min: number; max: number; exclusiveMin?: boolean }) {
  return z
    .union([z.string(), z.number()])
    .transform((value, ctx) => {
      const text = typeof value === "number" ? String(value) : value.trim();
      if (!/^\d+(\.\d+)?$/.test(text)) {
        ctx.addIssue({ code: "custom", message: "Must be a non-negative decimal number such as 1.5" });
        return z.NEVER;
      }
      const [whole, fraction = ""] = text.split(".");
      const trimmed = fraction.replace(/0+$/, "");
      if (trimmed.length > MAX_DECIMAL_PLACES) {
        ctx.addIssue({ code: "custom", message: `At most ${MAX_DECIMAL_PLACES} decimal places` });
        return z.NEVER;
      }
      const canonical = `${whole.replace(/^0+(?=\d)/, "")}${trimmed ? `.${trimmed}` : ""}`;
      const numeric = Number(canonical); // only for the bound check; arithmetic uses parseDecimal
      if (bounds.exclusiveMin ? numeric <= bounds.min : numeric < bounds.min) {
        ctx.addIssue({
          code: "custom",
          message: bounds.exclusiveMin ? `Must be greater than ${bounds.min}` : `Must be at least ${bounds.min}`,
        });
        return z.NEVER;
      }
      if (numeric > bounds.max) {
        ctx.addIssue({ code: "custom", message: `Must be at most ${bounds.max}` });
        return z.NEVER;
      }
      return canonical;
    });
}

const intSchema = (min: number, max: number) =>
  z
    .number({ error: "Must be a number" })
    .int({ error: "Must be a whole number" })
    .min(min, { error: `Must be at least ${min}` })
    .max(max, { error: `Must be at most ${max}` });

const localizedText = (maxLength: number, required: boolean) => {
  const text = z.string().trim().max(maxLength, { error: `At most ${maxLength} characters` });
  const field = required ? text.min(1, { error: "Required" }) : text;
  return z.strictObject({ en: field, ar: field });
};

const slugSchema = z
  .string()
  .regex(SLUG, { error: "Lower-case letters, digits, '-' or '_' (at most 40)" });

export const tierSchema = z.strictObject({
  id: slugSchema,
  name: localizedText(60, true),
  /** Lower bound (inclusive) of rolling 12-month eligible spend, in minor units of the program currency. */
  thresholdMinor: intSchema(0, Number.MAX_SAFE_INTEGER),
  earnMultiplier: decimalSchema({ min: 0, max: 100, exclusiveMin: true }),
  benefits: localizedText(1000, false).default({ en: "", ar: "" }),
});

const rewardBase = {
  id: slugSchema,
  name: localizedText(80, true),
  enabled: z.boolean().default(true),
  pointsCost: intSchema(1, MAX_POINTS),
  /** Cart subtotal (after other discounts, before tax and shipping) needed to use the reward. */
  minOrderMinor: intSchema(0, Number.MAX_SAFE_INTEGER).default(0),
};

export const rewardSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    ...rewardBase,
    kind: z.literal("FIXED_AMOUNT"),
    amountMinor: intSchema(1, Number.MAX_SAFE_INTEGER),
  }),
  z.strictObject({
    ...rewardBase,
    kind: z.literal("PERCENTAGE"),
    percent: intSchema(1, 100),
    /** Optional cap of the discount, in minor units. */
    maxDiscountMinor: intSchema(1, Number.MAX_SAFE_INTEGER).nullable().default(null),
  }),
  z.strictObject({
    ...rewardBase,
    kind: z.literal("FREE_SHIPPING"),
    /** Optional cap of the shipping discount, in minor units. */
    maxShippingMinor: intSchema(1, Number.MAX_SAFE_INTEGER).nullable().default(null),
  }),
]);

export const expiryPolicySchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("NONE") }),
  /** Each lot expires `months` after it was earned. */
  z.strictObject({ kind: z.literal("AFTER_EARNING"), months: intSchema(1, 120) }),
  /** The whole wallet expires after `months` without earning or spending. */
  z.strictObject({ kind: z.literal("AFTER_INACTIVITY"), months: intSchema(1, 120) }),
]);

/**
 * What happens when a clawback (refund, cancellation) needs points the customer already spent.
 * RECORD_SHORTFALL (default): take what is there, never go below zero, and record the missing
 * points on the entry as `shortfallPoints` for the merchant to see. ALLOW_NEGATIVE: take it all;
 * the balance goes negative and future earnings repay it first.
 */
export const NEGATIVE_BALANCE_POLICIES = ["RECORD_SHORTFALL", "ALLOW_NEGATIVE"] as const;
export type NegativeBalancePolicy = (typeof NEGATIVE_BALANCE_POLICIES)[number];

/** Tier ids are unique and thresholds strictly increase in list order (so no two tiers overlap). */
function checkTiers(tiers: Array<z.output<typeof tierSchema>>, ctx: z.RefinementCtx): void {
  const ids = new Set<string>();
  tiers.forEach((tier, index) => {
    if (ids.has(tier.id)) ctx.addIssue({ code: "custom", message: "Duplicate tier id", path: [index, "id"] });
    ids.add(tier.id);
    const previous = tiers[index - 1];
    if (previous && tier.thresholdMinor <= previous.thresholdMinor) {
      ctx.addIssue({
        code: "custom",
        message:
          tier.thresholdMinor === previous.thresholdMinor
            ? "Two tiers cannot have the same threshold"
            : "Tiers must be listed by increasing threshold",
        path: [index, "thresholdMinor"],
      });
    }
  });
}

function checkRewardIds(rewards: Array<z.output<typeof rewardSchema>>, ctx: z.RefinementCtx): void {
  const ids = new Set<string>();
  rewards.forEach((reward, index) => {
    if (ids.has(reward.id)) ctx.addIssue({ code: "custom", message: "Duplicate reward id", path: [index, "id"] });
    ids.add(reward.id);
  });
}

export const programSettingsSchema = z
  .strictObject({
    enabled: z.boolean(),
    /** The shop's currency; orders earn on amounts in this currency (shop money). */
    currency: z.string().refine((code) => /^[A-Z]{3}$/.test(code), { error: "Must be an ISO 4217 code such as SAR" }),
    earn: z.strictObject({
      /** Points per one major unit of the currency (1 SAR, 1 JPY, 1 KWD). */
      pointsPerUnit: decimalSchema({ min: 0, max: 1_000_000 }),
      rounding: z.enum(ROUNDING_MODES).default("FLOOR"),
      /** The earning base is line items after all discounts, without tips and gift cards; these add to it. */
      includeShipping: z.boolean().default(false),
      includeTaxes: z.boolean().default(false),
      channelMultipliers: z.strictObject({
        online: decimalSchema({ min: 0, max: 100 }),
        pos: decimalSchema({ min: 0, max: 100 }),
      }),
      /** Extra multiplier for POS orders placed at a branch, keyed by Location GID. */
      branchMultipliers: z
        .record(
          z.string().regex(LOCATION_GID, { error: "Must be a Location GID (gid://shopify/Location/123)" }),
          decimalSchema({ min: 0, max: 100 }),
        )
        .default({}),
      signupBonusPoints: intSchema(0, MAX_POINTS).default(0),
      birthdayBonusPoints: intSchema(0, MAX_POINTS).default(0),
    }),
    tiers: z.array(tierSchema).max(10, { error: "At most 10 tiers" }).superRefine(checkTiers).default([]),
    /** Days after earning before points can be spent (the return window). */
    pendingDays: intSchema(0, 365).default(14),
    expiry: expiryPolicySchema.default({ kind: "NONE" }),
    /** Largest share of a cart subtotal that one points discount may cover, in percent. */
    maxOrderSharePercent: intSchema(1, 100).default(100),
    rewards: z.array(rewardSchema).max(50, { error: "At most 50 rewards" }).superRefine(checkRewardIds).default([]),
    negativeBalancePolicy: z.enum(NEGATIVE_BALANCE_POLICIES).default("RECORD_SHORTFALL"),
  })
  .superRefine((settings, ctx) => {
    // Runs only once every field parsed: it compares rewards with the program-wide share.
    settings.rewards.forEach((reward, index) => {
      if (reward.kind === "PERCENTAGE" && reward.percent > settings.maxOrderSharePercent) {
        ctx.addIssue({
          code: "custom",
          message: `Cannot exceed the maximum share of an order payable with points (${settings.maxOrderSharePercent}%)`,
          path: ["rewards", index, "percent"],
        });
      }
    });
  });

export type ProgramSettings = z.output<typeof programSettingsSchema>;
export type ProgramSettingsInput = z.input<typeof programSettingsSchema>;
export type Tier = ProgramSettings["tiers"][number];
export type Reward = ProgramSettings["rewards"][number];
export type ExpiryPolicy = ProgramSettings["expiry"];

/** Turns zod issues into field errors keyed by dot path ("tiers.1.thresholdMinor"; "" for the form). */
export function toFieldErrors(error: z.ZodError): FieldErrors {
  const fieldErrors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".");
    (fieldErrors[key] ??= []).push(issue.message);
  }
  return fieldErrors;
}

/**
 * Parses untrusted settings (admin form or stored JSON) into typed, canonical settings with
 * defaults applied; throws ValidationError with field errors (422) otherwise.
 */
export function parseProgramSettings(input: unknown): ProgramSettings {
  const result = programSettingsSchema.safeParse(input);
  if (!result.success) throw new ValidationError(toFieldErrors(result.error), "Invalid program settings");
  return result.data;
}

/**
 * Settings a new shop starts with: disabled, 1 point per major unit, 14 pending days, no expiry,
 * no tiers, and one reward worth 5% back (500 points -> 25 major units off), scaled by the exponent.
 */
export function defaultSettings(currency: string): ProgramSettings {
  const unitMinor = 10 ** getCurrencyExponent(currency);
  return parseProgramSettings({
    enabled: false,
    currency,
    earn: {
      pointsPerUnit: "1",
      rounding: "FLOOR",
      includeShipping: false,
      includeTaxes: false,
      channelMultipliers: { online: "1", pos: "1" },
      branchMultipliers: {},
      signupBonusPoints: 0,
      birthdayBonusPoints: 0,
    },
    tiers: [],
    pendingDays: 14,
    expiry: { kind: "NONE" },
    maxOrderSharePercent: 100,
    rewards: [
      {
        id: "amount-off",
        name: { en: "Amount off", ar: "خصم بقيمة" },
        kind: "FIXED_AMOUNT",
        pointsCost: 500,
        amountMinor: 25 * unitMinor,
        minOrderMinor: 0,
      },
    ],
    negativeBalancePolicy: "RECORD_SHORTFALL",
  });
}

/** One saved version of the settings; versions are immutable and numbered from 1. */
export interface SettingsVersion {
  version: number;
  effectiveFrom: Date;
  settings: ProgramSettings;
}

/**
 * The version in force at `at`: the latest `effectiveFrom <= at` (ties broken by the higher
 * version number), or null if none had started. An order earns by the version in force when placed.
 */
export function getSettingsVersionAt(
  versions: readonly SettingsVersion[],
  at: Date,
): SettingsVersion | null {
  let best: SettingsVersion | null = null;
  for (const candidate of versions) {
    if (candidate.effectiveFrom.getTime() > at.getTime()) continue;
    if (
      !best ||
      candidate.effectiveFrom.getTime() > best.effectiveFrom.getTime() ||
      (candidate.effectiveFrom.getTime() === best.effectiveFrom.getTime() && candidate.version > best.version)
    ) {
      best = candidate;
    }
  }
  return best;
}

/** Exact product of decimal multipliers as a ratio (numerator / 10^scale). */
export function toMultiplierRatio(multipliers: readonly string[]): { numerator: bigint; denominator: bigint } {
  let numerator = 1n;
  let scale = 0;
  for (const multiplier of multipliers) {
    const decimal = parseDecimal(multiplier);
    numerator *= decimal.units;
    scale += decimal.scale;
  }
  return { numerator, denominator: 10n ** BigInt(scale) };
}
