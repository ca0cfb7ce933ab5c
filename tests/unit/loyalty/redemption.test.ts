import { describe, it, expect } from "vitest";
import { computeMaxPointsDiscount, computeRedemption, listRewardOptions, type RedemptionCart } from "~/domain/loyalty/redemption";
import { DomainError, toHttpStatus, type ErrorCode } from "~/domain/errors";
import type { ProgramSettings } from "~/domain/loyalty/settings";
import { makeSettings } from "./fixtures";

function catalogue(currency: string, unit: number): ProgramSettings {
  return makeSettings(currency, {
    maxOrderSharePercent: 50,
    rewards: [
      { id: "ten-off", name: { en: "10 off", ar: "خصم ١٠" }, kind: "FIXED_AMOUNT", pointsCost: 100, amountMinor: 10 * unit, minOrderMinor: 50 * unit },
      { id: "big", name: { en: "30 off", ar: "خصم ٣٠" }, kind: "FIXED_AMOUNT", pointsCost: 300, amountMinor: 30 * unit },
      { id: "pct", name: { en: "10%", ar: "١٠٪" }, kind: "PERCENTAGE", pointsCost: 300, percent: 10, maxDiscountMinor: 20 * unit },
      { id: "ship", name: { en: "Free shipping", ar: "شحن مجاني" }, kind: "FREE_SHIPPING", pointsCost: 150, maxShippingMinor: 15 * unit },
      { id: "old", name: { en: "Old", ar: "قديم" }, kind: "FIXED_AMOUNT", pointsCost: 10, amountMinor: unit, enabled: false },
    ],
  });
}

const sar = catalogue("SAR", 100);
const cart = (subtotalMinor: number, shippingMinor = 0, currency = "SAR"): RedemptionCart => ({ currency, subtotalMinor, shippingMinor });

function failureOf(run: () => unknown): { code: ErrorCode; reason?: unknown; status: number } {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, reason: error.details.reason, status: toHttpStatus(error) };
    throw error;
  }
  throw new Error("expected a DomainError");
}

describe("computeRedemption", () => {
  it.each([
    ["ten-off", cart(5000), 1000, 100],
    ["ten-off", cart(100_000), 1000, 100],
    ["pct", cart(12345), 1234, 300],
    ["pct", cart(30_000), 2000, 300],
    ["ship", cart(1000, 800), 800, 150],
    ["ship", cart(1000, 2500), 1500, 150],
    ["big", cart(6000), 3000, 300],
  ])("prices %s on %j at a discount of %i for %i points", (rewardId, c, amountMinor, pointsCost) => {
    const quote = computeRedemption({ settings: sar, rewardId, cart: c, availablePoints: 1000 });
    expect(quote.pointsCost).toBe(pointsCost);
    expect(quote.discount).toMatchObject({ amountMinor, currency: "SAR" });
  });

  it.each([
    ["JPY", 1, 199, 19],
    ["SAR", 100, 12345, 1234],
    ["KWD", 1000, 12345, 1234],
    ["KWD", 1000, 12349, 1234],
  ])("rounds a %s percentage discount down to the minor unit", (currency, unit, subtotal, expected) => {
    const quote = computeRedemption({ settings: catalogue(currency, unit), rewardId: "pct", cart: cart(subtotal, 0, currency), availablePoints: 300 });
    expect(quote.discount).toEqual({ kind: "PERCENTAGE", amountMinor: expected, currency, percent: 10 });
  });

  it.each([
    ["a cart below the minimum order", "ten-off", cart(4999), 1000, "REWARD_NOT_APPLICABLE", "MIN_ORDER_NOT_MET", 409],
    ["a fixed amount above the share payable with points", "big", cart(5999), 1000, "REWARD_NOT_APPLICABLE", "MAX_SHARE_EXCEEDED", 409],
    ["free shipping on a cart without shipping", "ship", cart(5000, 0), 1000, "REWARD_NOT_APPLICABLE", "NOTHING_TO_DISCOUNT", 409],
    ["a percentage of a cart too small to discount", "pct", cart(5), 1000, "REWARD_NOT_APPLICABLE", "NOTHING_TO_DISCOUNT", 409],
    ["a disabled reward", "old", cart(5000), 1000, "REWARD_NOT_APPLICABLE", "REWARD_DISABLED", 409],
    ["an unknown reward", "nope", cart(5000), 1000, "NOT_FOUND", undefined, 404],
    ["fewer points than the cost", "ten-off", cart(5000), 99, "INSUFFICIENT_POINTS", undefined, 409],
    ["a negative balance", "ten-off", cart(5000), -50, "INSUFFICIENT_POINTS", undefined, 409],
    ["a cart in another currency", "ten-off", cart(5000, 0, "AED"), 1000, "CURRENCY_MISMATCH", undefined, 400],
    ["a negative subtotal", "ten-off", cart(-1), 1000, "VALIDATION_FAILED", undefined, 422],
  ] as const)("refuses %s", (_label, rewardId, c, availablePoints, code, reason, status) => {
    expect(failureOf(() => computeRedemption({ settings: sar, rewardId, cart: c, availablePoints }))).toEqual({ code, reason, status });
  });

  it("refuses every reward while the program is disabled", () => {
    const disabled = { ...sar, enabled: false };
    expect(failureOf(() => computeRedemption({ settings: disabled, rewardId: "ten-off", cart: cart(5000), availablePoints: 1000 })).code).toBe(
      "PROGRAM_DISABLED",
    );
  });

  it("reports the cart rule before the points when both fail, so the same request always gets the same code", () => {
    expect(failureOf(() => computeRedemption({ settings: sar, rewardId: "ten-off", cart: cart(10), availablePoints: 0 })).reason).toBe(
      "MIN_ORDER_NOT_MET",
    );
  });

  it("reports required and available points with INSUFFICIENT_POINTS", () => {
    try {
      computeRedemption({ settings: sar, rewardId: "pct", cart: cart(5000), availablePoints: 299 });
      expect.unreachable();
    } catch (error) {
      expect((error as DomainError).details).toMatchObject({ requiredPoints: 300, availablePoints: 299 });
    }
  });

  it("accepts a redemption at exactly the cost, the minimum order and the maximum share", () => {
    const quote = computeRedemption({ settings: sar, rewardId: "big", cart: cart(6000), availablePoints: 300 });
    expect(quote.discount.amountMinor).toBe(computeMaxPointsDiscount(sar, 6000));
  });
});

describe("listRewardOptions", () => {
  it("lists every enabled reward with its quote or why it cannot be used on this cart", () => {
    const options = listRewardOptions(sar, cart(4000, 500), 200);
    expect(options.map((o) => [o.reward.id, o.quote?.discount.amountMinor ?? null, o.unavailableCode, o.reason])).toEqual([
      ["ten-off", null, "REWARD_NOT_APPLICABLE", "MIN_ORDER_NOT_MET"],
      ["big", null, "REWARD_NOT_APPLICABLE", "MAX_SHARE_EXCEEDED"],
      ["pct", null, "INSUFFICIENT_POINTS", null],
      ["ship", 500, null, null],
    ]);
  });
});
