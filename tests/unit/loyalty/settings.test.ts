import { describe, it, expect } from "vitest";
import {
  defaultSettings,
  getSettingsVersionAt,
  parseProgramSettings,
  toMultiplierRatio,
} from "~/domain/loyalty/settings";
import { ValidationError, toErrorBody, toHttpStatus, type FieldErrors } from "~/domain/errors";
import { GOLD_TIERS, makeSettings, makeVersion } from "./fixtures";

function validInput(): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(
      makeSettings("SAR", {
        tiers: GOLD_TIERS,
        rewards: [{ id: "ten-off", name: { en: "10 SAR off", ar: "خصم ١٠ ريال" }, kind: "FIXED_AMOUNT", pointsCost: 100, amountMinor: 1000 }],
      }),
    ),
  );
}

/** Valid settings as plain JSON, which these tests corrupt on purpose one field at a time. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any shape may be written, that is the point
type Draft = any;

function fieldErrorsOf(mutate: (input: Draft) => void): FieldErrors {
  const input = validInput();
  mutate(input);
  try {
    parseProgramSettings(input);
  } catch (error) {
    if (error instanceof ValidationError) return error.fieldErrors;
    throw error;
  }
  throw new Error("expected a ValidationError");
}

describe("defaultSettings", () => {
  it("starts a new shop disabled, at 1 point per unit, 14 pending days, no expiry and RECORD_SHORTFALL", () => {
    const settings = defaultSettings("SAR");
    expect(settings).toMatchObject({
      enabled: false,
      currency: "SAR",
      earn: { pointsPerUnit: "1", rounding: "FLOOR", includeShipping: false, includeTaxes: false },
      pendingDays: 14,
      expiry: { kind: "NONE" },
      negativeBalancePolicy: "RECORD_SHORTFALL",
      maxOrderSharePercent: 100,
      tiers: [],
    });
  });

  it.each([
    ["JPY", 25],
    ["SAR", 2500],
    ["KWD", 25000],
  ])("prices the default reward at 25 major units of %s (%i minor)", (currency, amountMinor) => {
    const [reward] = defaultSettings(currency).rewards;
    expect(reward).toMatchObject({ kind: "FIXED_AMOUNT", pointsCost: 500, amountMinor });
  });

  it("produces settings that parse back to themselves", () => {
    const settings = defaultSettings("KWD");
    expect(parseProgramSettings(JSON.parse(JSON.stringify(settings)))).toEqual(settings);
  });
});

describe("parseProgramSettings", () => {
  it("accepts a complete program with tiers, branch bonuses, rewards and expiry", () => {
    const settings = parseProgramSettings({
      ...validInput(),
      expiry: { kind: "AFTER_EARNING", months: 12 },
      maxOrderSharePercent: 50,
      earn: { ...(validInput().earn as object), branchMultipliers: { "gid://shopify/Location/77": "2" } },
      rewards: [
        { id: "ten-off", name: { en: "10 SAR off", ar: "خصم ١٠ ريال" }, kind: "FIXED_AMOUNT", pointsCost: 100, amountMinor: 1000 },
        { id: "pct", name: { en: "10% off", ar: "خصم ١٠٪" }, kind: "PERCENTAGE", pointsCost: 300, percent: 10 },
        { id: "ship", name: { en: "Free shipping", ar: "شحن مجاني" }, kind: "FREE_SHIPPING", pointsCost: 150, minOrderMinor: 5000 },
      ],
    });
    expect(settings.rewards.map((r) => [r.id, r.enabled, r.minOrderMinor])).toEqual([
      ["ten-off", true, 0],
      ["pct", true, 0],
      ["ship", true, 5000],
    ]);
    expect(settings.tiers[1].benefits).toEqual({ en: "Free delivery", ar: "توصيل مجاني" });
    expect(settings.tiers[0].benefits).toEqual({ en: "", ar: "" });
  });

  it.each([
    ["1.50", "1.5"],
    ["0010", "10"],
    ["0.2500", "0.25"],
    [2, "2"],
    [0.1, "0.1"],
    ["0", "0"],
  ])("stores the rate %j as the canonical decimal %s", (pointsPerUnit, expected) => {
    const input = validInput();
    (input.earn as Record<string, unknown>).pointsPerUnit = pointsPerUnit;
    expect(parseProgramSettings(input).earn.pointsPerUnit).toBe(expected);
  });

  const invalid: Array<[string, (input: Draft) => void, string]> = [
    ["a negative rate", (i) => (i.earn.pointsPerUnit = "-1"), "earn.pointsPerUnit"],
    ["a negative numeric rate", (i) => (i.earn.pointsPerUnit = -0.5), "earn.pointsPerUnit"],
    ["a rate with five decimals", (i) => (i.earn.pointsPerUnit = "0.00001"), "earn.pointsPerUnit"],
    ["a rate in exponent notation", (i) => (i.earn.pointsPerUnit = 1e-7), "earn.pointsPerUnit"],
    ["a rate that is not a number", (i) => (i.earn.pointsPerUnit = "one"), "earn.pointsPerUnit"],
    ["an unknown rounding mode", (i) => (i.earn.rounding = "ROUND"), "earn.rounding"],
    ["a negative POS multiplier", (i) => (i.earn.channelMultipliers.pos = "-1"), "earn.channelMultipliers.pos"],
    ["a multiplier above 100", (i) => (i.earn.channelMultipliers.online = "101"), "earn.channelMultipliers.online"],
    ["a branch keyed by a bare number", (i) => (i.earn.branchMultipliers = { "1001": "2" }), "earn.branchMultipliers.1001"],
    ["a negative branch multiplier", (i) => (i.earn.branchMultipliers = { "gid://shopify/Location/1": "-2" }), "earn.branchMultipliers.gid://shopify/Location/1"],
    ["a negative signup bonus", (i) => (i.earn.signupBonusPoints = -5), "earn.signupBonusPoints"],
    ["a fractional birthday bonus", (i) => (i.earn.birthdayBonusPoints = 1.5), "earn.birthdayBonusPoints"],
    ["two tiers with the same threshold", (i) => (i.tiers[1].thresholdMinor = 0), "tiers.1.thresholdMinor"],
    ["tiers out of threshold order", (i) => (i.tiers[2].thresholdMinor = 100), "tiers.2.thresholdMinor"],
    ["two tiers with the same id", (i) => (i.tiers[2].id = "gold"), "tiers.2.id"],
    ["a negative tier threshold", (i) => (i.tiers[0].thresholdMinor = -1), "tiers.0.thresholdMinor"],
    ["a tier multiplier of zero", (i) => (i.tiers[0].earnMultiplier = "0"), "tiers.0.earnMultiplier"],
    ["a tier without an Arabic name", (i) => (i.tiers[1].name.ar = "  "), "tiers.1.name.ar"],
    ["more than ten tiers", (i) => (i.tiers = Array.from({ length: 11 }, (_, n) => ({ ...i.tiers[0], id: `t${n}`, thresholdMinor: n }))), "tiers"],
    ["a reward costing 0 points", (i) => (i.rewards[0].pointsCost = 0), "rewards.0.pointsCost"],
    ["a fixed reward worth nothing", (i) => (i.rewards[0].amountMinor = 0), "rewards.0.amountMinor"],
    ["a reward with a negative minimum order", (i) => (i.rewards[0].minOrderMinor = -100), "rewards.0.minOrderMinor"],
    ["two rewards with the same id", (i) => i.rewards.push({ ...i.rewards[0] }), "rewards.1.id"],
    ["a reward of an unknown kind", (i) => (i.rewards[0].kind = "CASHBACK"), "rewards.0.kind"],
    [
      "a percentage above the maximum share payable with points",
      (i) => {
        i.maxOrderSharePercent = 30;
        i.rewards.push({ id: "half", name: { en: "Half", ar: "نصف" }, kind: "PERCENTAGE", pointsCost: 10, percent: 50 });
      },
      "rewards.1.percent",
    ],
    ["a percentage of 101", (i) => i.rewards.push({ id: "p", name: { en: "P", ar: "ب" }, kind: "PERCENTAGE", pointsCost: 10, percent: 101 }), "rewards.1.percent"],
    ["a max share of 0%", (i) => (i.maxOrderSharePercent = 0), "maxOrderSharePercent"],
    ["negative pending days", (i) => (i.pendingDays = -1), "pendingDays"],
    ["expiry after 0 months", (i) => (i.expiry = { kind: "AFTER_EARNING", months: 0 }), "expiry.months"],
    ["an unknown expiry policy", (i) => (i.expiry = { kind: "SOMETIMES" }), "expiry.kind"],
    ["an unknown negative-balance policy", (i) => (i.negativeBalancePolicy = "FORGIVE"), "negativeBalancePolicy"],
    ["a lower-case currency", (i) => (i.currency = "sar"), "currency"],
    ["a missing enabled flag", (i) => delete i.enabled, "enabled"],
    ["an unknown field", (i) => (i.pointsPerRiyal = 1), ""],
  ];

  it.each(invalid)("rejects %s with an error on its field", (_label, mutate, field) => {
    const errors = fieldErrorsOf(mutate);
    expect(Object.keys(errors)).toContain(field);
    expect(errors[field].length).toBeGreaterThan(0);
  });

  it("reports every invalid field at once, not only the first", () => {
    const errors = fieldErrorsOf((i) => {
      i.earn.pointsPerUnit = "-1";
      i.tiers[1].thresholdMinor = 0;
      i.rewards[0].pointsCost = 0;
    });
    expect(Object.keys(errors).sort()).toEqual(["earn.pointsPerUnit", "rewards.0.pointsCost", "tiers.1.thresholdMinor"]);
  });

  it("says why two tiers overlap in words a merchant understands", () => {
    expect(fieldErrorsOf((i) => (i.tiers[1].thresholdMinor = 0))["tiers.1.thresholdMinor"]).toEqual([
      "Two tiers cannot have the same threshold",
    ]);
  });

  it("answers 422 with the field errors when mapped to HTTP", () => {
    try {
      parseProgramSettings({ ...validInput(), pendingDays: -3 });
      expect.unreachable();
    } catch (error) {
      expect(toHttpStatus(error)).toBe(422);
      expect(toErrorBody(error)).toMatchObject({ code: "VALIDATION_FAILED", fieldErrors: { pendingDays: ["Must be at least 0"] } });
    }
  });

  it("rejects input that is not an object", () => {
    expect(() => parseProgramSettings(null)).toThrow(ValidationError);
    expect(() => parseProgramSettings("{}")).toThrow(ValidationError);
  });
});

describe("getSettingsVersionAt", () => {
  const v1 = makeVersion(1, makeSettings("SAR"), new Date("2026-01-01T00:00:00Z"));
  const v2 = makeVersion(2, makeSettings("SAR", { earn: { pointsPerUnit: "2" } }), new Date("2026-03-01T00:00:00Z"));
  const v3 = makeVersion(3, makeSettings("SAR", { earn: { pointsPerUnit: "3" } }), new Date("2026-03-01T00:00:00Z"));

  it.each([
    ["2025-12-31T23:59:59.999Z", null],
    ["2026-01-01T00:00:00.000Z", 1],
    ["2026-02-28T23:59:59.999Z", 1],
    ["2026-03-01T00:00:00.000Z", 3],
    ["2027-01-01T00:00:00.000Z", 3],
  ])("picks the version in force at %s", (at, expected) => {
    expect(getSettingsVersionAt([v3, v1, v2], new Date(at))?.version ?? null).toBe(expected);
  });
});

describe("toMultiplierRatio", () => {
  it("multiplies decimal factors exactly", () => {
    expect(toMultiplierRatio(["1.5", "1.25", "2"])).toEqual({ numerator: 3750n, denominator: 1000n });
    expect(toMultiplierRatio([])).toEqual({ numerator: 1n, denominator: 1n });
  });
});
