/**
 * The expiry job of a shop: writes off the points left in lots whose own expiry date has passed
 * (AFTER_EARNING) and, under AFTER_INACTIVITY, every lot of a wallet idle for N months. Set-based:
 * one query finds the next lots, one ledger unit writes their EXPIRY entries. Each entry is keyed
 * by its lot (toExpiryKey), so a job killed half-way resumes where it stopped and a second run
 * writes nothing.
 */
import { pool } from "../db.server";
import { toExpiryKey } from "../domain/loyalty/keys";
import { runLedgerUnit, loadSettingsVersions, type PlannedCommand } from "./loyalty-ledger.server";
import { REQUEST_SYNC } from "./sync-loyalty-metafields.server";

/** Lots per ledger unit: one transaction locks at most this many wallets and writes this many entries. */
export const EXPIRY_BATCH_LOTS = 500;

interface LotRef {
  id: string;
  profileId: string;
}

export interface ExpiryRunResult {
  expiredLots: number;
  expiredPoints: number;
  /** Wallets marked for a metafield update because pending points became available. */
  walletsBecameAvailable: number;
}

/** Runs both kinds of expiry for one shop at `now`, then marks newly available points for sync. */
export async function expirePoints({ shop, now = new Date(), batchSize = EXPIRY_BATCH_LOTS }: { shop: string; now?: Date; batchSize?: number }): Promise<ExpiryRunResult> {
  const client = await pool.connect();
  let expiry;
  let lastRunAt: Date | null;
  try {
    const versions = await loadSettingsVersions(client, shop);
    expiry = versions.at(-1)?.settings.expiry ?? { kind: "NONE" as const };
    const { rows } = await client.query(`select "lastExpiryRunAt" at time zone 'UTC' as at from "LoyaltyShopState" where shop = $1`, [shop]);
    lastRunAt = rows[0]?.at ?? null;
  } finally {
    client.release();
  }
  const result: ExpiryRunResult = { expiredLots: 0, expiredPoints: 0, walletsBecameAvailable: 0 };

  // Lots past their own date, in (expiresAt, id) order: the cursor moves past lots the model
  // rejects (e.g. moved meanwhile), so one bad lot cannot stall the run.
  let cursor: { expiresAt: string; id: string } | null = null;
  for (;;) {
    const { rows }: { rows: Array<LotRef & { expiresAt: string }> } = await pool.query(
      `select id, "profileId", to_char("expiresAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS') as "expiresAt"
         from "LoyaltyLot"
        where shop = $1 and "expiresAt" <= $2::timestamp and "remainingPoints" > 0
          and ($3::timestamp is null or ("expiresAt", id) > ($3::timestamp, $4::text))
        order by "expiresAt", id limit $5`,
      [shop, now.toISOString(), cursor?.expiresAt ?? null, cursor?.id ?? null, batchSize],
    );
    if (rows.length === 0) break;
    await writeOff(shop, now, rows, "LOT_EXPIRED", result);
    const last: LotRef & { expiresAt: string } = rows.at(-1)!;
    cursor = { expiresAt: last.expiresAt, id: last.id };
    if (rows.length < batchSize) break;
  }

  if (expiry.kind === "AFTER_INACTIVITY") {
    // Postgres month arithmetic clamps to the end of the month like addMonthsUtc, so this finds
    // exactly the wallets the model agrees have expired (it re-checks each lot anyway).
    let after = null as LotRef | null;
    for (;;) {
      const { rows }: { rows: LotRef[] } = await pool.query(
        `select l.id, l."profileId"
           from "LoyaltyLot" l
           join "LoyaltyWallet" w on w.shop = l.shop and w."profileId" = l."profileId"
          where l.shop = $1 and l."remainingPoints" > 0
            and w."lastActivityAt" + make_interval(months => $2::int) <= $3::timestamp
            and ($4::text is null or (l."profileId", l.id) > ($4::text, $5::text))
          order by l."profileId", l.id limit $6`,
        [shop, expiry.months, now.toISOString(), after?.profileId ?? null, after?.id ?? null, batchSize],
      );
      if (rows.length === 0) break;
      await writeOff(shop, now, rows, "INACTIVITY", result);
      after = rows.at(-1)!;
      if (rows.length < batchSize) break;
    }
  }

  result.walletsBecameAvailable = await markAvailablePoints({ shop, from: lastRunAt, to: now });
  await pool.query(
    `insert into "LoyaltyShopState" (shop, "lastExpiryRunAt", "updatedAt") values ($1, $2::timestamp, now())
     on conflict (shop) do update set "lastExpiryRunAt" = greatest("LoyaltyShopState"."lastExpiryRunAt", excluded."lastExpiryRunAt"), "updatedAt" = now()`,
    [shop, now.toISOString()],
  );
  return result;
}

async function writeOff(shop: string, now: Date, lots: LotRef[], reason: "LOT_EXPIRED" | "INACTIVITY", result: ExpiryRunResult): Promise<void> {
  const ids = lots.map((lot) => lot.id);
  const results = await runLedgerUnit({
    shop,
    now,
    target: async () => ({ walletIds: [...new Set(lots.map((lot) => lot.profileId))] }),
    plan: async (state, client) => {
      // Re-read under the wallet locks: a profile merge may have moved a lot since the query
      // above; a lot now in a wallet this unit did not lock is left for the next run.
      const { rows } = await client.query<LotRef>(
        `select id, "profileId" from "LoyaltyLot" where shop = $1 and id = any($2::text[]) and "remainingPoints" > 0`,
        [shop, ids],
      );
      return rows
        .filter((lot) => state.wallets.has(lot.profileId))
        .map((lot): PlannedCommand => ({
          command: { kind: "EXPIRY", idempotencyKey: toExpiryKey(lot.id), at: state.now, walletId: lot.profileId, lotId: lot.id, reason },
          meta: { source: "JOB" },
        }));
    },
  });
  for (const outcome of results) {
    if (outcome.status !== "APPLIED") continue;
    result.expiredLots += 1;
    for (const entry of outcome.entries) result.expiredPoints -= entry.points;
  }
}

/**
 * Pending -> available needs no ledger entry: a lot is spendable from its `availableAt` by date
 * (lots.ts), so the balance never changes and the ledger write never asks for a metafield update.
 * Only the "available points" shown in Shopify goes stale: the wallets whose lots became
 * available in (from, to] are marked for sync here. Returns how many wallets were marked.
 */
export async function markAvailablePoints({ shop, from, to }: { shop: string; from: Date | null; to: Date }): Promise<number> {
  const { rowCount } = await pool.query(
    `update "LoyaltyWallet" w set ${REQUEST_SYNC}
      where w.shop = $1 and w."profileId" in (
        select "profileId" from "LoyaltyLot"
         where shop = $1 and "availableAt" <= $2::timestamp and ($3::timestamp is null or "availableAt" > $3::timestamp)
           and "remainingPoints" > 0)`,
    [shop, to.toISOString(), from?.toISOString() ?? null],
  );
  return rowCount ?? 0;
}
