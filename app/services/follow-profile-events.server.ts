/**
 * Wallets follow their profiles. Identity resolution (#4) records every membership change as a
 * ProfileEvent in the transaction that makes it; this service applies them to the ledger in event
 * order, one event per ledger unit with the shop's cursor advanced in that same transaction:
 *
 * - MERGED (the source profile was emptied into another): the whole wallet moves — lots with their
 *   dates, earn records, debt — as a TRANSFER_OUT / TRANSFER_IN pair summing to zero.
 *   A person holds one signup bonus: when the merged wallet then holds more than one, the surplus
 *   is taken back in the same unit (planDuplicateSignupBonusTakeBack).
 * - SPLIT (some members left for another profile): the earn records of the orders that left, and
 *   what remains of their lots, move with them; bonuses and staff adjustments stay where they were
 *   credited. A split that undoes a merge therefore gives each person back their own order points.
 *   It does not give back a signup bonus taken back at the merge (that ADJUSTMENT stays too): the
 *   profile split off may be credited one later, under its own key, by the customer step.
 *
 * A wallet with an open reservation cannot move (the hold would be orphaned): the event waits and
 * is retried by the next run (a job step or the cron sweep) once the reservation is settled or released.
 */
import type { PoolClient } from "pg";
import { pool } from "../db.server";
import {
  computeDuplicateSignupBonusTakeBack,
  DUPLICATE_SIGNUP_BONUS_REASON,
  SYSTEM_STAFF_ID,
  type HeldSignupBonus,
} from "../domain/loyalty/bonuses";
import { toDuplicateSignupBonusKey, toExpiryKey, toSignupBonusKey, toTransferKey } from "../domain/loyalty/keys";
import { runLedgerUnit, toModelOptions, type LedgerState, type PlannedCommand } from "./loyalty-ledger.server";

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
 * For each of `profileIds`, itself and every profile whose wallet a merge moved into it, directly
 * or through another (MERGED transfers in the ledger; a split moves no bonus, so it does not count).
 */
export async function listMergedWallets(client: PoolClient, shop: string, profileIds: string[]): Promise<Array<{ root: string; profileId: string }>> {
  const { rows } = await client.query<{ root: string; profileId: string }>(
    `with recursive merged(root, id) as (
       select id, id from unnest($2::text[]) as id
       union
       select m.root, o."profileId" from merged m
         join "LoyaltyEntry" i on i.shop = $1 and i."profileId" = m.id and i.kind = 'TRANSFER_IN'
              and i.details->>'profileEventKind' = 'MERGED'
         join "LoyaltyEntry" o on o.shop = $1 and o."idempotencyKey" = left(i."idempotencyKey", -3) || ':out'
     )
     select root, id as "profileId" from merged`,
    [shop, profileIds],
  );
  return rows;
}

/** The signup bonus keys earlier merges into these wallets settled (on their transfers' details). */
async function listSettledSignupBonusKeys(client: PoolClient, shop: string, profileIds: string[]): Promise<Set<string>> {
  const { rows } = await client.query<{ key: string }>(
    `select jsonb_array_elements_text(details->'duplicateSignupBonus'->'signupBonusKeys') as key
       from "LoyaltyEntry"
      where shop = $1 and "profileId" = any($2::text[]) and kind = 'TRANSFER_IN' and details->>'profileEventKind' = 'MERGED'
        and jsonb_typeof(details->'duplicateSignupBonus'->'signupBonusKeys') = 'array'`,
    [shop, profileIds],
  );
  return new Set(rows.map((row) => row.key));
}

/**
 * One person, one signup bonus. Planned with a MERGED event's transfer (and applied only if it
 * is): when the merged wallet would hold more than one signup bonus not settled by an earlier
 * merge, the surplus is taken back by a system ADJUSTMENT keyed by the event. The rule (keep the
 * one worth most, the earliest of equal ones; RECORD_SHORTFALL takes only what the wallet holds)
 * is computeDuplicateSignupBonusTakeBack's. The settled keys ride on the transfer's details, so a
 * surplus already spent (nothing to take, no ADJUSTMENT) is settled all the same.
 */
async function planDuplicateSignupBonusTakeBack(
  client: PoolClient,
  state: LedgerState,
  event: ProfileEventRow & { fromProfileId: string },
  transfer: PlannedCommand,
): Promise<PlannedCommand | null> {
  const { shop } = state;
  const holders = [...new Set((await listMergedWallets(client, shop, [event.fromProfileId, event.toProfileId])).map((row) => row.profileId))];
  const bonusKeys = holders.map(toSignupBonusKey);
  const transferInKey = `${transfer.command.idempotencyKey}:in`;
  const { rows } = await client.query<{ key: string; kind: string; points: number; creditedAt: Date }>(
    `select "idempotencyKey" as key, kind, points, "occurredAt" at time zone 'UTC' as "creditedAt"
       from "LoyaltyEntry" where shop = $1 and "idempotencyKey" = any($2::text[])`,
    [shop, [...bonusKeys, ...bonusKeys.map(toExpiryKey), transferInKey]],
  );
  const byKey = new Map(rows.map((row) => [row.key, row]));
  const bonuses: HeldSignupBonus[] = bonusKeys.flatMap((key) => {
    const entry = byKey.get(key);
    if (entry?.kind !== "BONUS") return [];
    return [{ key, points: entry.points, creditedAt: entry.creditedAt, expiredPoints: -(byKey.get(toExpiryKey(key))?.points ?? 0) }];
  });
  if (bonuses.length < 2) return null;
  const to = state.wallets.get(event.toProfileId)!;
  const from = state.wallets.get(event.fromProfileId)!;
  // The balance once merged; if the transfer is already stored, the source's points are in `to`.
  const balancePoints = to.balancePoints + (byKey.has(transferInKey) ? 0 : from.balancePoints);
  const takeBack = computeDuplicateSignupBonusTakeBack({
    bonuses,
    settledKeys: await listSettledSignupBonusKeys(client, shop, holders),
    balancePoints,
    policy: toModelOptions(state.latestSettings).negativeBalancePolicy,
  });
  if (!takeBack) return null;
  const details = { ...(transfer.meta.details as object), duplicateSignupBonus: takeBack };
  transfer.meta.details = details;
  if (takeBack.points === 0) return null;
  return {
    command: {
      kind: "ADJUSTMENT",
      idempotencyKey: toDuplicateSignupBonusKey(event.id),
      at: state.now,
      walletId: event.toProfileId,
      points: -takeBack.points,
      reason: DUPLICATE_SIGNUP_BONUS_REASON,
      staffId: SYSTEM_STAFF_ID,
    },
    meta: { source: "PROFILE", details },
    requires: transfer,
  };
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
        if (current.kind === "MERGED") {
          const transfer: PlannedCommand = { command: base, meta };
          const takeBack = await planDuplicateSignupBonusTakeBack(client, state, { ...current, fromProfileId: current.fromProfileId }, transfer);
          return takeBack ? [transfer, takeBack] : [transfer];
        }
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
