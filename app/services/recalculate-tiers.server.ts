/**
 * Tier recalculation: each wallet's tier follows its rolling 12-month eligible spend (orders'
 * eligible amount less what was refunded, by order date; computeTierWindow) under the latest
 * settings (getTierForSpend). One SQL statement per batch of wallets aggregates the spend, picks
 * the tier and updates only the wallets whose spend or tier changed, so a daily run over a million
 * mostly idle wallets writes little. A tier change asks for a metafield sync. Earning reads the
 * wallet's tierId, so the next order earns with the new multiplier.
 */
import prisma, { pool } from "../db.server";
import { enqueueJob } from "../jobs/queue.server";
import { computeTierWindow } from "../domain/loyalty/tiers";
import { loadSettingsVersions } from "./loyalty-ledger.server";

/** Wallets per statement in a full run. */
export const TIER_BATCH_WALLETS = 5000;

export interface TierRunResult {
  wallets: number;
  tierChanges: number;
}

/**
 * Recomputes the tiers of some wallets (`profileIds`, after their orders changed) or of every wallet
 * of the shop (the daily run, which also records LoyaltyShopState.lastTierRunAt).
 */
export async function recalculateTiers({
  shop,
  now = new Date(),
  profileIds,
  batchSize = TIER_BATCH_WALLETS,
}: {
  shop: string;
  now?: Date;
  profileIds?: string[];
  batchSize?: number;
}): Promise<TierRunResult> {
  const client = await pool.connect();
  let tiers;
  try {
    tiers = (await loadSettingsVersions(client, shop)).at(-1)?.settings.tiers ?? null;
  } finally {
    client.release();
  }
  const result: TierRunResult = { wallets: 0, tierChanges: 0 };
  if (tiers === null) return result;
  const { from } = computeTierWindow(now);
  // Some wallets: fixed chunks of the ids. Every wallet: keyset pages in the database's order.
  const chunks = profileIds ? chunk([...new Set(profileIds)], batchSize) : null;
  // A full run reads the earns of a batch as one range of the (shop, profileId, placedAt) index
  // rather than probing it once per wallet: most wallets have no earns, and a million probes cost
  // more than the few range scans.
  const earnsOfBatch = profileIds
    ? `e."profileId" = any($3::text[])`
    : `e."profileId" between (select min("profileId") from batch) and (select max("profileId") from batch)`;
  let after = "";
  for (let index = 0; ; index++) {
    const ids = chunks ? chunks[index] : null;
    if (chunks && !ids) break;
    const { rows } = await pool.query<{ wallets: number; changes: number; last: string | null }>(
      `with batch as (
         select "profileId", "tierId", "tierSpendMinor", "tierComputedAt" from "LoyaltyWallet"
          where shop = $1 and "profileId" > $2 and ($3::text[] is null or "profileId" = any($3::text[]))
          order by "profileId" limit $4),
       agg as (
         select e."profileId", sum(e."eligibleAmountMinor" - e."refundedEligibleMinor") as total
           from "LoyaltyOrderEarn" e
          where e.shop = $1 and e."placedAt" > $5::timestamp and e."placedAt" <= $6::timestamp and ${earnsOfBatch}
          group by e."profileId"),
       spend as (
         select b."profileId", b."tierId" as "oldTierId", b."tierSpendMinor" as "oldSpend", b."tierComputedAt",
                greatest(0, coalesce(a.total, 0))::bigint as spend
           from batch b left join agg a on a."profileId" = b."profileId"),
       tiered as (
         select s.*, (select t.id from unnest($7::text[], $8::bigint[]) as t(id, threshold)
                       where t.threshold <= s.spend order by t.threshold desc limit 1) as "tierId"
           from spend s),
       updated as (
         update "LoyaltyWallet" w
            set "tierId" = t."tierId", "tierSpendMinor" = t.spend, "tierComputedAt" = $6::timestamp, "updatedAt" = now(),
                "syncRequestedAt" = case when w."tierId" is distinct from t."tierId"
                  then coalesce(w."syncRequestedAt", clock_timestamp() at time zone 'UTC') else w."syncRequestedAt" end,
                "syncVersion" = w."syncVersion" + (w."tierId" is distinct from t."tierId")::int
           from tiered t
          where w.shop = $1 and w."profileId" = t."profileId"
            and (t."oldTierId" is distinct from t."tierId" or t."oldSpend" <> t.spend or t."tierComputedAt" is null)
         returning t."oldTierId" is distinct from t."tierId" as changed)
       select (select count(*) from batch)::int as wallets,
              (select count(*) from updated where changed)::int as changes,
              (select max("profileId") from batch) as last`,
      [shop, after, ids, batchSize, from.toISOString(), now.toISOString(), tiers.map((tier) => tier.id), tiers.map((tier) => tier.thresholdMinor)],
    );
    const { wallets, changes, last } = rows[0];
    result.wallets += wallets;
    result.tierChanges += changes;
    if (chunks) continue;
    if (!last || wallets < batchSize) break;
    after = last;
  }
  if (!profileIds) {
    await pool.query(
      `insert into "LoyaltyShopState" (shop, "lastTierRunAt", "updatedAt") values ($1, $2::timestamp, now())
       on conflict (shop) do update set "lastTierRunAt" = excluded."lastTierRunAt", "updatedAt" = now()`,
      [shop, now.toISOString()],
    );
  }
  return result;
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Profiles whose orders these are (after the earn step): whose tier the orders may have changed. */
export async function listProfilesOfOrders({ shop, orderGids }: { shop: string; orderGids: string[] }): Promise<string[]> {
  if (orderGids.length === 0) return [];
  const { rows } = await pool.query<{ profileId: string }>(
    `select distinct "profileId" from "LoyaltyOrderEarn" where shop = $1 and "orderGid" = any($2::text[])`,
    [shop, orderGids],
  );
  return rows.map((row) => row.profileId);
}

/**
 * Part of the `order-stored` loyalty step (order-stored.server.ts, after the earn): the tiers of
 * the profiles these orders earned for are recomputed by a job, so the next order earns with the
 * new tier's multiplier without waiting for the daily run.
 */
export async function enqueueTierRecalculation({ shop, orderGids }: { shop: string; orderGids: string[] }): Promise<void> {
  const profileIds = await listProfilesOfOrders({ shop, orderGids });
  if (profileIds.length === 0) return;
  await enqueueJob(prisma, "loyalty-recalculate-tiers", { shop, profileIds }, { queueName: `loyalty-jobs:${shop}`, maxAttempts: 8 });
}
