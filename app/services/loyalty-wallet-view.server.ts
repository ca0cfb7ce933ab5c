/**
 * The loyalty card of a unified profile: balance split the way the ledger sees it (available,
 * pending, held, expired but not yet written off), debt, tier progress, next expiry, and one page
 * of the wallet's timeline.
 */
import { computeInactivityExpiresAt, computeLotBalances } from "../domain/loyalty/lots";
import { getNextTier } from "../domain/loyalty/tiers";
import type { ExpiryPolicy } from "../domain/loyalty/settings";
import { getLatestSettingsVersion } from "../models/loyalty-settings.server";
import { getWalletSummary, listWalletEntries } from "../models/loyalty-read.server";

/** Parses a timeline cursor from the URL; anything but a positive integer means the first page. */
export function parseEntryCursor(value: string | null): bigint | null {
  return value && /^\d{1,19}$/.test(value) && BigInt(value) > 0n ? BigInt(value) : null;
}

export async function getWalletView({
  shop,
  profileId,
  now,
  before = null,
}: {
  shop: string;
  profileId: string;
  now: Date;
  before?: bigint | null;
}) {
  const [latest, { wallet, lots }, page] = await Promise.all([
    getLatestSettingsVersion({ shop }),
    getWalletSummary({ shop, profileId }),
    listWalletEntries({ shop, profileId, before }),
  ]);
  const settings = latest?.settings ?? null;
  const expiry: ExpiryPolicy = settings?.expiry ?? { kind: "NONE" };
  const inactivityExpiresAt = computeInactivityExpiresAt(wallet?.lastActivityAt ?? null, expiry);
  const balances = computeLotBalances(lots, { now, inactivityExpiresAt });

  // The soonest date points will expire (a lot's own date or the wallet's inactivity deadline).
  let nextExpiry: { at: Date; points: number } | null = null;
  for (const lot of lots) {
    const own = lot.expiresAt;
    const at = own && inactivityExpiresAt ? (own < inactivityExpiresAt ? own : inactivityExpiresAt) : (own ?? inactivityExpiresAt);
    if (!at || at.getTime() <= now.getTime()) continue;
    if (!nextExpiry || at.getTime() < nextExpiry.at.getTime()) nextExpiry = { at, points: lot.remainingPoints };
    else if (at.getTime() === nextExpiry.at.getTime()) nextExpiry.points += lot.remainingPoints;
  }

  const tiers = settings?.tiers ?? [];
  const spendMinor = Number(wallet?.tierSpendMinor ?? 0n);
  const tier = wallet?.tierId ? (tiers.find((candidate) => candidate.id === wallet.tierId) ?? null) : null;
  const next = getNextTier(tiers, spendMinor);
  const floor = tier?.thresholdMinor ?? 0;
  const progressPercent = next ? Math.max(0, Math.min(100, Math.floor(((spendMinor - floor) * 100) / Math.max(1, next.tier.thresholdMinor - floor)))) : 100;

  return {
    programEnabled: settings?.enabled ?? false,
    hasProgram: settings !== null,
    currency: settings?.currency ?? null,
    balancePoints: wallet?.balancePoints ?? 0,
    availablePoints: balances.availablePoints,
    pendingPoints: balances.pendingPoints,
    expiredPoints: balances.expiredPoints,
    heldPoints: wallet?.heldPoints ?? 0,
    debtPoints: wallet?.debtPoints ?? 0,
    tierId: wallet?.tierId ?? null,
    tier: tier ? { id: tier.id, name: tier.name } : null,
    tierSpendMinor: String(spendMinor),
    tierComputedAt: wallet?.tierComputedAt?.toISOString() ?? null,
    nextTier: next ? { id: next.tier.id, name: next.tier.name, remainingMinor: String(next.remainingMinor) } : null,
    progressPercent,
    nextExpiry: nextExpiry ? { at: nextExpiry.at.toISOString(), points: nextExpiry.points } : null,
    entries: page.entries.map((entry) => ({
      ...entry,
      id: entry.id.toString(),
      occurredAt: entry.occurredAt.toISOString(),
    })),
    nextBefore: page.nextBefore?.toString() ?? null,
    firstPage: before === null,
  };
}

export type WalletView = Awaited<ReturnType<typeof getWalletView>>;
