/**
 * SQL of the points ledger. Plain pg on one pooled client inside the caller's transaction: the
 * ledger's hot paths (redeem at the till, earn for a batch of 500 orders) are a handful of
 * statements each, every batch travels as one json parameter, and all writes of a unit of work
 * go in one statement. Timestamps are `timestamp(3)` holding UTC (Prisma's mapping): reads
 * convert them with `at time zone 'UTC'` so pg parses them as instants, never as local time.
 */
import type { PoolClient } from "pg";
import type { Lot, LotAllocation } from "../domain/loyalty/lots";
import type { EntryKind } from "../domain/loyalty/ledger-model";

export interface WalletRow {
  profileId: string;
  balancePoints: number;
  debtPoints: number;
  heldPoints: number;
  lastActivityAt: Date | null;
  tierId: string | null;
}

export interface StoredLot extends Lot {
  profileId: string;
  closedAt: Date | null;
  orderGid: string | null;
}

export interface OrderEarnRow {
  orderGid: string;
  profileId: string;
  earnedPoints: number;
  eligibleAmountMinor: number;
  refundedEligibleMinor: number;
  reversedPoints: number;
  settingsVersion: number;
  lotId: string | null;
  channel: "ONLINE" | "POS";
  locationGid: string | null;
  placedAt: Date;
}

export interface ReservationRow {
  id: string;
  profileId: string;
  clientRequestId: string;
  points: number;
  allocations: LotAllocation[];
  status: "OPEN" | "SETTLED" | "RELEASED";
  expiresAt: Date;
  channel: "ONLINE" | "POS";
  locationGid: string | null;
  rewardId: string | null;
  discountKind: string;
  discountValue: string;
  currency: string;
  minOrderMinor: number;
  customerGid: string | null;
  discountCode: string | null;
  discountNodeGid: string | null;
  codeStatus: string;
  codeError: string | null;
  settledOrderGid: string | null;
  staffId: string | null;
  closedAt: Date | null;
  closeReason: string | null;
  createdAt: Date;
}

export interface EntryRow {
  id: string;
  profileId: string;
  idempotencyKey: string;
  kind: EntryKind;
  points: number;
  balanceAfter: number;
  occurredAt: Date;
  source: string;
  channel: "ONLINE" | "POS" | null;
  locationGid: string | null;
  orderGid: string | null;
  refundGid: string | null;
  reservationId: string | null;
  transferId: string | null;
  lotAllocations: LotAllocation[];
  shortfallPoints: number;
  debtRepaidPoints: number;
  expiredPoints: number;
  movedOrderGids: string[];
  reason: string | null;
  staffId: string | null;
  staffName: string | null;
  settingsVersion: number | null;
  details: unknown;
}

/** Entry to append; id, balance after and timestamps are filled in here and by the database. */
export type NewEntry = Omit<EntryRow, "id">;

const utc = (column: string, as = column.replace(/"/g, "")) => `${column} at time zone 'UTC' as "${as}"`;

/**
 * Creates missing wallets and locks all of them (FOR UPDATE, in profile id order so two units
 * locking overlapping sets cannot deadlock). Every debit and credit happens under this lock.
 */
export async function lockWallets(client: PoolClient, { shop, profileIds }: { shop: string; profileIds: string[] }): Promise<Map<string, WalletRow>> {
  const ids = [...new Set(profileIds)].sort();
  if (ids.length === 0) return new Map();
  await client.query(
    `insert into "LoyaltyWallet" (shop, "profileId") select $1, id from unnest($2::text[]) as id order by id on conflict do nothing`,
    [shop, ids],
  );
  const { rows } = await client.query(
    `select "profileId", "balancePoints", "debtPoints", "heldPoints", ${utc(`"lastActivityAt"`)}, "tierId"
       from "LoyaltyWallet" where shop = $1 and "profileId" = any($2::text[]) order by "profileId" for update`,
    [shop, ids],
  );
  return new Map(rows.map((row: WalletRow) => [row.profileId, row]));
}

const LOT_COLUMNS = `id, "profileId", points, "remainingPoints", ${utc(`"earnedAt"`)}, ${utc(`"availableAt"`)},
  ${utc(`"expiresAt"`)}, ${utc(`"closedAt"`)}, "orderGid"`;

/** Lots with points left in these wallets: what debits, transfers and balances work on. */
export async function listOpenLots(client: PoolClient, { shop, profileIds }: { shop: string; profileIds: string[] }): Promise<StoredLot[]> {
  if (profileIds.length === 0) return [];
  const { rows } = await client.query(
    `select ${LOT_COLUMNS} from "LoyaltyLot" where shop = $1 and "profileId" = any($2::text[]) and "remainingPoints" > 0`,
    [shop, profileIds],
  );
  return rows;
}

/** Lots by id whatever their state (a reservation gives points back to the lots it took from). */
export async function listLotsById(client: PoolClient, { shop, ids }: { shop: string; ids: string[] }): Promise<StoredLot[]> {
  if (ids.length === 0) return [];
  const { rows } = await client.query(`select ${LOT_COLUMNS} from "LoyaltyLot" where shop = $1 and id = any($2::text[])`, [shop, ids]);
  return rows;
}

const EARN_COLUMNS = `"orderGid", "profileId", "earnedPoints", "eligibleAmountMinor"::float8 as "eligibleAmountMinor",
  "refundedEligibleMinor"::float8 as "refundedEligibleMinor", "reversedPoints", "settingsVersion", "lotId", channel,
  "locationGid", ${utc(`"placedAt"`)}`;

export async function listOrderEarns(client: PoolClient, { shop, orderGids }: { shop: string; orderGids: string[] }): Promise<OrderEarnRow[]> {
  if (orderGids.length === 0) return [];
  const { rows } = await client.query(`select ${EARN_COLUMNS} from "LoyaltyOrderEarn" where shop = $1 and "orderGid" = any($2::text[])`, [shop, orderGids]);
  return rows;
}

export async function listOrderEarnsOfWallets(client: PoolClient, { shop, profileIds }: { shop: string; profileIds: string[] }): Promise<OrderEarnRow[]> {
  if (profileIds.length === 0) return [];
  const { rows } = await client.query(`select ${EARN_COLUMNS} from "LoyaltyOrderEarn" where shop = $1 and "profileId" = any($2::text[])`, [shop, profileIds]);
  return rows;
}

const RESERVATION_COLUMNS = `id, "profileId", "clientRequestId", points, allocations, status, ${utc(`"expiresAt"`)}, channel, "locationGid",
  "rewardId", "discountKind", "discountValue", currency, "minOrderMinor"::float8 as "minOrderMinor", "customerGid", "discountCode",
  "discountNodeGid", "codeStatus", "codeError", "settledOrderGid", "staffId", ${utc(`"closedAt"`)}, "closeReason", ${utc(`"createdAt"`)}`;

export async function listReservations(
  client: PoolClient,
  { shop, ids, profileIds, openOnly = false }: { shop: string; ids?: string[]; profileIds?: string[]; openOnly?: boolean },
): Promise<ReservationRow[]> {
  const { rows } = await client.query(
    `select ${RESERVATION_COLUMNS} from "LoyaltyReservation"
      where shop = $1 and (id = any($2::text[]) or "profileId" = any($3::text[])) and (not $4 or status = 'OPEN')`,
    [shop, ids ?? [], profileIds ?? [], openOnly],
  );
  return rows;
}

export async function getReservationByRequestId(client: PoolClient, { shop, clientRequestId }: { shop: string; clientRequestId: string }): Promise<ReservationRow | null> {
  const { rows } = await client.query(`select ${RESERVATION_COLUMNS} from "LoyaltyReservation" where shop = $1 and "clientRequestId" = $2`, [shop, clientRequestId]);
  return rows[0] ?? null;
}

const ENTRY_COLUMNS = `id::text as id, "profileId", "idempotencyKey", kind, points, "balanceAfter", ${utc(`"occurredAt"`)}, source, channel,
  "locationGid", "orderGid", "refundGid", "reservationId", "transferId", "lotAllocations", "shortfallPoints", "debtRepaidPoints",
  "expiredPoints", "movedOrderGids", reason, "staffId", "staffName", "settingsVersion", details`;

/** Entries already recorded under any of these keys (and the entries recorded with them). */
export async function listEntriesByKeys(client: PoolClient, { shop, keys }: { shop: string; keys: string[] }): Promise<EntryRow[]> {
  if (keys.length === 0) return [];
  const { rows } = await client.query(
    `select ${ENTRY_COLUMNS} from "LoyaltyEntry" where shop = $1 and "idempotencyKey" = any($2::text[]) order by id`,
    [shop, keys],
  );
  return rows;
}

/** Keys of a transfer pair are stored with ":out" / ":in"; a key's entries are found by either form. */
export function toStoredKeys(key: string): string[] {
  return [key, `${key}:out`, `${key}:in`];
}

export interface LedgerWrite {
  entries: NewEntry[];
  lots: StoredLot[];
  orderEarns: OrderEarnRow[];
  reservations: ReservationRow[];
  wallets: Array<{ profileId: string; balancePoints: number; debtPoints: number; heldPoints: number; lastActivityAt: Date | null }>;
}

const json = (rows: unknown[]) => JSON.stringify(rows, (_key, value) => (typeof value === "bigint" ? value.toString() : value));

/**
 * Writes one unit of work in ONE statement: entries appended, lots / earn records / reservations
 * upserted to their new state, wallets' cached balances set. Returns the ids of the new entries.
 */
export async function writeLedgerChanges(client: PoolClient, shop: string, write: LedgerWrite): Promise<string[]> {
  const entries = write.entries.map((entry) => ({ shop, ...entry }));
  const lots = write.lots.map((lot) => ({ shop, ...lot }));
  const earns = write.orderEarns.map((earn) => ({ shop, ...earn }));
  const reservations = write.reservations.map((reservation) => ({ shop, ...reservation }));
  const { rows } = await client.query(
    `with
      lots as (
        insert into "LoyaltyLot" (shop, id, "profileId", points, "remainingPoints", "earnedAt", "availableAt", "expiresAt", "closedAt", "orderGid")
        select shop, id, "profileId", points, "remainingPoints", "earnedAt", "availableAt", "expiresAt", "closedAt", "orderGid"
          from json_populate_recordset(null::"LoyaltyLot", $2::json)
        on conflict (shop, id) do update set "profileId" = excluded."profileId", "remainingPoints" = excluded."remainingPoints",
          "closedAt" = excluded."closedAt"
        returning 1),
      earns as (
        insert into "LoyaltyOrderEarn" (shop, "orderGid", "profileId", "earnedPoints", "eligibleAmountMinor", "refundedEligibleMinor",
          "reversedPoints", "settingsVersion", "lotId", channel, "locationGid", "placedAt")
        select shop, "orderGid", "profileId", "earnedPoints", "eligibleAmountMinor", "refundedEligibleMinor",
          "reversedPoints", "settingsVersion", "lotId", channel, "locationGid", "placedAt"
          from json_populate_recordset(null::"LoyaltyOrderEarn", $3::json)
        on conflict (shop, "orderGid") do update set "profileId" = excluded."profileId",
          "refundedEligibleMinor" = excluded."refundedEligibleMinor", "reversedPoints" = excluded."reversedPoints"
        returning 1),
      reservations as (
        insert into "LoyaltyReservation" (id, shop, "profileId", "clientRequestId", points, allocations, status, "expiresAt", channel,
          "locationGid", "rewardId", "discountKind", "discountValue", currency, "minOrderMinor", "customerGid", "discountCode",
          "discountNodeGid", "codeStatus", "codeError", "settledOrderGid", "staffId", "closedAt", "closeReason", "createdAt")
        select id, shop, "profileId", "clientRequestId", points, allocations, status, "expiresAt", channel,
          "locationGid", "rewardId", "discountKind", "discountValue", currency, "minOrderMinor", "customerGid", "discountCode",
          "discountNodeGid", "codeStatus", "codeError", "settledOrderGid", "staffId", "closedAt", "closeReason", "createdAt"
          from json_populate_recordset(null::"LoyaltyReservation", $4::json)
        on conflict (id) do update set "profileId" = excluded."profileId", status = excluded.status, "closedAt" = excluded."closedAt",
          "closeReason" = excluded."closeReason", "settledOrderGid" = excluded."settledOrderGid"
        returning 1),
      wallets as (
        update "LoyaltyWallet" w set "balancePoints" = x."balancePoints", "debtPoints" = x."debtPoints", "heldPoints" = x."heldPoints",
          "lastActivityAt" = x."lastActivityAt", "updatedAt" = now(),
          "syncRequestedAt" = case when w."balancePoints" <> x."balancePoints" then coalesce(w."syncRequestedAt", now()) else w."syncRequestedAt" end
          from json_populate_recordset(null::"LoyaltyWallet", $5::json) x
         where w.shop = $1 and w."profileId" = x."profileId"
        returning 1)
    insert into "LoyaltyEntry" (shop, "profileId", "idempotencyKey", kind, points, "balanceAfter", "occurredAt", source, channel,
      "locationGid", "orderGid", "refundGid", "reservationId", "transferId", "lotAllocations", "shortfallPoints", "debtRepaidPoints",
      "expiredPoints", "movedOrderGids", reason, "staffId", "staffName", "settingsVersion", details)
    select shop, "profileId", "idempotencyKey", kind, points, "balanceAfter", "occurredAt", source, channel,
      "locationGid", "orderGid", "refundGid", "reservationId", "transferId", "lotAllocations", "shortfallPoints", "debtRepaidPoints",
      "expiredPoints", "movedOrderGids", reason, "staffId", "staffName", "settingsVersion", details
      from json_populate_recordset(null::"LoyaltyEntry", $6::json)
    returning id::text`,
    [shop, json(lots), json(earns), json(reservations), json(write.wallets), json(entries)],
  );
  return rows.map((row: { id: string }) => row.id);
}
