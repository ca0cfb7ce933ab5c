import { describe, it, expect } from "vitest";
import { computeRollingSpend, computeTierWindow, getNextTier, getTierForSpend } from "~/domain/loyalty/tiers";
import { addDaysUtc, addMonthsUtc } from "~/domain/loyalty/calendar";
import { GOLD_TIERS, makeSettings } from "./fixtures";

const tiers = makeSettings("SAR", { tiers: GOLD_TIERS }).tiers;

describe("getTierForSpend", () => {
  it.each([
    [0, "silver"],
    [499_999, "silver"],
    [500_000, "gold"],
    [500_001, "gold"],
    [1_999_999, "gold"],
    [2_000_000, "platinum"],
    [Number.MAX_SAFE_INTEGER, "platinum"],
  ])("puts rolling spend of %i minor units in %s", (spend, expected) => {
    expect(getTierForSpend(tiers, spend)?.id).toBe(expected);
  });

  it("gives no tier below the lowest threshold", () => {
    const withoutBase = tiers.slice(1);
    expect(getTierForSpend(withoutBase, 499_999)).toBeNull();
    expect(getTierForSpend(withoutBase, 500_000)?.id).toBe("gold");
  });

  it("gives no tier when the program has none", () => {
    expect(getTierForSpend([], 10 ** 9)).toBeNull();
  });

  it("does not depend on the order the tiers are listed in", () => {
    expect(getTierForSpend([...tiers].reverse(), 750_000)?.id).toBe("gold");
  });
});

describe("getNextTier", () => {
  it.each([
    [0, "gold", 500_000],
    [499_999, "gold", 1],
    [500_000, "platinum", 1_500_000],
  ])("tells a customer at %i what the next tier is (%s) and how far (%i)", (spend, id, remaining) => {
    expect(getNextTier(tiers, spend)).toMatchObject({ tier: { id }, remainingMinor: remaining });
  });

  it("has no next tier at the top", () => {
    expect(getNextTier(tiers, 2_000_000)).toBeNull();
  });
});

describe("computeRollingSpend", () => {
  const now = new Date("2026-06-15T12:00:00.000Z");
  const from = new Date("2025-06-15T12:00:00.000Z");

  it("uses the 12 calendar months before now as the window", () => {
    expect(computeTierWindow(now)).toEqual({ from, to: now });
  });

  it.each([
    ["exactly 12 months ago", from, 0],
    ["one millisecond inside the window", new Date(from.getTime() + 1), 1000],
    ["exactly now", now, 1000],
    ["in the future", new Date(now.getTime() + 1), 0],
  ])("counts an order placed %s: %i", (_label, at, expected) => {
    expect(computeRollingSpend([{ at, eligibleAmountMinor: 1000 }], now)).toBe(expected);
  });

  it("subtracts refunds inside the window and never goes below zero", () => {
    const events = [
      { at: addDaysUtc(now, -10), eligibleAmountMinor: 5000 },
      { at: addDaysUtc(now, -5), eligibleAmountMinor: -2000 },
    ];
    expect(computeRollingSpend(events, now)).toBe(3000);
    expect(computeRollingSpend([{ at: addDaysUtc(now, -1), eligibleAmountMinor: -2000 }], now)).toBe(0);
  });

  it("drops a customer a tier when a big order leaves the window", () => {
    const events = [
      { at: new Date("2025-07-01T00:00:00Z"), eligibleAmountMinor: 400_000 },
      { at: new Date("2026-05-01T00:00:00Z"), eligibleAmountMinor: 200_000 },
    ];
    expect(getTierForSpend(tiers, computeRollingSpend(events, new Date("2026-06-30T23:59:59Z")))?.id).toBe("gold");
    expect(getTierForSpend(tiers, computeRollingSpend(events, new Date("2026-07-01T00:00:00Z")))?.id).toBe("silver");
  });
});

describe("addMonthsUtc", () => {
  it.each([
    ["2026-01-31T10:00:00.000Z", 1, "2026-02-28T10:00:00.000Z"],
    ["2028-01-31T10:00:00.000Z", 1, "2028-02-29T10:00:00.000Z"],
    ["2026-03-31T00:00:00.000Z", -1, "2026-02-28T00:00:00.000Z"],
    ["2028-02-29T23:59:59.999Z", -12, "2027-02-28T23:59:59.999Z"],
    ["2028-02-29T00:00:00.000Z", 12, "2029-02-28T00:00:00.000Z"],
    ["2026-11-15T00:00:00.000Z", 3, "2027-02-15T00:00:00.000Z"],
    ["2026-01-15T00:00:00.000Z", -13, "2024-12-15T00:00:00.000Z"],
    ["2026-05-31T00:00:00.000Z", 0, "2026-05-31T00:00:00.000Z"],
  ])("moves %s by %i months to %s, clamping to the month's last day", (from, months, expected) => {
    expect(addMonthsUtc(new Date(from), months).toISOString()).toBe(expected);
  });

  it("refuses a fractional number of months", () => {
    expect(() => addMonthsUtc(new Date(), 1.5)).toThrow(RangeError);
  });
});
