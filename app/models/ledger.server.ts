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
 * Locks the wallets (FOR UPDATE, in profile id order so two units locking overlapping sets cannot
 * deadlock), creating missing ones first. Every debit and credit happens under this lock. The
 * same round trip reports the shop's newest settings version, so the settings cache is checked free.
 */
export async function lockWallets(
  client: PoolClient,
  { shop, profileIds }: { shop: string; profileIds: string[] },
): Promise<{ wallets: Map<string, WalletRow>; latestSettingsVersion: number | null }> {
  const ids = [...new Set(profileIds)].sort();
  const select = async () =>
    (
      await client.query({
        // Named: prepared once per connection, so the hot path skips parse and plan.
        name: "ledger-lock-wallets",
        text: `select "profileId", "balancePoints", "debtPoints", "heldPoints", ${utc(`"lastActivityAt"`)}, "tierId",
                (select max(version) from "LoyaltySettingsVersion" v where v.shop = $1) as "latestSettingsVersion"
           from "LoyaltyWallet" where shop = $1 and "profileId" = any($2::text[]) order by "profileId" for update`,
        values: [shop, ids],
      })
    ).rows as Array<WalletRow & { latestSettingsVersion: number | null }>;
  let rows = ids.length ? await select() : [];
  if (rows.length < ids.length) {
    await client.query(
      `insert into "LoyaltyWallet" (shop, "profileId") select $1, id from unnest($2::text[]) as id order by id on conflict do nothing`,
      [shop, ids],
    );
    rows = await select();
  }
  const wallets = new Map<string, WalletRow>();
  for (const { latestSettingsVersion: _unused, ...wallet } of rows) wallets.set(wallet.profileId, wallet);
  return { wallets, latestSettingsVersion: rows[0]?.latestSettingsVersion ?? null };
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

// Its id is text (a bigint): "order by" after it names "LoyaltyEntry".id, else it sorts the text.
const ENTRY_COLUMNS = `id::text as id, "profileId", "idempotencyKey", kind, points, "balanceAfter", ${utc(`"occurredAt"`)}, source, channel,
  "locationGid", "orderGid", "refundGid", "reservationId", "transferId", "lotAllocations", "shortfallPoints", "debtRepaidPoints",
  "expiredPoints", "movedOrderGids", reason, "staffId", "staffName", "settingsVersion", details`;

/** Entries already recorded under any of these keys (and the entries recorded with them). */
export async function listEntriesByKeys(client: PoolClient, { shop, keys }: { shop: string; keys: string[] }): Promise<EntryRow[]> {
  if (keys.length === 0) return [];
  const { rows } = await client.query(
    `select ${ENTRY_COLUMNS} from "LoyaltyEntry" where shop = $1 and "idempotencyKey" = any($2::text[]) order by "LoyaltyEntry".id`,
    [shop, keys],
  );
  return rows;
}

/**
 * In one round trip: entries already stored under `keys`, and the open lots of `profileIds`.
 * Rows travel as JSON (timestamps as ISO text) and are turned back into typed rows here.
 */
export async function listEntriesAndOpenLots(
  client: PoolClient,
  { shop, keys, profileIds }: { shop: string; keys: string[]; profileIds: string[] },
): Promise<{ entries: EntryRow[]; lots: StoredLot[] }> {
  const { rows } = await client.query({
    name: "ledger-entries-and-lots",
    text: `select 'entry' as t, row_to_json(x) as r from (select ${ENTRY_COLUMNS} from "LoyaltyEntry"
        where shop = $1 and "idempotencyKey" = any($2::text[]) order by "LoyaltyEntry".id) x
     union all
     select 'lot', row_to_json(y) from (select ${LOT_COLUMNS} from "LoyaltyLot"
        where shop = $1 and "profileId" = any($3::text[]) and "remainingPoints" > 0) y`,
    values: [shop, keys, profileIds],
  });
  const date = (value: string | null) => (value === null ? null : new Date(value));
  const entries: EntryRow[] = [];
  const lots: StoredLot[] = [];
  for (const { t, r } of rows as Array<{ t: string; r: Record<string, unknown> }>) {
    if (t === "entry") entries.push({ ...(r as unknown as EntryRow), occurredAt: new Date(r.occurredAt as string) });
    else {
      lots.push({
        ...(r as unknown as StoredLot),
        earnedAt: new Date(r.earnedAt as string),
        availableAt: new Date(r.availableAt as string),
        expiresAt: date(r.expiresAt as string | null),
        closedAt: date(r.closedAt as string | null),
      });
    }
  }
  return { entries, lots };
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

// Rows hold numbers, strings and dates only (amounts are safe integers): plain, native stringify.
const json = (rows: unknown[]) => JSON.stringify(rows);

/**
 * Writes one unit of work in ONE statement: entries appended, lots / earn records / reservations
 * upserted to their new state, wallets' cached balances set. Returns the ids of the new entries.
 */
export async function writeLedgerChanges(client: PoolClient, shop: string, write: LedgerWrite): Promise<string[]> {
  const entries = write.entries.map((entry) => ({ shop, ...entry }));
  const lots = write.lots.map((lot) => ({ shop, ...lot }));
  const earns = write.orderEarns.map((earn) => ({ shop, ...earn }));
  const reservations = write.reservations.map((reservation) => ({ shop, ...reservation }));
  const { rows } = await client.query({
    name: "ledger-write",
    text: `with
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
          -- A new version on every change: a sync running meanwhile (it clears the request only if the
          -- version is the one it read) must not clear a request for a balance it did not send.
          "syncRequestedAt" = case when w."balancePoints" <> x."balancePoints"
            then coalesce(w."syncRequestedAt", clock_timestamp() at time zone 'UTC') else w."syncRequestedAt" end,
          "syncVersion" = w."syncVersion" + (w."balancePoints" <> x."balancePoints")::int
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
    values: [shop, json(lots), json(earns), json(reservations), json(write.wallets), json(entries)],
  });
  return rows.map((row: { id: string }) => row.id);
}

// Reservations outside the ledger's units of work: what the expiry job and the code
// bookkeeping read, and the discount-code columns no ledger write touches.

/**
 * Shops with OPEN reservations that expired before `before`, or released ones whose Shopify code
 * may still exist and has not ended `cleanSince` ago. One probe of the (shop, status, expiresAt)
 * index per shop, so the every-minute sweep does not scan the ever-growing reservation table.
 */
export async function listShopsWithReservationWork(client: PoolClient, { before, cleanSince }: { before: Date; cleanSince: Date }): Promise<string[]> {
  const { rows } = await client.query(
    `select s.shop from "Shop" s
      where exists (select 1 from "LoyaltyReservation" r
                     where r.shop = s.shop and r.status = 'OPEN' and r."expiresAt" < $1::timestamptz at time zone 'UTC')
         or exists (select 1 from "LoyaltyReservation" r
                     where r.shop = s.shop and r.status = 'RELEASED' and r."expiresAt" > $2::timestamptz at time zone 'UTC'
                       and r."codeStatus" in ('PENDING', 'CREATED'))`,
    [before.toISOString(), cleanSince.toISOString()],
  );
  return rows.map((row: { shop: string }) => row.shop);
}

/** Ids of a shop's OPEN reservations that expired before `before`, oldest first. */
export async function listExpiredReservationIds(client: PoolClient, { shop, before, limit }: { shop: string; before: Date; limit: number }): Promise<string[]> {
  const { rows } = await client.query(
    `select id from "LoyaltyReservation"
      where shop = $1 and status = 'OPEN' and "expiresAt" < $2::timestamptz at time zone 'UTC'
      order by "expiresAt", id limit $3`,
    [shop, before.toISOString(), limit],
  );
  return rows.map((row: { id: string }) => row.id);
}

/** Released reservations whose code may still exist in Shopify (CREATED, or PENDING: outcome unknown), ending after `cleanSince`. */
export async function listReservationsWithCodeToClean(
  client: PoolClient,
  { shop, cleanSince, limit }: { shop: string; cleanSince: Date; limit: number },
): Promise<ReservationRow[]> {
  const { rows } = await client.query(
    `select ${RESERVATION_COLUMNS} from "LoyaltyReservation"
      where shop = $1 and status = 'RELEASED' and "expiresAt" > $2::timestamptz at time zone 'UTC' and "codeStatus" in ('PENDING', 'CREATED')
      order by "expiresAt", id limit $3`,
    [shop, cleanSince.toISOString(), limit],
  );
  return rows;
}

/**
 * Records what became of a reservation's Shopify code, only if it is still in the state the caller
 * read (`fromStatus`), so a late writer never overwrites a newer outcome. Returns the row after, or null.
 */
export async function updateReservationCode(
  client: PoolClient,
  {
    shop,
    id,
    fromStatus,
    codeStatus,
    discountNodeGid,
    codeError,
  }: { shop: string; id: string; fromStatus: string; codeStatus: string; discountNodeGid?: string | null; codeError?: string | null },
): Promise<ReservationRow | null> {
  const { rows } = await client.query(
    `update "LoyaltyReservation" set "codeStatus" = $4,
            "discountNodeGid" = case when $5::boolean then $6 else "discountNodeGid" end,
            "codeError" = $7
      where shop = $1 and id = $2 and "codeStatus" = $3
      returning ${RESERVATION_COLUMNS}`,
    [shop, id, fromStatus, codeStatus, discountNodeGid !== undefined, discountNodeGid ?? null, codeError ?? null],
  );
  return rows[0] ?? null;
}

export type RedeemInOneStatementResult =
  | { status: "APPLIED" | "DUPLICATE"; entryId: string; balance: number }
  | { status: "INSUFFICIENT"; available: number; pending: number }
  | { status: "FALLBACK" };

export type RedeemInput = { shop: string; profileId: string; key: string; points: number; now: Date; source: string; channel: string | null; locationGid: string | null; staffName: string | null };

/**
 * Several redemptions in one statement and one transaction: wafa_redeem_points for each, in
 * wallet order (the order units lock wallets in, so concurrent batches and units cannot
 * deadlock), each with its own key, time and result. Results in input order.
 */
export async function redeemManyInOneStatement(client: Pick<PoolClient, "query">, inputs: RedeemInput[]): Promise<RedeemInOneStatementResult[]> {
  const { rows } = await client.query<{ ord: number; r: RedeemInOneStatementResult }>({
    name: "ledger-redeem-many",
    text: `select x.ord, wafa_redeem_points(x.shop, x.profile, x.key, x.points, x.at, x.source, x.channel::"Channel", x.location, x.staff) as r
             from (select * from json_to_recordset($1::json) as j(ord int, shop text, profile text, key text, points int, at timestamp(3),
                     source text, channel text, location text, staff text)
                   order by shop, profile, ord offset 0) x`,
    values: [JSON.stringify(inputs.map((input, ord) => ({
      ord, shop: input.shop, profile: input.profileId, key: input.key, points: input.points, at: input.now.toISOString().replace("Z", ""),
      source: input.source, channel: input.channel, location: input.locationGid, staff: input.staffName,
    })))],
  });
  const results: RedeemInOneStatementResult[] = new Array(inputs.length);
  for (const row of rows) results[row.ord] = row.r;
  return results;
}

/**
 * A REDEEM in one round trip (the wafa_redeem_points function, see its migration): the same rows
 * as runLedgerUnit would write, in the statement's own transaction. FALLBACK when the function
 * does not handle the case (no wallet yet, no program settings): the caller runs the unit.
 */
export async function redeemInOneStatement(
  client: Pick<PoolClient, "query">,
  input: RedeemInput,
): Promise<RedeemInOneStatementResult> {
  const { rows } = await client.query({
    name: "ledger-redeem-one-statement",
    text: `select wafa_redeem_points($1, $2, $3, $4, $5::timestamptz at time zone 'UTC', $6, $7::"Channel", $8, $9) as r`,
    values: [input.shop, input.profileId, input.key, input.points, input.now.toISOString(), input.source, input.channel, input.locationGid, input.staffName],
  });
  return rows[0].r as RedeemInOneStatementResult;
}
