/**
 * The points liability report: points customers still hold and what they are worth, by tier and
 * by expiry month. A point is valued at the best rate the catalogue pays in money: the highest
 * amountMinor / pointsCost among enabled fixed-amount rewards of the latest settings.
 */
import { multiplyByRatio } from "../domain/money";
import { NotFoundError } from "../domain/errors";
import type { Reward } from "../domain/loyalty/settings";
import { getLatestSettingsVersion } from "../models/loyalty-settings.server";
import { getPointsLiability, getWalletTotals, type LiabilityBucket } from "../models/loyalty-report.server";
import { getShop } from "../models/shop.server";

type FixedReward = Extract<Reward, { kind: "FIXED_AMOUNT" }>;

/** The enabled fixed-amount reward paying the most money per point (compared exactly), or null. */
export function getBestFixedReward(rewards: readonly Reward[]): FixedReward | null {
  let best: FixedReward | null = null;
  for (const reward of rewards) {
    if (reward.kind !== "FIXED_AMOUNT" || !reward.enabled) continue;
    if (!best || BigInt(reward.amountMinor) * BigInt(best.pointsCost) > BigInt(best.amountMinor) * BigInt(reward.pointsCost)) best = reward;
  }
  return best;
}

export async function getPointsLiabilityReport({ shop, now }: { shop: string; now: Date }) {
  const record = await getShop({ shop });
  if (!record) throw new NotFoundError("Shop", shop);
  const [latest, liability, walletTotals] = await Promise.all([
    getLatestSettingsVersion({ shop }),
    getPointsLiability({ shop, now, timezone: record.timezone }),
    getWalletTotals({ shop }),
  ]);
  const currency = latest?.settings.currency ?? record.currency;
  const reward = latest ? getBestFixedReward(latest.settings.rewards) : null;
  // Half-up to the minor unit: the report estimates a liability, it does not pay anything.
  const valueOf = (points: number) => (reward ? String(multiplyByRatio(points, reward.amountMinor, reward.pointsCost, "HALF_UP")) : null);
  const withValue = (bucket: LiabilityBucket) => {
    const points = bucket.availablePoints + bucket.pendingPoints + bucket.expiredPoints;
    return { ...bucket, points, valueMinor: valueOf(points) };
  };

  const tiers = latest?.settings.tiers ?? [];
  const order = (id: string | null) => (id === null ? -1 : tiers.findIndex((tier) => tier.id === id) === -1 ? tiers.length : tiers.findIndex((tier) => tier.id === id));
  const byTier = [...liability.byTier]
    .sort((a, b) => order(a.key) - order(b.key))
    .map((bucket) => ({ ...withValue(bucket), tierName: tiers.find((tier) => tier.id === bucket.key)?.name ?? null }));

  return {
    currency,
    timezone: record.timezone,
    settingsVersion: latest?.version ?? null,
    valuation: reward ? { rewardId: reward.id, rewardName: reward.name, amountMinor: String(reward.amountMinor), pointsCost: reward.pointsCost } : null,
    total: withValue(liability.total),
    byTier,
    byMonth: liability.byMonth.map(withValue),
    heldPoints: walletTotals.reduce((sum, row) => sum + row.heldPoints, 0),
    debtPoints: walletTotals.reduce((sum, row) => sum + row.debtPoints, 0),
    heldValueMinor: valueOf(walletTotals.reduce((sum, row) => sum + row.heldPoints, 0)),
  };
}

export type PointsLiabilityReport = Awaited<ReturnType<typeof getPointsLiabilityReport>>;
