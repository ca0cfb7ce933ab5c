/**
 * Wallets follow their profiles. Identity resolution (#4) records every membership change as a
 * ProfileEvent in the transaction that makes it; this service applies them to the ledger in event
 * order, one event per ledger unit with the shop's cursor advanced in that same transaction:
 *
 * - MERGED (the source profile was emptied into another): the whole wallet moves — lots with their
 *   dates, earn records, debt — as a TRANSFER_OUT / TRANSFER_IN pair summing to zero.
 * - SPLIT (some members left for another profile): the earn records of the orders that left, and
 *   what remains of their lots, move with them; bonuses and staff adjustments stay where they were
 *   credited. A split that undoes a merge therefore gives each person back their own order points.
 *
 * A wallet with an open reservation cannot move (the hold would be orphaned): the event waits and
 * is retried by the next run (a job step or the cron sweep) once the reservation is settled or released.
 */
import type { PoolClient } from "pg";
import { pool } from "../db.server";
import { toTransferKey } from "../domain/loyalty/keys";
import { runLedgerUnit, type PlannedCommand } from "./loyalty-ledger.server";

interface ProfileEventRow {
  id: string;
  kind: "CREATED" | "MERGED" | "SPLIT";
  fromProfileId: string | null;
  toProfileId: string;
  memberKeys: string[];
}

export const toProfileEventTransferKey = (eventId: string) => toTransferKey(`profile-event:${eventId}`);

/**
 * The next event that moves points: the first after the cursor whose source profile has a wallet.
 * Events before it move nothing (no wallet, or a CREATED event), so the cursor skips them here.
 */
async function nextEvent(client: PoolClient, shop: string): Promise<ProfileEventRow | null> {
  await client.query(`insert into "LoyaltyShopState" (shop) values ($1) on conflict do nothing`, [shop]);
  const { rows } = await client.query(
    `with cursor as (select "profileEventCursor" as at from "LoyaltyShopState" where shop = $1)
     select e.id::text as id, e.kind, e."fromProfileId", e."toProfileId", e."memberKeys"
       from "ProfileEvent" e, cursor
      where e.shop = $1 and e.id > cursor.at and e.kind <> 'CREATED'
        and exists (select 1 from "LoyaltyWallet" w where w.shop = e.shop and w."profileId" = e."fromProfileId")
      order by e.id limit 1`,
    [shop],
  );
  const event: ProfileEventRow | null = rows[0] ?? null;
  await client.query(
    `update "LoyaltyShopState" set "profileEventCursor" = greatest("profileEventCursor", coalesce(
       $2::bigint - 1, (select max(id) from "ProfileEvent" where shop = $1), 0)), "updatedAt" = now()
      where shop = $1`,
    [shop, event?.id ?? null],
  );
  return event;
}

/** Orders of the moved members (customers' orders and guest orders) that earned in `fromProfileId`. */
async function listMovedEarns(client: PoolClient, shop: string, fromProfileId: string, memberKeys: string[]) {
  const { rows } = await client.query(
    `select e."orderGid", e."lotId", l."remainingPoints" > 0 and l."closedAt" is null and l."profileId" = $2 as "lotOpen"
       from "LoyaltyOrderEarn" e
       join "Order" o on o.shop = e.shop and o."orderGid" = e."orderGid"
       left join "LoyaltyLot" l on l.shop = e.shop and l.id = e."lotId"
      where e.shop = $1 and e."profileId" = $2 and (o."orderGid" = any($3::text[]) or o."customerGid" = any($3::text[]))`,
    [shop, fromProfileId, memberKeys],
  );
  return rows as Array<{ orderGid: string; lotId: string | null; lotOpen: boolean | null }>;
}

/**
 * Applies the shop's pending profile events to the wallets, in order, and returns how many were
 * applied. Stops early (leaving the rest for the next run) when a wallet cannot move yet.
 */
export async function followProfileEvents({ shop, now, limit = 1_000 }: { shop: string; now?: Date; limit?: number }): Promise<number> {
  let applied = 0;
  while (applied < limit) {
    let event: ProfileEventRow | null = null;
    let blocked = false;
    await runLedgerUnit({
      shop,
      now,
      // One follower per shop at a time: events must apply in order.
      before: async (client) => {
        await client.query(`select pg_advisory_xact_lock(hashtext($1))`, [`loyalty-follow:${shop}`]);
        event = await nextEvent(client, shop);
      },
      target: async () => {
        const current = event as ProfileEventRow | null;
        if (!current?.fromProfileId) return { walletIds: [] };
        return { walletIds: [current.fromProfileId, current.toProfileId] };
      },
      plan: async (state, client) => {
        const current = event as ProfileEventRow | null;
        if (!current || !current.fromProfileId || !state.wallets.has(current.fromProfileId)) return [];
        const base = {
          kind: "TRANSFER" as const,
          idempotencyKey: toProfileEventTransferKey(current.id),
          at: state.now,
          transferId: `profile-event:${current.id}`,
          fromWalletId: current.fromProfileId,
          toWalletId: current.toProfileId,
        };
        const meta = { source: "PROFILE" as const, details: { profileEventId: current.id, profileEventKind: current.kind } };
        if (current.kind === "MERGED") return [{ command: base, meta } satisfies PlannedCommand];
        const moved = await listMovedEarns(client, shop, current.fromProfileId, current.memberKeys);
        if (moved.length === 0) return [];
        const lotIds = moved.filter((earn) => earn.lotId && earn.lotOpen).map((earn) => earn.lotId!);
        return [{ command: { ...base, lotIds, orderIds: moved.map((earn) => earn.orderGid) }, meta } satisfies PlannedCommand];
      },
      after: async (client, results) => {
        const current = event as ProfileEventRow | null;
        if (!current) return;
        if (results.some((result) => result.status === "REJECTED")) {
          blocked = true;
          return;
        }
        if (current.kind === "MERGED" && current.fromProfileId) {
          // The birthday is not a balance: it moves beside the transfer, unless the surviving wallet has its own.
          await client.query(
            `update "LoyaltyWallet" t set "birthdayMonth" = f."birthdayMonth", "birthdayDay" = f."birthdayDay", "updatedAt" = now()
               from "LoyaltyWallet" f
              where t.shop = $1 and t."profileId" = $2 and f.shop = $1 and f."profileId" = $3
                and t."birthdayMonth" is null and f."birthdayMonth" is not null`,
            [shop, current.toProfileId, current.fromProfileId],
          );
        }
        await client.query(`update "LoyaltyShopState" set "profileEventCursor" = $2, "updatedAt" = now() where shop = $1`, [shop, current.id]);
      },
    });
    if (!event || blocked) break;
    applied++;
  }
  return applied;
}

/** Shops with profile events the ledger has not followed yet (for the periodic sweep). */
export async function listShopsWithPendingProfileEvents(): Promise<string[]> {
  const { rows } = await pool.query(
    `select distinct e.shop from "ProfileEvent" e
       left join "LoyaltyShopState" s on s.shop = e.shop
      where e.kind <> 'CREATED' and e.id > coalesce(s."profileEventCursor", 0)
        and exists (select 1 from "LoyaltySettingsVersion" v where v.shop = e.shop)`,
  );
  return rows.map((row: { shop: string }) => row.shop);
}
