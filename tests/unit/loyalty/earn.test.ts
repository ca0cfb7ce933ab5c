import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  computeCancellationReversal,
  computeEligibleAmount,
  computeOrderEarn,
  computeRefundReversal,
  type EarnRecord,
} from "~/domain/loyalty/earn";
import { getSettingsVersionAt } from "~/domain/loyalty/settings";
import { ConflictError, CurrencyMismatchError, InvalidMoneyError, ValidationError } from "~/domain/errors";
import type { RoundingMode } from "~/domain/money";
import { GOLD_TIERS, JEDDAH_BRANCH, RIYADH_BRANCH, makeAmounts, makeSettings, makeVersion } from "./fixtures";

function earnPoints(
  currency: string,
  lineItemsMinor: number,
  pointsPerUnit: string,
  rounding: RoundingMode,
): number {
  const settings = makeSettings(currency, { earn: { pointsPerUnit, rounding } });
  return computeOrderEarn({
    settingsVersion: makeVersion(1, settings),
    amounts: makeAmounts(currency, lineItemsMinor),
    channel: "ONLINE",
  }).points;
}

describe("computeEligibleAmount", () => {
  const exclusive = makeAmounts("SAR", 10000, {
    giftCardLineItemsMinor: 2000,
    lineItemsTaxMinor: 1200,
    shippingMinor: 1500,
    shippingTaxMinor: 225,
  });
  const inclusive = makeAmounts("SAR", 11500, {
    lineItemsTaxMinor: 1500,
    shippingMinor: 1150,
    shippingTaxMinor: 150,
    taxesIncluded: true,
  });

  it.each([
    ["tax-exclusive prices, default base", exclusive, {}, 8000],
    ["tax-exclusive prices, shipping included", exclusive, { includeShipping: true }, 9500],
    ["tax-exclusive prices, taxes included", exclusive, { includeTaxes: true }, 9200],
    ["tax-exclusive prices, shipping and taxes included", exclusive, { includeShipping: true, includeTaxes: true }, 10925],
    ["VAT-inclusive prices, default base", inclusive, {}, 10000],
    ["VAT-inclusive prices, shipping included", inclusive, { includeShipping: true }, 11000],
    ["VAT-inclusive prices, taxes included", inclusive, { includeTaxes: true }, 11500],
    ["VAT-inclusive prices, shipping and taxes included", inclusive, { includeShipping: true, includeTaxes: true }, 12650],
  ] as const)("earns on the right base with %s", (_label, amounts, earn, expected) => {
    expect(computeEligibleAmount(amounts, makeSettings("SAR", { earn }))).toBe(expected);
  });

  it("never earns on gift-card products", () => {
    const amounts = makeAmounts("SAR", 5000, { giftCardLineItemsMinor: 5000 });
    expect(computeEligibleAmount(amounts, makeSettings("SAR"))).toBe(0);
  });

  it("never returns a negative eligible amount", () => {
    const amounts = makeAmounts("SAR", 100, { giftCardLineItemsMinor: 500 });
    expect(computeEligibleAmount(amounts, makeSettings("SAR"))).toBe(0);
  });

  it("rejects negative or fractional amounts with field errors", () => {
    try {
      computeEligibleAmount(makeAmounts("SAR", -1, { shippingMinor: 1.5 }), makeSettings("SAR"));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect(Object.keys((error as ValidationError).fieldErrors).sort()).toEqual(["lineItemsMinor", "shippingMinor"]);
    }
  });

  it("rejects an order in another currency than the program's", () => {
    expect(() => computeEligibleAmount(makeAmounts("USD", 100), makeSettings("SAR"))).toThrow(CurrencyMismatchError);
  });
});

describe("computeOrderEarn", () => {
  it.each([
    // currency, minor, rate, rounding, points
    ["SAR", 12345, "1", "FLOOR", 123],
    ["SAR", 12345, "1", "HALF_UP", 123],
    ["SAR", 12345, "1", "CEIL", 124],
    ["SAR", 1050, "1", "HALF_UP", 11],
    ["SAR", 1050, "1", "HALF_EVEN", 10],
    ["SAR", 1150, "1", "HALF_EVEN", 12],
    ["SAR", 1050, "1", "FLOOR", 10],
    ["SAR", 1001, "1", "CEIL", 11],
    ["SAR", 99, "1", "FLOOR", 0],
    ["SAR", 99, "1", "HALF_UP", 1],
    ["SAR", 12345, "0.1", "FLOOR", 12],
    ["SAR", 12345, "2.5", "FLOOR", 308],
    ["JPY", 12345, "0.01", "FLOOR", 123],
    ["JPY", 12345, "0.01", "CEIL", 124],
    ["JPY", 250, "0.01", "HALF_UP", 3],
    ["JPY", 250, "0.01", "HALF_EVEN", 2],
    ["JPY", 1500, "1", "FLOOR", 1500],
    ["KWD", 12345, "10", "FLOOR", 123],
    ["KWD", 12345, "10", "HALF_UP", 123],
    ["KWD", 2500, "1", "HALF_UP", 3],
    ["KWD", 2500, "1", "HALF_EVEN", 2],
    ["KWD", 999, "1", "FLOOR", 0],
    ["KWD", 1, "1000", "FLOOR", 1],
  ] as const)("earns on %s %i at %s per unit with %s: %i points", (currency, minor, rate, rounding, expected) => {
    expect(earnPoints(currency, minor, rate, rounding)).toBe(expected);
  });

  it("multiplies channel, branch and tier factors and rounds once at the end", () => {
    const settings = makeSettings("SAR", {
      tiers: GOLD_TIERS,
      earn: { channelMultipliers: { online: "1", pos: "1.5" }, branchMultipliers: { [RIYADH_BRANCH]: "2" } },
    });
    const version = makeVersion(1, settings);
    const base = { settingsVersion: version, amounts: makeAmounts("SAR", 10000) };
    expect(computeOrderEarn({ ...base, channel: "POS", locationGid: RIYADH_BRANCH, tierId: "gold" }).points).toBe(450);
    expect(computeOrderEarn({ ...base, channel: "POS", locationGid: JEDDAH_BRANCH, tierId: "gold" }).points).toBe(225);
    expect(computeOrderEarn({ ...base, channel: "POS", locationGid: RIYADH_BRANCH }).points).toBe(300);
    expect(computeOrderEarn({ ...base, channel: "ONLINE", tierId: "platinum" }).points).toBe(200);
  });

  it("ignores the branch bonus on online orders even when a location is given", () => {
    const settings = makeSettings("SAR", { earn: { branchMultipliers: { [RIYADH_BRANCH]: "3" } } });
    const earn = computeOrderEarn({
      settingsVersion: makeVersion(1, settings),
      amounts: makeAmounts("SAR", 10000),
      channel: "ONLINE",
      locationGid: RIYADH_BRANCH,
    });
    expect(earn).toMatchObject({ points: 100, factors: { branch: "1" } });
  });

  it("rounds the exact product once instead of rounding each factor (3.33 SAR × 1.5 = 4.995)", () => {
    const settings = makeSettings("SAR", { earn: { rounding: "HALF_UP", channelMultipliers: { online: "1.5", pos: "1" } } });
    const earn = computeOrderEarn({ settingsVersion: makeVersion(1, settings), amounts: makeAmounts("SAR", 333), channel: "ONLINE" });
    expect(earn.points).toBe(5);
  });

  it("treats an unknown tier as multiplier 1 (a tier removed in a later version)", () => {
    const earn = computeOrderEarn({
      settingsVersion: makeVersion(1, makeSettings("SAR", { tiers: GOLD_TIERS })),
      amounts: makeAmounts("SAR", 10000),
      channel: "ONLINE",
      tierId: "diamond",
    });
    expect(earn.points).toBe(100);
  });

  it("earns nothing while the program is disabled, and says why", () => {
    const earn = computeOrderEarn({
      settingsVersion: makeVersion(4, makeSettings("SAR", { enabled: false })),
      amounts: makeAmounts("SAR", 10000),
      channel: "POS",
    });
    expect(earn).toMatchObject({ points: 0, eligibleAmountMinor: 10000, settingsVersion: 4, skippedReason: "PROGRAM_DISABLED" });
  });

  it("computes huge orders exactly with bigint products", () => {
    const settings = makeSettings("SAR", { earn: { pointsPerUnit: "0.0003" } });
    const at = (rounding: RoundingMode) =>
      computeOrderEarn({
        settingsVersion: makeVersion(1, { ...settings, earn: { ...settings.earn, rounding } }),
        amounts: makeAmounts("SAR", Number.MAX_SAFE_INTEGER),
        channel: "ONLINE",
      }).points;
    // 9007199254740991 × 3 / 10^6 = 27021597764.222973
    expect(at("FLOOR")).toBe(27021597764);
    expect(at("CEIL")).toBe(27021597765);
  });

  it("refuses a number of points beyond the safe integer range instead of losing precision", () => {
    const settings = makeSettings("SAR", { earn: { pointsPerUnit: "1000" } });
    expect(() =>
      computeOrderEarn({
        settingsVersion: makeVersion(1, settings),
        amounts: makeAmounts("SAR", Number.MAX_SAFE_INTEGER),
        channel: "ONLINE",
      }),
    ).toThrow(InvalidMoneyError);
  });

  it("earns monotonically: a larger eligible amount never earns fewer points", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 12 }),
        fc.integer({ min: 0, max: 10 ** 12 }),
        fc.constantFrom("JPY", "SAR", "KWD"),
        fc.constantFrom<RoundingMode>("FLOOR", "CEIL", "HALF_UP", "HALF_EVEN"),
        (a, b, currency, rounding) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          expect(earnPoints(currency, low, "1.25", rounding)).toBeLessThanOrEqual(earnPoints(currency, high, "1.25", rounding));
        },
      ),
    );
  });
});

describe("refunds and cancellations", () => {
  const settings = makeSettings("SAR");
  const v1 = makeVersion(1, settings);
  const earn: EarnRecord = { settingsVersion: 1, eligibleAmountMinor: 1000, points: 10 };

  function refund(refundMinor: number, previouslyRefundedEligibleMinor: number, previouslyReversedPoints: number) {
    return computeRefundReversal({
      earn,
      settingsVersion: v1,
      refundAmounts: makeAmounts("SAR", refundMinor),
      previouslyRefundedEligibleMinor,
      previouslyReversedPoints,
    });
  }

  it("claws back in proportion to the refunded eligible amount", () => {
    expect(refund(500, 0, 0)).toEqual({ refundEligibleAmountMinor: 500, cumulativeRefundedEligibleMinor: 500, points: 5 });
  });

  it("adds up partial refunds to exactly the earn, without rounding drift (3.33 + 3.33 + 3.34 SAR)", () => {
    const first = refund(333, 0, 0);
    const second = refund(333, 333, first.points);
    const third = refund(334, 666, first.points + second.points);
    expect([first.points, second.points, third.points]).toEqual([3, 3, 4]);
  });

  it("never reverses more than the earn when refunds exceed the eligible amount", () => {
    expect(refund(5000, 0, 0)).toMatchObject({ refundEligibleAmountMinor: 1000, points: 10 });
    expect(refund(100, 1000, 10)).toMatchObject({ refundEligibleAmountMinor: 0, points: 0 });
  });

  it("reverses nothing for a refund of shipping only when shipping does not earn", () => {
    const reversal = computeRefundReversal({
      earn,
      settingsVersion: v1,
      refundAmounts: makeAmounts("SAR", 0, { shippingMinor: 2500 }),
      previouslyRefundedEligibleMinor: 0,
      previouslyReversedPoints: 0,
    });
    expect(reversal.points).toBe(0);
  });

  it("reverses nothing after a cancellation already reversed the whole earn", () => {
    expect(refund(500, 0, 10).points).toBe(0);
  });

  it("reverses nothing for an order that earned nothing", () => {
    const reversal = computeRefundReversal({
      earn: { settingsVersion: 1, eligibleAmountMinor: 0, points: 0 },
      settingsVersion: v1,
      refundAmounts: makeAmounts("SAR", 500),
      previouslyRefundedEligibleMinor: 0,
      previouslyReversedPoints: 0,
    });
    expect(reversal).toEqual({ refundEligibleAmountMinor: 0, cumulativeRefundedEligibleMinor: 0, points: 0 });
  });

  it("cancels whatever remains of the earn after earlier refunds", () => {
    expect(computeCancellationReversal(earn, 0)).toBe(10);
    expect(computeCancellationReversal(earn, 3)).toBe(7);
    expect(computeCancellationReversal(earn, 10)).toBe(0);
    expect(() => computeCancellationReversal(earn, -1)).toThrow(ValidationError);
  });

  it.each([
    ["JPY", { settingsVersion: 1, eligibleAmountMinor: 12345, points: 123 }, 4115, 41],
    ["KWD", { settingsVersion: 1, eligibleAmountMinor: 12345, points: 123 }, 6172, 61],
    ["SAR", { settingsVersion: 1, eligibleAmountMinor: 12345, points: 123 }, 12345, 123],
  ] as const)("claws back proportionally in %s", (currency, record, refundMinor, expected) => {
    const reversal = computeRefundReversal({
      earn: record,
      settingsVersion: makeVersion(1, makeSettings(currency)),
      refundAmounts: makeAmounts(currency, refundMinor),
      previouslyRefundedEligibleMinor: 0,
      previouslyReversedPoints: 0,
    });
    expect(reversal.points).toBe(expected);
  });

  it("never reverses more than the earn over any sequence of partial refunds, and exactly the earn when all is refunded", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 ** 9 }),
        fc.integer({ min: 0, max: 10 ** 6 }),
        fc.array(fc.integer({ min: 0, max: 10 ** 9 }), { maxLength: 8 }),
        fc.constantFrom<RoundingMode>("FLOOR", "CEIL", "HALF_UP", "HALF_EVEN"),
        (eligible, points, refunds, rounding) => {
          const version = makeVersion(1, makeSettings("SAR", { earn: { rounding } }));
          const record: EarnRecord = { settingsVersion: 1, eligibleAmountMinor: eligible, points };
          let refunded = 0;
          let reversed = 0;
          for (const amount of [...refunds, eligible]) {
            const step = computeRefundReversal({
              earn: record,
              settingsVersion: version,
              refundAmounts: makeAmounts("SAR", amount),
              previouslyRefundedEligibleMinor: refunded,
              previouslyReversedPoints: reversed,
            });
            expect(step.points).toBeGreaterThanOrEqual(0);
            refunded = step.cumulativeRefundedEligibleMinor;
            reversed += step.points;
            expect(reversed).toBeLessThanOrEqual(points);
          }
          expect(refunded).toBe(eligible);
          expect(reversed).toBe(points);
        },
      ),
    );
  });
});

describe("rule versioning", () => {
  const v1 = makeVersion(1, makeSettings("SAR", { earn: { pointsPerUnit: "1" } }), new Date("2026-01-01T00:00:00Z"));
  const v2 = makeVersion(2, makeSettings("SAR", { earn: { pointsPerUnit: "3" } }), new Date("2026-04-01T00:00:00Z"));
  const versions = [v1, v2];

  it("earns by the version in force when the order was placed and reverses its refund by that same version", () => {
    const placedAt = new Date("2026-03-31T23:59:59Z");
    const inForce = getSettingsVersionAt(versions, placedAt)!;
    const earn = computeOrderEarn({ settingsVersion: inForce, amounts: makeAmounts("SAR", 20000), channel: "ONLINE" });
    expect(earn).toMatchObject({ settingsVersion: 1, points: 200 });

    // The rate triples on 1 April; the order is refunded by half in May.
    const byVersion = versions.find((v) => v.version === earn.settingsVersion)!;
    const reversal = computeRefundReversal({
      earn,
      settingsVersion: byVersion,
      refundAmounts: makeAmounts("SAR", 10000),
      previouslyRefundedEligibleMinor: 0,
      previouslyReversedPoints: 0,
    });
    expect(reversal.points).toBe(100);

    const laterOrder = computeOrderEarn({
      settingsVersion: getSettingsVersionAt(versions, new Date("2026-05-01T00:00:00Z"))!,
      amounts: makeAmounts("SAR", 20000),
      channel: "ONLINE",
    });
    expect(laterOrder).toMatchObject({ settingsVersion: 2, points: 600 });
  });

  it("refuses to reverse a refund by another version than the one the order earned by", () => {
    expect(() =>
      computeRefundReversal({
        earn: { settingsVersion: 1, eligibleAmountMinor: 20000, points: 200 },
        settingsVersion: v2,
        refundAmounts: makeAmounts("SAR", 10000),
        previouslyRefundedEligibleMinor: 0,
        previouslyReversedPoints: 0,
      }),
    ).toThrow(ConflictError);
  });

  it("computes the refunded eligible amount with the earning base of the order's version", () => {
    const withShipping = makeVersion(1, makeSettings("SAR", { earn: { includeShipping: true } }));
    const reversal = computeRefundReversal({
      earn: { settingsVersion: 1, eligibleAmountMinor: 12000, points: 120 },
      settingsVersion: withShipping,
      refundAmounts: makeAmounts("SAR", 0, { shippingMinor: 2000 }),
      previouslyRefundedEligibleMinor: 0,
      previouslyReversedPoints: 0,
    });
    expect(reversal).toMatchObject({ refundEligibleAmountMinor: 2000, points: 20 });
  });
});
