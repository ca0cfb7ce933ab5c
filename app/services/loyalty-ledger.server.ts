/**
 * The database ledger. Every change of points goes through `runLedgerUnit`: in one transaction it
 * locks the wallets involved, loads the state the commands touch, applies them with the same
 * LedgerModel the property tests check (so the database follows exactly the reference rules),
 * and writes the result in one statement. Idempotency: keys already stored are DUPLICATE and
 * change nothing; two units racing on one key meet at the unique index and the loser retries.
 */
import type { PoolClient } from "pg";
import { pool } from "../db.server";
import { ConflictError, isDomainError, type DomainError } from "../domain/errors";
import {
  LedgerModel,
  type LedgerCommand,
  type LedgerEntry,
  type LedgerModelOptions,
  type LedgerSnapshot,
  type OrderState,
  type ReservationState,
} from "../domain/loyalty/ledger-model";
import { parseProgramSettings, type ProgramSettings, type SettingsVersion } from "../domain/loyalty/settings";
import type { Channel } from "../domain/loyalty/earn";
import {
  listEntriesAndOpenLots,
  listLotsById,
  listOrderEarns,
  listOrderEarnsOfWallets,
  listReservations,
  lockWallets,
  toStoredKeys,
  writeLedgerChanges,
  type EntryRow,
  type NewEntry,
  type OrderEarnRow,
  type ReservationRow,
  type StoredLot,
  type WalletRow,
} from "../models/ledger.server";

export type EntrySource = "ORDER" | "REFUND" | "CANCELLATION" | "RESERVATION" | "STAFF" | "JOB" | "PROFILE";

/** What an entry records beyond the command: where it came from. */
export interface EntryMeta {
  source: EntrySource;
  channel?: Channel | null;
  locationGid?: string | null;
  refundGid?: string | null;
  staffName?: string | null;
  details?: unknown;
}

/** A command with its provenance, and the extra columns of the rows it creates. */
export interface PlannedCommand {
  command: LedgerCommand;
  meta: EntryMeta;
  /** EARN: stored on the order's earn record. */
  earn?: { channel: Channel; locationGid: string | null; placedAt: Date };
  /** REVERSAL of a refund: the order's cumulative refunded eligible amount after it. */
  refundedEligibleMinor?: number;
  /** RESERVE: the reservation row's own columns. */
  reservation?: Omit<ReservationRow, "id" | "profileId" | "points" | "allocations" | "status" | "closedAt" | "closeReason" | "settledOrderGid" | "createdAt">;
  /** SETTLE: the order that used the reservation's code. */
  settledOrderGid?: string;
  /** RELEASE: why (EXPIRED, CANCELLED, CODE_FAILED…). */
  closeReason?: string;
  /**
   * An earlier command of the same plan this one was planned on top of: when that one is
   * rejected, this one is rejected with the same error instead of being applied on its own.
   */
  requires?: PlannedCommand;
}

export type CommandResult =
  | { status: "APPLIED" | "DUPLICATE"; entries: EntryRow[] }
  | { status: "REJECTED"; error: DomainError; entries: [] };

/** What `plan` sees: the locked wallets and the stored state the unit loaded. */
export interface LedgerState {
  shop: string;
  now: Date;
  wallets: Map<string, WalletRow>;
  orderEarns: Map<string, OrderEarnRow>;
  reservations: Map<string, ReservationRow>;
  settingsVersions: SettingsVersion[];
  latestSettings: ProgramSettings | null;
}

export interface LedgerTarget {
  /** Wallets commands credit or debit directly. */
  walletIds: string[];
  /** Orders whose earn records commands read (their wallets are locked too). */
  orderGids?: string[];
  /** Reservations commands settle or release (their wallets are locked too). */
  reservationIds?: string[];
}

export interface LedgerUnitInput {
  shop: string;
  now?: Date;
  /** Reads what the unit needs (inside the transaction, before any lock). */
  target: (client: PoolClient) => Promise<LedgerTarget>;
  /** Decides the commands once the wallets are locked and the state is loaded. */
  plan: (state: LedgerState, client: PoolClient) => PlannedCommand[] | Promise<PlannedCommand[]>;
  /** Runs first in the transaction (e.g. a shared lock on the shop's identity). */
  before?: (client: PoolClient) => Promise<void>;
  /** Runs last in the transaction, after the writes (e.g. advancing a cursor with them). */
  after?: (client: PoolClient, results: CommandResult[]) => Promise<void>;
}

const settingsCache = new Map<string, { latest: number | null; versions: SettingsVersion[] }>();

/**
 * The shop's settings versions, oldest first. Versions never change once saved, so the list is
 * cached per shop and reloaded only when `latestVersion` (read under the wallet lock) is newer.
 */
export async function loadSettingsVersions(client: PoolClient, shop: string, latestVersion?: number | null): Promise<SettingsVersion[]> {
  const cached = settingsCache.get(shop);
  if (cached && latestVersion !== undefined && cached.latest === latestVersion) return cached.versions;
  const { rows } = await client.query(
    `select version, "effectiveFrom" at time zone 'UTC' as "effectiveFrom", settings
       from "LoyaltySettingsVersion" where shop = $1 order by version`,
    [shop],
  );
  const versions = rows.map((row: { version: number; effectiveFrom: Date; settings: unknown }) => ({
    version: row.version,
    effectiveFrom: row.effectiveFrom,
    settings: parseProgramSettings(row.settings),
  }));
  settingsCache.set(shop, { latest: versions.at(-1)?.version ?? null, versions });
  return versions;
}

export function toModelOptions(settings: ProgramSettings | null): LedgerModelOptions {
  return {
    negativeBalancePolicy: settings?.negativeBalancePolicy ?? "RECORD_SHORTFALL",
    expiry: settings?.expiry ?? { kind: "NONE" },
  };
}

const CREDIT_ONLY = new Set(["EARN", "BONUS"]);

function walletsOf(command: LedgerCommand, state: LedgerState): string[] {
  switch (command.kind) {
    case "REVERSAL":
      return [state.orderEarns.get(command.orderId)?.profileId ?? ""].filter(Boolean);
    case "RELEASE":
    case "SETTLE":
      return [state.reservations.get(command.reservationId)?.profileId ?? ""].filter(Boolean);
    case "TRANSFER":
      return [command.fromWalletId, command.toWalletId];
    default:
      return [command.walletId];
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === "23505";
}

/**
 * Runs one unit of ledger work in its own transaction (see the module comment). Retries the whole
 * unit when an order or reservation moved wallets between reading and locking, or when a racing
 * unit stored the same key first; the retry then sees DUPLICATE.
 */
export async function runLedgerUnit(input: LedgerUnitInput): Promise<CommandResult[]> {
  for (let attempt = 0; ; attempt++) {
    const client = await pool.connect();
    let released = false;
    try {
      await client.query("begin");
      const outcome = await attemptUnit(client, input);
      if (outcome !== "RETRY") await input.after?.(client, outcome);
      if (outcome === "RETRY") {
        await client.query("rollback");
        if (attempt >= 5) throw new Error("The ledger could not lock a stable set of wallets; try again");
        continue;
      }
      await client.query("commit");
      return outcome;
    } catch (error) {
      await client.query("rollback").catch(() => {});
      if (isUniqueViolation(error) && attempt < 5) continue;
      if (!isUniqueViolation(error) && !isDomainError(error)) {
        // A connection in an unknown state is not given back to the pool.
        client.release(error as Error);
        released = true;
      }
      throw error;
    } finally {
      if (!released) client.release();
    }
  }
}

async function attemptUnit(client: PoolClient, input: LedgerUnitInput): Promise<CommandResult[] | "RETRY"> {
  const { shop } = input;
  const now = input.now ?? new Date();
  await input.before?.(client);
  const target = await input.target(client);
  const orderGids = [...new Set(target.orderGids ?? [])];
  const reservationIds = [...new Set(target.reservationIds ?? [])];
  // One connection runs one query at a time: these run in sequence.
  const earnsBefore = await listOrderEarns(client, { shop, orderGids });
  const reservationsBefore = reservationIds.length ? await listReservations(client, { shop, ids: reservationIds }) : [];
  const lockIds = new Set([
    ...target.walletIds,
    ...earnsBefore.map((earn) => earn.profileId),
    ...reservationsBefore.map((reservation) => reservation.profileId),
  ]);
  const { wallets, latestSettingsVersion } = await lockWallets(client, { shop, profileIds: [...lockIds] });
  // Re-read under the locks: a transfer moves earn records and reservations with their wallets.
  const earns = await listOrderEarns(client, { shop, orderGids });
  const reservationRows = reservationIds.length ? await listReservations(client, { shop, ids: reservationIds }) : [];
  const settingsVersions = await loadSettingsVersions(client, shop, wallets.size > 0 ? latestSettingsVersion : undefined);
  if (earns.some((earn) => !wallets.has(earn.profileId)) || reservationRows.some((r) => !wallets.has(r.profileId))) return "RETRY";

  const state: LedgerState = {
    shop,
    now,
    wallets,
    orderEarns: new Map(earns.map((earn) => [earn.orderGid, earn])),
    reservations: new Map(reservationRows.map((reservation) => [reservation.id, reservation])),
    settingsVersions,
    latestSettings: settingsVersions.at(-1)?.settings ?? null,
  };
  const planned = await input.plan(state, client);
  if (planned.length === 0) return [];
  for (const { command } of planned) {
    for (const walletId of walletsOf(command, state)) if (!wallets.has(walletId)) return "RETRY";
  }

  // Which wallets need their lots: any that is debited, released into, or moved (a superset when
  // some commands turn out to be duplicates; it saves a round trip).
  const lotWallets = new Set<string>();
  for (const { command } of planned) {
    const adjustmentCredit = command.kind === "ADJUSTMENT" && command.points > 0;
    if (!CREDIT_ONLY.has(command.kind) && !adjustmentCredit) for (const id of walletsOf(command, state)) lotWallets.add(id);
  }
  // Keys already stored (DUPLICATE, with the entries stored under them) and the lots, at once.
  const { entries: stored, lots: openLots } = await listEntriesAndOpenLots(client, {
    shop,
    keys: planned.flatMap(({ command }) => toStoredKeys(command.idempotencyKey)),
    profileIds: [...lotWallets],
  });
  const storedByKey = new Map<string, EntryRow[]>();
  for (const entry of stored) {
    const key = entry.idempotencyKey.replace(/:(out|in)$/, "");
    for (const candidate of [entry.idempotencyKey, key]) {
      if (!storedByKey.has(candidate)) storedByKey.set(candidate, []);
      storedByKey.get(candidate)!.push(entry);
    }
  }
  const fresh = planned.filter(({ command }) => !storedByKey.has(command.idempotencyKey));
  const transferSources = new Set<string>();
  const releaseLotIds: string[] = [];
  for (const { command } of fresh) {
    if (command.kind === "TRANSFER") transferSources.add(command.fromWalletId);
    if (command.kind === "RELEASE") {
      for (const allocation of state.reservations.get(command.reservationId)?.allocations ?? []) releaseLotIds.push(allocation.lotId);
    }
  }
  const releaseLots = await listLotsById(client, { shop, ids: releaseLotIds });
  const sourceEarns = await listOrderEarnsOfWallets(client, { shop, profileIds: [...transferSources] });
  const sourceReservations = transferSources.size ? await listReservations(client, { shop, profileIds: [...transferSources], openOnly: true }) : [];
  for (const earn of sourceEarns) if (!state.orderEarns.has(earn.orderGid)) state.orderEarns.set(earn.orderGid, earn);
  for (const reservation of sourceReservations) if (!state.reservations.has(reservation.id)) state.reservations.set(reservation.id, reservation);
  const lotsById = new Map<string, StoredLot>();
  for (const lot of [...openLots, ...releaseLots]) lotsById.set(lot.id, lot);

  // One model per group of wallets that commands connect (a transfer joins two), so each
  // command's copy-on-write works on a few wallets, not on the whole batch.
  const parent = new Map<string, string>();
  const find = (id: string): string => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(id, root);
    return root;
  };
  for (const id of wallets.keys()) parent.set(id, id);
  for (const { command } of fresh) {
    const ids = walletsOf(command, state);
    for (const id of ids.slice(1)) parent.set(find(id), find(ids[0]));
  }
  const options = toModelOptions(state.latestSettings);
  const models = new Map<string, LedgerModel>();
  const byWallet = indexState(state, lotsById);
  const groups = groupByWallet(wallets.keys(), find);
  const modelFor = (walletId: string): LedgerModel => {
    const root = find(walletId);
    let model = models.get(root);
    if (!model) {
      model = LedgerModel.restore(options, snapshotOfGroup(groups.get(root) ?? [walletId], state, byWallet));
      models.set(root, model);
    }
    return model;
  };

  const results: CommandResult[] = [];
  const earnedInUnit = new Set<string>();
  const appliedEntries: Array<{ entry: LedgerEntry; plan: PlannedCommand }> = [];
  for (const plan of planned) {
    const duplicate = storedByKey.get(plan.command.idempotencyKey);
    if (duplicate) {
      results.push({ status: "DUPLICATE", entries: duplicate });
      continue;
    }
    if (plan.requires) {
      const position = planned.indexOf(plan.requires);
      if (position < 0 || position >= results.length) throw new Error("A planned command can only require an earlier command of its plan");
      const required = results[position];
      if (required.status === "REJECTED") {
        results.push({ status: "REJECTED", error: required.error, entries: [] });
        continue;
      }
    }
    const walletIds = walletsOf(plan.command, state);
    if (walletIds.length === 0) {
      // A reversal of an order that never earned, or an unknown reservation: the model says which.
      const probe = LedgerModel.restore(options, { wallets: [], orders: [], reservations: [] });
      results.push(rejected(() => probe.apply(plan.command)));
      continue;
    }
    const model = modelFor(walletIds[0]);
    // An order earns once across the shop: its earn record may sit in another wallet's model.
    if (plan.command.kind === "EARN" && (state.orderEarns.has(plan.command.orderId) || earnedInUnit.has(plan.command.orderId))) {
      const orderId = plan.command.orderId;
      results.push({ status: "REJECTED", error: new ConflictError(`Order ${orderId} already earned`, { orderId }, "ORDER_ALREADY_EARNED"), entries: [] });
      continue;
    }
    try {
      const result = model.apply(plan.command);
      if (plan.command.kind === "EARN") earnedInUnit.add(plan.command.orderId);
      // A key repeated inside one batch is a duplicate of the first, as in the database.
      storedByKey.set(plan.command.idempotencyKey, []);
      for (const entry of result.entries) appliedEntries.push({ entry, plan });
      results.push({ status: result.status, entries: [] });
    } catch (error) {
      if (!isDomainError(error)) throw error;
      results.push({ status: "REJECTED", error, entries: [] });
    }
  }
  if (appliedEntries.length === 0) return results;

  const write = toWrite(state, models, lotsById, appliedEntries);
  const ids = await writeLedgerChanges(client, shop, write);
  // Hand the stored entries back in the order of the commands that produced them.
  let index = 0;
  const byPlan = new Map<PlannedCommand, EntryRow[]>();
  for (const { plan } of appliedEntries) {
    const entry = { id: ids[index], ...write.entries[index] } as EntryRow;
    index++;
    if (!byPlan.has(plan)) byPlan.set(plan, []);
    byPlan.get(plan)!.push(entry);
  }
  planned.forEach((plan, position) => {
    const entries = byPlan.get(plan);
    if (entries && results[position].status === "APPLIED") results[position] = { status: "APPLIED", entries };
  });
  return results;
}

function rejected(run: () => unknown): CommandResult {
  try {
    run();
  } catch (error) {
    if (isDomainError(error)) return { status: "REJECTED", error, entries: [] };
    throw error;
  }
  throw new Error("A command without a wallet was expected to be rejected");
}

function toModelLot(lot: StoredLot) {
  return {
    id: lot.id,
    points: lot.points,
    remainingPoints: lot.remainingPoints,
    earnedAt: lot.earnedAt,
    availableAt: lot.availableAt,
    expiresAt: lot.expiresAt,
  };
}

function toOrderState(earn: OrderEarnRow): OrderState {
  return {
    orderId: earn.orderGid,
    walletId: earn.profileId,
    earnedPoints: earn.earnedPoints,
    eligibleAmountMinor: earn.eligibleAmountMinor,
    settingsVersion: earn.settingsVersion,
    lotId: earn.lotId,
    reversedPoints: earn.reversedPoints,
  };
}

function toReservationState(reservation: ReservationRow): ReservationState {
  return {
    reservationId: reservation.id,
    walletId: reservation.profileId,
    points: reservation.points,
    allocations: reservation.allocations,
    status: reservation.status,
  };
}

/** The unit's loaded state grouped by wallet, built once so each group's snapshot is cheap. */
interface StateByWallet {
  lots: Map<string, StoredLot[]>;
  orders: Map<string, OrderEarnRow[]>;
  reservations: Map<string, ReservationRow[]>;
}

function groupByWallet<T>(rows: Iterable<T>, walletOf: (row: T) => string): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
  for (const row of rows) {
    const key = walletOf(row);
    if (!grouped.has(key)) grouped.set(key, []);
    grouped.get(key)!.push(row);
  }
  return grouped;
}

function indexState(state: LedgerState, lotsById: Map<string, StoredLot>): StateByWallet {
  return {
    lots: groupByWallet(lotsById.values(), (lot) => lot.profileId),
    orders: groupByWallet(state.orderEarns.values(), (earn) => earn.profileId),
    reservations: groupByWallet(state.reservations.values(), (reservation) => reservation.profileId),
  };
}

function snapshotOfGroup(walletIds: string[], state: LedgerState, byWallet: StateByWallet): LedgerSnapshot {
  return {
    wallets: walletIds.map((walletId) => {
      const wallet = state.wallets.get(walletId)!;
      const lots = byWallet.lots.get(walletId) ?? [];
      return {
        walletId,
        lots: lots.map(toModelLot),
        closedLotIds: lots.filter((lot) => lot.closedAt !== null).map((lot) => lot.id),
        debtPoints: wallet.debtPoints,
        lastActivityAt: wallet.lastActivityAt,
      };
    }),
    orders: walletIds.flatMap((walletId) => (byWallet.orders.get(walletId) ?? []).map(toOrderState)),
    reservations: walletIds.flatMap((walletId) => (byWallet.reservations.get(walletId) ?? []).map(toReservationState)),
  };
}

/** Turns the models' new state and entries into the rows to write. */
function toWrite(
  state: LedgerState,
  models: Map<string, LedgerModel>,
  lotsById: Map<string, StoredLot>,
  applied: Array<{ entry: LedgerEntry; plan: PlannedCommand }>,
) {
  const planByEntryKey = new Map(applied.map(({ entry, plan }) => [entry.idempotencyKey, plan]));
  // The plans behind each order's and reservation's changes, looked up once (batches hold hundreds).
  const refundPlanByOrder = new Map<string, PlannedCommand>();
  const earnPlanByOrder = new Map<string, PlannedCommand>();
  const closingByReservation = new Map<string, PlannedCommand>();
  const openingByReservation = new Map<string, PlannedCommand>();
  for (const { plan } of applied) {
    const command = plan.command;
    if (command.kind === "REVERSAL" && plan.refundedEligibleMinor !== undefined) refundPlanByOrder.set(command.orderId, plan);
    if (command.kind === "EARN") earnPlanByOrder.set(command.orderId, plan);
    if (command.kind === "SETTLE" || command.kind === "RELEASE") closingByReservation.set(command.reservationId, plan);
    if (command.kind === "RESERVE") openingByReservation.set(command.reservationId, plan);
  }
  const lots: StoredLot[] = [];
  const orderEarns: OrderEarnRow[] = [];
  const reservations: ReservationRow[] = [];
  const touchedWallets = new Set(applied.map(({ entry }) => entry.walletId));
  const debt = new Map<string, number>();
  const activity = new Map<string, Date | null>();
  const reservationPoints = new Map<string, number>();

  for (const model of models.values()) {
    const snapshot = model.snapshot();
    for (const wallet of snapshot.wallets) {
      debt.set(wallet.walletId, wallet.debtPoints);
      activity.set(wallet.walletId, wallet.lastActivityAt);
      const closed = new Set(wallet.closedLotIds);
      for (const lot of wallet.lots) {
        const before = lotsById.get(lot.id);
        const closedAt = before?.closedAt ?? (closed.has(lot.id) ? state.now : null);
        const changed =
          !before || before.remainingPoints !== lot.remainingPoints || before.profileId !== wallet.walletId || before.closedAt !== closedAt;
        if (!changed) continue;
        const plan = planByEntryKey.get(lot.id);
        lots.push({
          ...lot,
          profileId: wallet.walletId,
          closedAt,
          orderGid: before?.orderGid ?? (plan?.command.kind === "EARN" ? plan.command.orderId : null),
        });
      }
    }
    for (const order of snapshot.orders) {
      const before = state.orderEarns.get(order.orderId);
      const refunded = refundPlanByOrder.get(order.orderId)?.refundedEligibleMinor ?? before?.refundedEligibleMinor ?? 0;
      if (before && before.profileId === order.walletId && before.reversedPoints === order.reversedPoints && before.refundedEligibleMinor === refunded) continue;
      const earnPlan = earnPlanByOrder.get(order.orderId);
      const origin = before ?? (earnPlan?.earn ? { ...earnPlan.earn } : null);
      if (!origin) throw new Error(`Earn record of ${order.orderId} has no origin`);
      orderEarns.push({
        orderGid: order.orderId,
        profileId: order.walletId,
        earnedPoints: order.earnedPoints,
        eligibleAmountMinor: order.eligibleAmountMinor,
        refundedEligibleMinor: refunded,
        reversedPoints: order.reversedPoints,
        settingsVersion: order.settingsVersion,
        lotId: order.lotId,
        channel: origin.channel,
        locationGid: origin.locationGid,
        placedAt: origin.placedAt,
      });
    }
    for (const reservation of snapshot.reservations) {
      reservationPoints.set(reservation.reservationId, reservation.points);
      const before = state.reservations.get(reservation.reservationId);
      if (before && before.status === reservation.status && before.profileId === reservation.walletId) continue;
      const closing = closingByReservation.get(reservation.reservationId);
      const opening = openingByReservation.get(reservation.reservationId);
      const base = before ?? (opening?.reservation ? { ...opening.reservation, createdAt: state.now } : null);
      if (!base) throw new Error(`Reservation ${reservation.reservationId} has no origin`);
      reservations.push({
        ...(base as ReservationRow),
        id: reservation.reservationId,
        profileId: reservation.walletId,
        points: reservation.points,
        allocations: reservation.allocations,
        status: reservation.status,
        closedAt: reservation.status === "OPEN" ? null : (before?.closedAt ?? state.now),
        closeReason: closing?.closeReason ?? (closing?.command.kind === "SETTLE" ? "SETTLED" : (before?.closeReason ?? null)),
        settledOrderGid: closing?.settledOrderGid ?? before?.settledOrderGid ?? null,
      });
    }
  }

  const balance = new Map<string, number>();
  const held = new Map<string, number>();
  for (const walletId of touchedWallets) {
    const row = state.wallets.get(walletId)!;
    balance.set(walletId, row.balancePoints);
    held.set(walletId, row.heldPoints);
  }
  const entries: NewEntry[] = applied.map(({ entry, plan }) => {
    const after = balance.get(entry.walletId)! + entry.points;
    balance.set(entry.walletId, after);
    if (entry.kind === "RESERVE") held.set(entry.walletId, held.get(entry.walletId)! - entry.points);
    if (entry.kind === "SETTLE" || entry.kind === "RELEASE") {
      held.set(entry.walletId, held.get(entry.walletId)! - reservationPoints.get(entry.reservationId!)!);
    }
    return {
      profileId: entry.walletId,
      idempotencyKey: entry.idempotencyKey,
      kind: entry.kind,
      points: entry.points,
      balanceAfter: after,
      occurredAt: entry.occurredAt,
      source: plan.meta.source,
      channel: plan.meta.channel ?? null,
      locationGid: plan.meta.locationGid ?? null,
      orderGid: entry.orderId,
      refundGid: plan.meta.refundGid ?? null,
      reservationId: entry.reservationId,
      transferId: entry.transferId,
      lotAllocations: entry.lotAllocations,
      shortfallPoints: entry.shortfallPoints,
      debtRepaidPoints: entry.debtRepaidPoints,
      expiredPoints: entry.expiredPoints,
      movedOrderGids: entry.movedOrderIds,
      reason: entry.reason,
      staffId: entry.staffId,
      staffName: plan.meta.staffName ?? null,
      settingsVersion: entry.settingsVersion,
      details: plan.meta.details ?? null,
    };
  });
  const wallets = [...touchedWallets].map((walletId) => ({
    profileId: walletId,
    balancePoints: balance.get(walletId)!,
    debtPoints: debt.get(walletId) ?? state.wallets.get(walletId)!.debtPoints,
    heldPoints: held.get(walletId)!,
    lastActivityAt: activity.get(walletId) ?? state.wallets.get(walletId)!.lastActivityAt,
  }));
  return { entries, lots, orderEarns, reservations, wallets };
}
