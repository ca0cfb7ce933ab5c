/**
 * Tiers by rolling 12-month eligible spend. A tier's threshold is an inclusive lower bound; the
 * customer holds the highest tier whose threshold they reached, or none below the lowest one.
 */
import { addMonthsUtc } from "./calendar";
import type { Tier } from "./settings";

export const TIER_WINDOW_MONTHS = 12;

/** One order's (or refund's, negative) contribution to eligible spend, dated by when it happened. */
export interface SpendEvent {
  at: Date;
  eligibleAmountMinor: number;
}

/** The rolling window ending at `now`: (now - 12 months, now], in UTC calendar months. */
export function computeTierWindow(now: Date): { from: Date; to: Date } {
  return { from: addMonthsUtc(now, -TIER_WINDOW_MONTHS), to: now };
}

/**
 * Eligible spend in the rolling 12 months before `now`: the sum of events with from < at <= now,
 * never below zero (a refund of an order outside the window cannot make spend negative).
 */
export function computeRollingSpend(events: readonly SpendEvent[], now: Date): number {
  const { from, to } = computeTierWindow(now);
  let total = 0;
  for (const event of events) {
    const at = event.at.getTime();
    if (at > from.getTime() && at <= to.getTime()) total += event.eligibleAmountMinor;
  }
  return Math.max(0, total);
}

function sortByThreshold(tiers: readonly Tier[]): Tier[] {
  return [...tiers].sort((a, b) => a.thresholdMinor - b.thresholdMinor);
}

/** The tier held with `spendMinor` of rolling eligible spend: highest threshold <= spend, or null. */
export function getTierForSpend(tiers: readonly Tier[], spendMinor: number): Tier | null {
  let held: Tier | null = null;
  for (const tier of sortByThreshold(tiers)) {
    if (tier.thresholdMinor <= spendMinor) held = tier;
  }
  return held;
}

/** The next tier above `spendMinor` and how much more spend reaches it, or null at the top. */
export function getNextTier(
  tiers: readonly Tier[],
  spendMinor: number,
): { tier: Tier; remainingMinor: number } | null {
  const next = sortByThreshold(tiers).find((tier) => tier.thresholdMinor > spendMinor);
  return next ? { tier: next, remainingMinor: next.thresholdMinor - spendMinor } : null;
}
