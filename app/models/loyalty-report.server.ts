/**
 * The points liability report: points still owed to customers, grouped in SQL so it stays one
 * scan of the shop's open lots however many there are.
 */
import { Prisma } from "@prisma/client";
import prisma from "../db.server";

export interface LiabilityBucket {
  /** Tier id (null: no tier) or expiry month "YYYY-MM" in the shop's time zone (null: no expiry date). */
  key: string | null;
  availablePoints: number;
  pendingPoints: number;
  /** Past their expiry date, not yet written off by the expiry job. */
  expiredPoints: number;
  lots: number;
}

interface Row {
  g_tier: number;
  g_month: number;
  tier: string | null;
  month: string | null;
  available: bigint | null;
  pending: bigint | null;
  expired: bigint | null;
  lots: bigint;
}

const toBucket = (key: string | null, row: Row): LiabilityBucket => ({
  key,
  availablePoints: Number(row.available ?? 0n),
  pendingPoints: Number(row.pending ?? 0n),
  expiredPoints: Number(row.expired ?? 0n),
  lots: Number(row.lots),
});

/**
 * Open lots (points left, not closed) by the tier of the wallet holding them, by expiry month in
 * `timezone`, and in total, split into available, pending and past-expiry at `now`. One statement
 * with GROUPING SETS: a single pass over the lots for all three groupings (bench/liability-report.ts).
 */
export async function getPointsLiability({ shop, now, timezone }: { shop: string; now: Date; timezone: string }) {
  // Lot timestamps are UTC without a zone; compare them with `now` as a UTC timestamp too.
  const at = Prisma.sql`(${now.toISOString()}::timestamptz at time zone 'UTC')`;
  // The month of each lot is found by binary search among the UTC instants at which the shop's
  // local months start (width_bucket), computed once: converting every lot's timestamp to the
  // shop's zone costs as much as the rest of the statement.
  const rows = await prisma.$queryRaw<Row[]>(Prisma.sql`
    with bounds as (
      select date_trunc('month', (min("expiresAt") at time zone 'UTC') at time zone ${timezone}) as first_local,
             (max("expiresAt") at time zone 'UTC') at time zone ${timezone} as last_local
      from "LoyaltyLot" where shop = ${shop} and "expiresAt" is not null
    ), months as (
      select coalesce(array_agg((m at time zone ${timezone}) at time zone 'UTC' order by m), '{}') as starts,
             coalesce(array_agg(to_char(m, 'YYYY-MM') order by m), '{}') as labels
      from bounds, generate_series(bounds.first_local, bounds.last_local, interval '1 month') m
    ), open_lots as (
      select l."profileId",
             l."remainingPoints" as pts,
             case when l."expiresAt" is not null and l."expiresAt" <= ${at} then 'E'
                  when l."availableAt" > ${at} then 'P'
                  else 'A' end as state,
             case when l."expiresAt" is null then 0 else width_bucket(l."expiresAt", months.starts) end as bucket
      from "LoyaltyLot" l, months
      where l.shop = ${shop} and l."remainingPoints" > 0 and l."closedAt" is null
    )
    select grouping(w."tierId")::int as g_tier,
           grouping(o.bucket)::int as g_month,
           w."tierId" as tier,
           (select labels from months)[o.bucket] as month,
           sum(o.pts) filter (where o.state = 'A') as available,
           sum(o.pts) filter (where o.state = 'P') as pending,
           sum(o.pts) filter (where o.state = 'E') as expired,
           count(*) as lots
    from open_lots o
    left join "LoyaltyWallet" w on w.shop = ${shop} and w."profileId" = o."profileId"
    group by grouping sets ((w."tierId"), (o.bucket), ())
  `);
  const byTier: LiabilityBucket[] = [];
  const byMonth: LiabilityBucket[] = [];
  let total: LiabilityBucket = { key: null, availablePoints: 0, pendingPoints: 0, expiredPoints: 0, lots: 0 };
  for (const row of rows) {
    if (row.g_tier === 0) byTier.push(toBucket(row.tier, row));
    else if (row.g_month === 0) byMonth.push(toBucket(row.month, row));
    else total = toBucket(null, row);
  }
  // Months in calendar order, the "no expiry date" bucket last.
  byMonth.sort((a, b) => (a.key === null ? 1 : b.key === null ? -1 : a.key.localeCompare(b.key)));
  return { byTier, byMonth, total };
}

/** Wallets with points by tier, and points held by open reservations or owed as debt, shop-wide. */
export async function getWalletTotals({ shop }: { shop: string }) {
  const rows = await prisma.loyaltyWallet.groupBy({
    by: ["tierId"],
    where: { shop },
    _sum: { heldPoints: true, debtPoints: true },
    _count: { _all: true },
  });
  return rows.map((row) => ({
    tierId: row.tierId,
    wallets: row._count._all,
    heldPoints: row._sum.heldPoints ?? 0,
    debtPoints: row._sum.debtPoints ?? 0,
  }));
}
