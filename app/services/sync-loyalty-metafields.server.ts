/**
 * Pushes balances and tiers to Shopify customer metafields. The ledger write (and the tier and
 * availability jobs) set LoyaltyWallet.syncRequestedAt; this job sends the current values of those
 * wallets to every Shopify customer of their profile, then records what was sent and clears the
 * request — unless the wallet changed while Shopify was being called, in which case the request
 * stays and the next run sends the newer values. Nothing is held open across the network calls.
 */
import { pool } from "../db.server";
import { computeInactivityExpiresAt, computeLotBalances } from "../domain/loyalty/lots";
import type { ExpiryPolicy } from "../domain/loyalty/settings";
import { listOpenLots } from "../models/ledger.server";
import type { AdminGraphql } from "../shopify/graphql-client";
import { setCustomerLoyaltyMetafields, type CustomerLoyaltyValues, type MetafieldUserError, type ThrottleOptions } from "../shopify/customer-metafields";
import { loadSettingsVersions } from "./loyalty-ledger.server";

/**
 * SQL assignments for "Shopify needs this wallet's values" on a wallet aliased `w`: the request
 * time is set once (the queue order), and the version goes up on every change, so a sync that
 * read an older version sees that the wallet changed while it was calling Shopify. Neither
 * assignment changes an indexed value when a request is already pending, so a redemption's
 * wallet update stays a heap-only (HOT) update.
 */
export const REQUEST_SYNC = `"syncRequestedAt" = coalesce(w."syncRequestedAt", clock_timestamp() at time zone 'UTC'), "syncVersion" = w."syncVersion" + 1`;

/** Wallets per round (each becomes a few metafieldsSet calls of 8 customers). */
export const SYNC_BATCH_WALLETS = 200;

interface WalletToSync {
  profileId: string;
  balancePoints: number;
  tierId: string | null;
  syncedTierId: string | null;
  lastActivityAt: Date | null;
  requestedAt: string;
  version: number;
}

export interface SyncRunResult {
  wallets: number;
  customers: number;
  /** Customers Shopify refused (their wallets stay requested and are retried by the next run). */
  failures: Map<string, MetafieldUserError[]>;
}

/** Marks wallets for a metafield update (e.g. after a change the ledger write does not see). */
export async function requestMetafieldSync({ shop, profileIds }: { shop: string; profileIds: string[] }): Promise<number> {
  if (profileIds.length === 0) return 0;
  const { rowCount } = await pool.query(
    `update "LoyaltyWallet" w set ${REQUEST_SYNC} where w.shop = $1 and w."profileId" = any($2::text[])`,
    [shop, profileIds],
  );
  return rowCount ?? 0;
}

/** Shops with wallets waiting for a metafield update (index on (shop, syncRequestedAt)). */
export async function listShopsToSync(): Promise<string[]> {
  const { rows } = await pool.query<{ shop: string }>(
    `select s.shop from "Shop" s
      where s."installState" = 'INSTALLED'
        and exists (select 1 from "LoyaltyWallet" w where w.shop = s.shop and w."syncRequestedAt" is not null)`,
  );
  return rows.map((row) => row.shop);
}

/**
 * Sends the wallets requested before this run started (later requests wait for the next run, so a
 * busy shop cannot keep one run going forever). `now` dates the available points.
 */
export async function syncLoyaltyMetafields({
  shop,
  graphql,
  now = new Date(),
  batchSize = SYNC_BATCH_WALLETS,
  throttle,
}: {
  shop: string;
  graphql: AdminGraphql;
  now?: Date;
  batchSize?: number;
  throttle?: ThrottleOptions;
}): Promise<SyncRunResult> {
  const result: SyncRunResult = { wallets: 0, customers: 0, failures: new Map() };
  const client = await pool.connect();
  let expiry: ExpiryPolicy;
  let runStart: string;
  try {
    expiry = (await loadSettingsVersions(client, shop)).at(-1)?.settings.expiry ?? { kind: "NONE" };
    // The ledger write stamps requests with now() in the session's time zone, the jobs in UTC:
    // the later of the two readings of the clock covers both.
    runStart = (await client.query(`select greatest(clock_timestamp() at time zone 'UTC', clock_timestamp()::timestamp)::text as at`)).rows[0].at;
  } finally {
    client.release();
  }
  let cursor: { requestedAt: string; profileId: string } | null = null;
  for (;;) {
    const batch = await listWalletsToSync(shop, runStart, cursor, batchSize);
    if (batch.wallets.length === 0) break;
    const values: CustomerLoyaltyValues[] = [];
    for (const wallet of batch.wallets) {
      const balances = computeLotBalances(batch.lots.get(wallet.profileId) ?? [], {
        now,
        inactivityExpiresAt: computeInactivityExpiresAt(wallet.lastActivityAt, expiry),
      });
      for (const customerGid of batch.customers.get(wallet.profileId) ?? []) {
        values.push({
          customerGid,
          balancePoints: wallet.balancePoints,
          availablePoints: balances.availablePoints,
          tierId: wallet.tierId,
          clearTier: wallet.syncedTierId !== null,
        });
      }
    }
    const failures = await setCustomerLoyaltyMetafields(graphql, values, throttle);
    const failedWallets = new Set<string>();
    for (const [customerGid, errors] of failures) {
      result.failures.set(customerGid, errors);
      for (const [profileId, gids] of batch.customers) if (gids.includes(customerGid)) failedWallets.add(profileId);
    }
    await confirmSynced(shop, batch.wallets.filter((wallet) => !failedWallets.has(wallet.profileId)));
    result.wallets += batch.wallets.length;
    result.customers += values.length;
    const last = batch.wallets.at(-1)!;
    cursor = { requestedAt: last.requestedAt, profileId: last.profileId };
    if (batch.wallets.length < batchSize) break;
  }
  return result;
}

async function listWalletsToSync(shop: string, runStart: string, cursor: { requestedAt: string; profileId: string } | null, limit: number) {
  const client = await pool.connect();
  try {
    const { rows: wallets } = await client.query<WalletToSync>(
      `select "profileId", "balancePoints", "tierId", "syncedTierId", "lastActivityAt" at time zone 'UTC' as "lastActivityAt",
              to_char("syncRequestedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS') as "requestedAt", "syncVersion" as version
         from "LoyaltyWallet"
        where shop = $1 and "syncRequestedAt" <= $2::timestamp
          and ($3::timestamp is null or ("syncRequestedAt", "profileId") > ($3::timestamp, $4::text))
        order by "syncRequestedAt", "profileId" limit $5`,
      [shop, runStart, cursor?.requestedAt ?? null, cursor?.profileId ?? null, limit],
    );
    const profileIds = wallets.map((wallet) => wallet.profileId);
    // Deleted customers are skipped: Shopify would refuse them and the wallet would never settle.
    const { rows: members } = await client.query<{ profileId: string; customerGid: string }>(
      `select m."profileId", m."memberKey" as "customerGid"
         from "ProfileMember" m
         left join "Customer" c on c.shop = m.shop and c."customerGid" = m."memberKey"
        where m.shop = $1 and m."profileId" = any($2::text[]) and m."memberKind" = 'CUSTOMER' and c."deletedAt" is null
        order by m."profileId", m."memberKey"`,
      [shop, profileIds],
    );
    const customers = new Map<string, string[]>();
    for (const member of members) {
      if (!customers.has(member.profileId)) customers.set(member.profileId, []);
      customers.get(member.profileId)!.push(member.customerGid);
    }
    const lots = new Map<string, Awaited<ReturnType<typeof listOpenLots>>>();
    for (const lot of await listOpenLots(client, { shop, profileIds })) {
      if (!lots.has(lot.profileId)) lots.set(lot.profileId, []);
      lots.get(lot.profileId)!.push(lot);
    }
    return { wallets, customers, lots };
  } finally {
    client.release();
  }
}

/**
 * Records what Shopify now holds and clears the request only when the wallet still has the values
 * that were sent and the request was not renewed meanwhile. The balance is compared as well as the
 * timestamp because the ledger write keeps an existing request's timestamp (coalesce) when the
 * balance changes again.
 */
async function confirmSynced(shop: string, wallets: WalletToSync[]): Promise<void> {
  if (wallets.length === 0) return;
  await pool.query(
    `update "LoyaltyWallet" w
        set "syncedBalance" = x.balance, "syncedTierId" = x.tier,
            "syncRequestedAt" = case when w."syncVersion" = x.version and w."balancePoints" = x.balance
                                       and w."tierId" is not distinct from x.tier then null else w."syncRequestedAt" end
       from unnest($2::text[], $3::int[], $4::text[], $5::int[]) as x("profileId", balance, tier, version)
      where w.shop = $1 and w."profileId" = x."profileId"`,
    [
      shop,
      wallets.map((wallet) => wallet.profileId),
      wallets.map((wallet) => wallet.balancePoints),
      wallets.map((wallet) => wallet.tierId),
      wallets.map((wallet) => wallet.version),
    ],
  );
}
