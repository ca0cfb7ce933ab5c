/**
 * Read-only queries of the loyalty ledger for the admin pages: a wallet with its open lots, its
 * entries newest first, the settings history and the shop's branches. Every query is scoped by shop.
 */
import prisma from "../db.server";

/** The wallet row (or null before its first entry) and its lots that still hold points. */
export async function getWalletSummary({ shop, profileId }: { shop: string; profileId: string }) {
  const [wallet, lots] = await Promise.all([
    prisma.loyaltyWallet.findUnique({
      where: { shop_profileId: { shop, profileId } },
      select: { balancePoints: true, debtPoints: true, heldPoints: true, tierId: true, tierSpendMinor: true, tierComputedAt: true, lastActivityAt: true },
    }),
    prisma.loyaltyLot.findMany({
      where: { shop, profileId, remainingPoints: { gt: 0 }, closedAt: null },
      select: { id: true, points: true, remainingPoints: true, earnedAt: true, availableAt: true, expiresAt: true },
    }),
  ]);
  return { wallet, lots };
}

export const WALLET_ENTRIES_PAGE_SIZE = 50;

/**
 * One page of a wallet's entries, newest first, before the entry id `before` (a keyset cursor:
 * stable while new entries arrive). Adds the order's name and branch for entries of an order.
 */
export async function listWalletEntries({
  shop,
  profileId,
  before,
  limit = WALLET_ENTRIES_PAGE_SIZE,
}: {
  shop: string;
  profileId: string;
  before?: bigint | null;
  limit?: number;
}) {
  const rows = await prisma.loyaltyEntry.findMany({
    where: { shop, profileId, ...(before ? { id: { lt: before } } : {}) },
    orderBy: { id: "desc" },
    take: limit + 1,
    select: {
      id: true,
      kind: true,
      points: true,
      balanceAfter: true,
      occurredAt: true,
      source: true,
      channel: true,
      locationGid: true,
      orderGid: true,
      refundGid: true,
      reason: true,
      staffId: true,
      staffName: true,
      shortfallPoints: true,
      debtRepaidPoints: true,
      expiredPoints: true,
      settingsVersion: true,
    },
  });
  const page = rows.slice(0, limit);
  const orderGids = [...new Set(page.map((row) => row.orderGid).filter((gid): gid is string => gid !== null))];
  const orders = orderGids.length
    ? await prisma.order.findMany({ where: { shop, orderGid: { in: orderGids } }, select: { orderGid: true, name: true, branchName: true } })
    : [];
  const byGid = new Map(orders.map((order) => [order.orderGid, order]));
  return {
    entries: page.map((row) => ({
      ...row,
      orderName: row.orderGid ? (byGid.get(row.orderGid)?.name ?? null) : null,
      branchName: row.orderGid ? (byGid.get(row.orderGid)?.branchName ?? null) : null,
    })),
    nextBefore: rows.length > limit ? page[page.length - 1].id : null,
  };
}

/** Saved settings versions, newest first, with who saved them. */
export async function listSettingsHistory({ shop, limit = 50 }: { shop: string; limit?: number }) {
  return prisma.loyaltySettingsVersion.findMany({
    where: { shop },
    orderBy: { version: "desc" },
    take: limit,
    select: { version: true, effectiveFrom: true, createdBy: true, createdAt: true },
  });
}

/** The shop's branches: every location an order was placed at, with a name imported orders gave it. */
export async function listBranches({ shop }: { shop: string }): Promise<Array<{ locationGid: string; name: string | null }>> {
  const rows = await prisma.order.groupBy({
    by: ["locationGid"],
    where: { shop, locationGid: { not: null } },
    _max: { branchName: true },
    orderBy: { locationGid: "asc" },
  });
  return rows.map((row) => ({ locationGid: row.locationGid!, name: row._max.branchName ?? null }));
}
