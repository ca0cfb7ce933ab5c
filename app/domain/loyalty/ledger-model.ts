/**
 * Pure in-memory reference model of a shop's points ledger: the oracle the database-backed ledger
 * is tested against. Every rule the services must follow is decided here, once:
 *
 * - Append-only: a command appends entries; nothing is edited. A wallet's balance is the sum of its
 *   entries' signed `points`, and always equals (points left in its lots) - (its debt).
 * - Idempotency keys are unique per shop. Applying a command whose key was already applied changes
 *   nothing and returns the original entries with status DUPLICATE, whatever the new payload says
 *   (as an INSERT ... ON CONFLICT DO NOTHING would). A rejected command (thrown error) changes
 *   nothing and does not consume its key.
 * - An order earns at most once (a second EARN for it under another key is ORDER_ALREADY_EARNED).
 *   Reversals of an order, summed, never exceed its earn (else REVERSAL_EXCEEDS_EARN).
 * - Spending (REDEEM, RESERVE) uses only spendable points (not pending, not expired) and throws
 *   INSUFFICIENT_POINTS otherwise, whatever the policy. Clawbacks (REVERSAL) take the order's own
 *   lot first, then any lot (pending included); when points were already spent, RECORD_SHORTFALL
 *   debits what is there and records the rest as `shortfallPoints` (balance never below zero),
 *   ALLOW_NEGATIVE debits everything and the wallet carries a debt that later credits repay first.
 *   A negative ADJUSTMENT is strict under RECORD_SHORTFALL (INSUFFICIENT_POINTS) and may go
 *   negative under ALLOW_NEGATIVE.
 * - RESERVE holds points (-n), then exactly one of SETTLE (0: the hold becomes the spend) or
 *   RELEASE (+n back into the same lots; points whose lot was written off meanwhile stay expired,
 *   reported as `expiredPoints`). A second outcome is RESERVATION_CLOSED.
 * - EXPIRY writes off what is left in one lot, once its expiry (or the wallet's inactivity
 *   deadline) has passed; the lot is then closed for good.
 * - TRANSFER (profile merge or split) moves lots with their dates, the orders' earn records and
 *   (whole-wallet transfers) the debt, as a TRANSFER_OUT / TRANSFER_IN pair summing to zero.
 */
import { ConflictError, NotFoundError, ValidationError } from "../errors";
import {
  allocateDebit,
  applyAllocations,
  computeInactivityExpiresAt,
  computeLotBalances,
  type Lot,
  type LotAllocation,
  type LotClock,
} from "./lots";
import type { ExpiryPolicy, NegativeBalancePolicy } from "./settings";

export const ENTRY_KINDS = [
  "EARN",
  "BONUS",
  "REDEEM",
  "REVERSAL",
  "ADJUSTMENT",
  "EXPIRY",
  "RESERVE",
  "RELEASE",
  "SETTLE",
  "TRANSFER_OUT",
  "TRANSFER_IN",
] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/**
 * Entries that count as customer activity for expiry by inactivity (automatic bonuses and staff
 * adjustments do not). A wallet with no activity yet counts from its first entry.
 */
export const ACTIVITY_ENTRY_KINDS: ReadonlySet<EntryKind> = new Set<EntryKind>(["EARN", "REDEEM", "RESERVE", "SETTLE"]);

export interface LedgerEntry {
  /** 1-based position in the shop's ledger. */
  seq: number;
  walletId: string;
  idempotencyKey: string;
  kind: EntryKind;
  /** Signed change of the wallet's balance. */
  points: number;
  occurredAt: Date;
  orderId: string | null;
  reservationId: string | null;
  transferId: string | null;
  /** Credits: the lot created (if any). Debits: the lots taken from. RELEASE: the lots restored. */
  lotAllocations: LotAllocation[];
  /** RECORD_SHORTFALL: points a clawback could not take because they were already spent. */
  shortfallPoints: number;
  /** Credits: points that repaid a negative balance instead of going into the lot. */
  debtRepaidPoints: number;
  /** RELEASE: held points not returned because their lot was written off while reserved. */
  expiredPoints: number;
  /** TRANSFER_*: the orders whose earn records moved. */
  movedOrderIds: string[];
  reason: string | null;
  staffId: string | null;
  settingsVersion: number | null;
}

interface CommandBase {
  idempotencyKey: string;
  at: Date;
}

export type LedgerCommand =
  | (CommandBase & {
      kind: "EARN";
      walletId: string;
      orderId: string;
      /** From computeOrderEarn; 0 is allowed and still records that the order earned. */
      points: number;
      eligibleAmountMinor: number;
      settingsVersion: number;
      availableAt: Date;
      expiresAt: Date | null;
    })
  | (CommandBase & {
      kind: "BONUS";
      walletId: string;
      points: number;
      reason: string;
      /** Default: available at `at`. */
      availableAt?: Date;
      /** Default: never. */
      expiresAt?: Date | null;
    })
  | (CommandBase & {
      kind: "ADJUSTMENT";
      walletId: string;
      /** Non-zero; positive credits a lot, negative debits. */
      points: number;
      reason: string;
      staffId: string;
      availableAt?: Date;
      expiresAt?: Date | null;
    })
  | (CommandBase & { kind: "REDEEM"; walletId: string; points: number })
  | (CommandBase & { kind: "REVERSAL"; orderId: string; points: number; reason?: string })
  | (CommandBase & { kind: "EXPIRY"; walletId: string; lotId: string; reason: "LOT_EXPIRED" | "INACTIVITY" })
  | (CommandBase & { kind: "RESERVE"; walletId: string; reservationId: string; points: number })
  | (CommandBase & { kind: "RELEASE"; reservationId: string })
  | (CommandBase & { kind: "SETTLE"; reservationId: string })
  | (CommandBase & {
      kind: "TRANSFER";
      transferId: string;
      fromWalletId: string;
      toWalletId: string;
      /** Partial transfer (split): only these lots and orders. Omit both to move the whole wallet. */
      lotIds?: string[];
      orderIds?: string[];
    });

export type EarnCommand = Extract<LedgerCommand, { kind: "EARN" }>;

export interface ApplyResult {
  status: "APPLIED" | "DUPLICATE";
  entries: LedgerEntry[];
}

/** What the ledger knows of an order's earn and its clawbacks. */
export interface OrderState {
  orderId: string;
  /** The wallet holding the order now (moves with transfers). */
  walletId: string;
  earnedPoints: number;
  eligibleAmountMinor: number;
  settingsVersion: number;
  /** The lot the earn created, or null for a 0-point earn or one that only repaid debt. */
  lotId: string | null;
  /** Clawback owed so far (debited + shortfall); never more than earnedPoints. */
  reversedPoints: number;
}

export interface ReservationState {
  reservationId: string;
  walletId: string;
  points: number;
  allocations: LotAllocation[];
  status: "OPEN" | "SETTLED" | "RELEASED";
}

interface WalletState {
  lots: Lot[];
  closedLotIds: string[];
  debtPoints: number;
  lastActivityAt: Date | null;
}

interface ModelState {
  entries: LedgerEntry[];
  entriesByKey: Map<string, number[]>;
  wallets: Map<string, WalletState>;
  orders: Map<string, OrderState>;
  reservations: Map<string, ReservationState>;
}

export interface LedgerModelOptions {
  negativeBalancePolicy: NegativeBalancePolicy;
  /** Used for spendability and INACTIVITY expiry; lot expiry dates come with each credit. */
  expiry?: ExpiryPolicy;
}

function requirePoints(points: number, { allowZero = false, allowNegative = false } = {}): void {
  const ok =
    Number.isSafeInteger(points) && (points > 0 || (allowZero && points === 0) || (allowNegative && points < 0));
  if (!ok) throw new ValidationError({ points: ["Invalid number of points"] });
}

/**
 * The state a ledger needs to apply commands to some wallets: their lots (open ones, plus any a
 * command names), debts and activity, the earn records and reservations the commands refer to.
 * The database ledger loads this for the wallets it has locked, applies commands, writes the diff.
 */
export interface LedgerSnapshot {
  wallets: Array<{ walletId: string; lots: Lot[]; closedLotIds: string[]; debtPoints: number; lastActivityAt: Date | null }>;
  orders: OrderState[];
  reservations: ReservationState[];
}

/** The reference ledger of one shop; see the module comment for the exact semantics. */
export class LedgerModel {
  readonly options: Required<LedgerModelOptions>;
  private state: ModelState = {
    entries: [],
    entriesByKey: new Map(),
    wallets: new Map(),
    orders: new Map(),
    reservations: new Map(),
  };

  constructor(options: LedgerModelOptions) {
    this.options = { expiry: { kind: "NONE" }, ...options };
  }

  /**
   * Applies one command atomically: either every entry it produces is appended, or (on a thrown
   * DomainError) nothing changes. A key seen before returns its original entries as DUPLICATE.
   */
  apply(input: LedgerCommand): ApplyResult {
    const command = structuredClone(input); // the caller may reuse or mutate its objects (Dates, arrays)
    if (typeof command.idempotencyKey !== "string" || command.idempotencyKey.length === 0) {
      throw new ValidationError({ idempotencyKey: ["Required"] });
    }
    if (!(command.at instanceof Date) || Number.isNaN(command.at.getTime())) {
      throw new ValidationError({ at: ["Must be a valid date"] });
    }
    const seen = this.state.entriesByKey.get(command.idempotencyKey);
    if (seen) return { status: "DUPLICATE", entries: seen.map((index) => structuredClone(this.state.entries[index])) };
    // Entries are never mutated once appended, so the draft shares them; the mutable parts are copied.
    const draft: ModelState = {
      entries: [...this.state.entries],
      entriesByKey: new Map(this.state.entriesByKey),
      wallets: structuredClone(this.state.wallets),
      orders: structuredClone(this.state.orders),
      reservations: structuredClone(this.state.reservations),
    };
    const entries = new Transaction(draft, this.options).run(command);
    const indexes = entries.map((entry) => entry.seq - 1);
    for (const key of new Set([command.idempotencyKey, ...entries.map((entry) => entry.idempotencyKey)])) {
      draft.entriesByKey.set(key, indexes);
    }
    this.state = draft;
    return { status: "APPLIED", entries: structuredClone(entries) };
  }

  /**
   * A model holding stored state instead of starting empty. Its entry list starts empty: keys
   * applied before the snapshot are the caller's to check (the database's unique index does).
   */
  static restore(options: LedgerModelOptions, snapshot: LedgerSnapshot): LedgerModel {
    const model = new LedgerModel(options);
    const copy = structuredClone(snapshot);
    for (const { walletId, ...wallet } of copy.wallets) model.state.wallets.set(walletId, wallet);
    for (const order of copy.orders) model.state.orders.set(order.orderId, order);
    for (const reservation of copy.reservations) model.state.reservations.set(reservation.reservationId, reservation);
    return model;
  }

  /** The current state of every wallet, earn record and reservation the model holds (copies). */
  snapshot(): LedgerSnapshot {
    return structuredClone({
      wallets: [...this.state.wallets].map(([walletId, wallet]) => ({ walletId, ...wallet })),
      orders: [...this.state.orders.values()],
      reservations: [...this.state.reservations.values()],
    });
  }

  /** Balance of a wallet: the sum of its entries (0 for an unknown wallet). */
  getBalance(walletId: string): number {
    let balance = 0;
    for (const entry of this.state.entries) if (entry.walletId === walletId) balance += entry.points;
    return balance;
  }

  /** Available/pending/expired split of a wallet's lots at `now`; nothing is available while in debt. */
  computeBalances(walletId: string, now: Date): ReturnType<typeof computeLotBalances> & { debtPoints: number; heldPoints: number } {
    const wallet = this.state.wallets.get(walletId);
    const held = this.listReservations(walletId)
      .filter((reservation) => reservation.status === "OPEN")
      .reduce((sum, reservation) => sum + reservation.points, 0);
    if (!wallet) return { availablePoints: 0, pendingPoints: 0, expiredPoints: 0, totalPoints: 0, debtPoints: 0, heldPoints: 0 };
    const balances = computeLotBalances(wallet.lots, clockFor(wallet, now, this.options.expiry));
    return { ...balances, debtPoints: wallet.debtPoints, heldPoints: held };
  }

  /** Entries in ledger order, of one wallet or of the whole shop. */
  listEntries(walletId?: string): LedgerEntry[] {
    return structuredClone(this.state.entries.filter((entry) => walletId === undefined || entry.walletId === walletId));
  }

  /** Lots of a wallet (copies), closed ones included with remainingPoints 0. */
  listLots(walletId: string): Lot[] {
    return structuredClone(this.state.wallets.get(walletId)?.lots ?? []);
  }

  /** Every wallet the ledger has touched, in order of first use. */
  listWalletIds(): string[] {
    return [...this.state.wallets.keys()];
  }

  /** Points owed by a wallet under ALLOW_NEGATIVE (always 0 under RECORD_SHORTFALL); balance = lots - debt. */
  getDebt(walletId: string): number {
    return this.state.wallets.get(walletId)?.debtPoints ?? 0;
  }

  /** Latest customer activity (ACTIVITY_ENTRY_KINDS, else the first entry): the start of the inactivity clock. */
  getLastActivityAt(walletId: string): Date | null {
    const at = this.state.wallets.get(walletId)?.lastActivityAt;
    return at ? new Date(at) : null;
  }

  /** The earn record of an order and how much of it was clawed back, or null if it never earned. */
  getOrder(orderId: string): OrderState | null {
    const order = this.state.orders.get(orderId);
    return order ? { ...order } : null;
  }

  /** Earn records of every order of the shop. */
  listOrders(): OrderState[] {
    return [...this.state.orders.values()].map((order) => ({ ...order }));
  }

  /** A reservation and its outcome, or null if it was never made. */
  getReservation(reservationId: string): ReservationState | null {
    const reservation = this.state.reservations.get(reservationId);
    return reservation ? structuredClone(reservation) : null;
  }

  /** Reservations of one wallet or of the whole shop, open and closed. */
  listReservations(walletId?: string): ReservationState[] {
    return structuredClone(
      [...this.state.reservations.values()].filter((r) => walletId === undefined || r.walletId === walletId),
    );
  }
}

function clockFor(wallet: WalletState, now: Date, expiry: ExpiryPolicy): LotClock {
  return { now, inactivityExpiresAt: computeInactivityExpiresAt(wallet.lastActivityAt, expiry) };
}

/** Applies one command to a draft state; throwing leaves the caller's real state untouched. */
class Transaction {
  private readonly produced: LedgerEntry[] = [];

  constructor(
    private readonly state: ModelState,
    private readonly options: Required<LedgerModelOptions>,
  ) {}

  run(command: LedgerCommand): LedgerEntry[] {
    switch (command.kind) {
      case "EARN":
        return this.earn(command);
      case "BONUS":
        requirePoints(command.points);
        this.credit(command.walletId, command, "BONUS", command.points, {
          reason: command.reason,
          availableAt: command.availableAt ?? command.at,
          expiresAt: command.expiresAt ?? null,
        });
        return this.produced;
      case "ADJUSTMENT":
        return this.adjust(command);
      case "REDEEM":
        return this.redeem(command);
      case "REVERSAL":
        return this.reverse(command);
      case "EXPIRY":
        return this.expire(command);
      case "RESERVE":
        return this.reserve(command);
      case "RELEASE":
      case "SETTLE":
        return this.close(command);
      case "TRANSFER":
        return this.transfer(command);
    }
  }

  private wallet(walletId: string): WalletState {
    if (typeof walletId !== "string" || walletId.length === 0) throw new ValidationError({ walletId: ["Required"] });
    let wallet = this.state.wallets.get(walletId);
    if (!wallet) {
      wallet = { lots: [], closedLotIds: [], debtPoints: 0, lastActivityAt: null };
      this.state.wallets.set(walletId, wallet);
    }
    return wallet;
  }

  private append(
    walletId: string,
    command: LedgerCommand,
    kind: EntryKind,
    points: number,
    fields: Partial<LedgerEntry> = {},
  ): LedgerEntry {
    const entry: LedgerEntry = {
      seq: this.state.entries.length + 1,
      walletId,
      idempotencyKey: command.idempotencyKey,
      kind,
      points,
      occurredAt: command.at,
      orderId: null,
      reservationId: null,
      transferId: null,
      lotAllocations: [],
      shortfallPoints: 0,
      debtRepaidPoints: 0,
      expiredPoints: 0,
      movedOrderIds: [],
      reason: null,
      staffId: null,
      settingsVersion: null,
      ...fields,
    };
    this.state.entries.push(entry);
    this.produced.push(entry);
    const wallet = this.wallet(walletId);
    if (ACTIVITY_ENTRY_KINDS.has(kind) || wallet.lastActivityAt === null) {
      if (!wallet.lastActivityAt || wallet.lastActivityAt.getTime() < command.at.getTime()) {
        wallet.lastActivityAt = command.at;
      }
    }
    return entry;
  }

  /** Credits `points` as a new lot (id = the idempotency key) after repaying any debt. */
  private credit(
    walletId: string,
    command: LedgerCommand,
    kind: EntryKind,
    points: number,
    lot: { availableAt: Date; expiresAt: Date | null } & Partial<LedgerEntry>,
  ): LedgerEntry {
    const { availableAt, expiresAt, ...fields } = lot;
    const wallet = this.wallet(walletId);
    const repaid = Math.min(wallet.debtPoints, points);
    wallet.debtPoints -= repaid;
    const lotPoints = points - repaid;
    const allocations: LotAllocation[] = [];
    if (lotPoints > 0) {
      wallet.lots.push({
        id: command.idempotencyKey,
        points: lotPoints,
        remainingPoints: lotPoints,
        earnedAt: command.at,
        availableAt,
        expiresAt,
      });
      allocations.push({ lotId: command.idempotencyKey, points: lotPoints });
    }
    return this.append(walletId, command, kind, points, { ...fields, lotAllocations: allocations, debtRepaidPoints: repaid });
  }

  /** Takes `points` from the wallet's lots; what lots cannot cover becomes shortfall or debt per policy. */
  private debit(
    walletId: string,
    points: number,
    at: Date,
    mode: { scope: "AVAILABLE" | "ALL"; preferLotId?: string; strict: boolean },
  ): { allocations: LotAllocation[]; debitedPoints: number; shortfallPoints: number } {
    const wallet = this.wallet(walletId);
    const clock = clockFor(wallet, at, this.options.expiry);
    const { allocations, shortfallPoints } = allocateDebit(wallet.lots, points, {
      ...clock,
      scope: mode.scope,
      preferLotId: mode.preferLotId,
      allowShortfall: !mode.strict,
    });
    wallet.lots = applyAllocations(wallet.lots, allocations, -1);
    if (shortfallPoints > 0 && this.options.negativeBalancePolicy === "ALLOW_NEGATIVE") {
      wallet.debtPoints += shortfallPoints;
      return { allocations, debitedPoints: points, shortfallPoints: 0 };
    }
    return { allocations, debitedPoints: points - shortfallPoints, shortfallPoints };
  }

  private earn(command: Extract<LedgerCommand, { kind: "EARN" }>): LedgerEntry[] {
    requirePoints(command.points, { allowZero: true });
    if (!Number.isSafeInteger(command.eligibleAmountMinor) || command.eligibleAmountMinor < 0) {
      throw new ValidationError({ eligibleAmountMinor: ["Must be a non-negative integer"] });
    }
    if (this.state.orders.has(command.orderId)) {
      throw new ConflictError(`Order ${command.orderId} already earned`, { orderId: command.orderId }, "ORDER_ALREADY_EARNED");
    }
    const entry = this.credit(command.walletId, command, "EARN", command.points, {
      availableAt: command.availableAt,
      expiresAt: command.expiresAt,
      orderId: command.orderId,
      settingsVersion: command.settingsVersion,
    });
    this.state.orders.set(command.orderId, {
      orderId: command.orderId,
      walletId: command.walletId,
      earnedPoints: command.points,
      eligibleAmountMinor: command.eligibleAmountMinor,
      settingsVersion: command.settingsVersion,
      lotId: entry.lotAllocations[0]?.lotId ?? null,
      reversedPoints: 0,
    });
    return this.produced;
  }

  private adjust(command: Extract<LedgerCommand, { kind: "ADJUSTMENT" }>): LedgerEntry[] {
    requirePoints(command.points, { allowNegative: true });
    if (!command.reason?.trim()) throw new ValidationError({ reason: ["Required"] });
    if (!command.staffId?.trim()) throw new ValidationError({ staffId: ["Required"] });
    const audit = { reason: command.reason, staffId: command.staffId };
    if (command.points > 0) {
      this.credit(command.walletId, command, "ADJUSTMENT", command.points, {
        ...audit,
        availableAt: command.availableAt ?? command.at,
        expiresAt: command.expiresAt ?? null,
      });
    } else {
      const strict = this.options.negativeBalancePolicy === "RECORD_SHORTFALL";
      const debit = this.debit(command.walletId, -command.points, command.at, { scope: "ALL", strict });
      this.append(command.walletId, command, "ADJUSTMENT", -debit.debitedPoints, { ...audit, lotAllocations: debit.allocations });
    }
    return this.produced;
  }

  private redeem(command: Extract<LedgerCommand, { kind: "REDEEM" }>): LedgerEntry[] {
    requirePoints(command.points);
    const debit = this.debit(command.walletId, command.points, command.at, { scope: "AVAILABLE", strict: true });
    this.append(command.walletId, command, "REDEEM", -debit.debitedPoints, { lotAllocations: debit.allocations });
    return this.produced;
  }

  private reverse(command: Extract<LedgerCommand, { kind: "REVERSAL" }>): LedgerEntry[] {
    requirePoints(command.points);
    const order = this.state.orders.get(command.orderId);
    if (!order) throw new NotFoundError("Order earn", command.orderId);
    if (order.reversedPoints + command.points > order.earnedPoints) {
      throw new ConflictError(
        `Reversing ${command.points} points would exceed the ${order.earnedPoints - order.reversedPoints} left of order ${order.orderId}'s earn`,
        { orderId: order.orderId, earnedPoints: order.earnedPoints, reversedPoints: order.reversedPoints },
        "REVERSAL_EXCEEDS_EARN",
      );
    }
    const debit = this.debit(order.walletId, command.points, command.at, {
      scope: "ALL",
      preferLotId: order.lotId ?? undefined,
      strict: false,
    });
    order.reversedPoints += command.points;
    this.append(order.walletId, command, "REVERSAL", -debit.debitedPoints, {
      orderId: order.orderId,
      lotAllocations: debit.allocations,
      shortfallPoints: debit.shortfallPoints,
      settingsVersion: order.settingsVersion,
      reason: command.reason ?? null,
    });
    return this.produced;
  }

  private expire(command: Extract<LedgerCommand, { kind: "EXPIRY" }>): LedgerEntry[] {
    const wallet = this.wallet(command.walletId);
    const lot = wallet.lots.find((candidate) => candidate.id === command.lotId);
    if (!lot) throw new NotFoundError("Lot", command.lotId);
    const deadline =
      command.reason === "LOT_EXPIRED"
        ? lot.expiresAt
        : computeInactivityExpiresAt(wallet.lastActivityAt, this.options.expiry);
    if (!deadline || deadline.getTime() > command.at.getTime()) {
      throw new ConflictError(`Lot ${lot.id} has not expired at ${command.at.toISOString()}`, { lotId: lot.id });
    }
    if (lot.remainingPoints === 0) throw new ConflictError(`Lot ${lot.id} has nothing left to expire`, { lotId: lot.id });
    const allocation = { lotId: lot.id, points: lot.remainingPoints };
    wallet.lots = applyAllocations(wallet.lots, [allocation], -1);
    wallet.closedLotIds.push(lot.id);
    this.append(command.walletId, command, "EXPIRY", -allocation.points, {
      lotAllocations: [allocation],
      reason: command.reason,
    });
    return this.produced;
  }

  private reserve(command: Extract<LedgerCommand, { kind: "RESERVE" }>): LedgerEntry[] {
    requirePoints(command.points);
    if (!command.reservationId) throw new ValidationError({ reservationId: ["Required"] });
    if (this.state.reservations.has(command.reservationId)) {
      throw new ConflictError(`Reservation ${command.reservationId} already exists`, { reservationId: command.reservationId });
    }
    const debit = this.debit(command.walletId, command.points, command.at, { scope: "AVAILABLE", strict: true });
    this.state.reservations.set(command.reservationId, {
      reservationId: command.reservationId,
      walletId: command.walletId,
      points: command.points,
      allocations: debit.allocations,
      status: "OPEN",
    });
    this.append(command.walletId, command, "RESERVE", -command.points, {
      reservationId: command.reservationId,
      lotAllocations: debit.allocations,
    });
    return this.produced;
  }

  private close(command: Extract<LedgerCommand, { kind: "RELEASE" | "SETTLE" }>): LedgerEntry[] {
    const reservation = this.state.reservations.get(command.reservationId);
    if (!reservation) throw new NotFoundError("Reservation", command.reservationId);
    if (reservation.status !== "OPEN") {
      throw new ConflictError(
        `Reservation ${reservation.reservationId} is already ${reservation.status.toLowerCase()}`,
        { reservationId: reservation.reservationId, status: reservation.status },
        "RESERVATION_CLOSED",
      );
    }
    if (command.kind === "SETTLE") {
      reservation.status = "SETTLED";
      this.append(reservation.walletId, command, "SETTLE", 0, {
        reservationId: reservation.reservationId,
        lotAllocations: reservation.allocations,
      });
      return this.produced;
    }
    reservation.status = "RELEASED";
    const wallet = this.wallet(reservation.walletId);
    const restorable = reservation.allocations.filter((allocation) => !wallet.closedLotIds.includes(allocation.lotId));
    const restored = restorable.reduce((sum, allocation) => sum + allocation.points, 0);
    wallet.lots = applyAllocations(wallet.lots, restorable, 1);
    this.repayDebtFromLots(wallet, command.at);
    this.append(reservation.walletId, command, "RELEASE", restored, {
      reservationId: reservation.reservationId,
      lotAllocations: restorable,
      expiredPoints: reservation.points - restored,
    });
    return this.produced;
  }

  /** Keeps the invariant "a wallet in debt has no points in lots" after points come back or move in. */
  private repayDebtFromLots(wallet: WalletState, at: Date): void {
    if (wallet.debtPoints === 0) return;
    const total = wallet.lots.reduce((sum, lot) => sum + lot.remainingPoints, 0);
    const repay = Math.min(total, wallet.debtPoints);
    const { allocations } = allocateDebit(wallet.lots, repay, { now: at, scope: "ALL" });
    wallet.lots = applyAllocations(wallet.lots, allocations, -1);
    wallet.debtPoints -= repay;
  }

  private transfer(command: Extract<LedgerCommand, { kind: "TRANSFER" }>): LedgerEntry[] {
    if (command.fromWalletId === command.toWalletId) {
      throw new ValidationError({ toWalletId: ["Must differ from the source wallet"] });
    }
    const from = this.wallet(command.fromWalletId);
    const to = this.wallet(command.toWalletId);
    const open = [...this.state.reservations.values()].some(
      (reservation) => reservation.walletId === command.fromWalletId && reservation.status === "OPEN",
    );
    if (open) {
      throw new ConflictError("Settle or release the wallet's open reservations before moving it", {
        walletId: command.fromWalletId,
      });
    }
    const whole = command.lotIds === undefined && command.orderIds === undefined;
    const lotIds = new Set(command.lotIds ?? []);
    const moving = from.lots.filter(
      (lot) => lot.remainingPoints > 0 && !from.closedLotIds.includes(lot.id) && (whole || lotIds.has(lot.id)),
    );
    for (const id of lotIds) {
      if (!from.lots.some((lot) => lot.id === id)) throw new NotFoundError("Lot", id);
    }
    const orderIds = new Set(command.orderIds ?? []);
    const movingOrders = [...this.state.orders.values()].filter(
      (order) => order.walletId === command.fromWalletId && (whole || orderIds.has(order.orderId)),
    );
    for (const id of orderIds) {
      if (this.state.orders.get(id)?.walletId !== command.fromWalletId) throw new NotFoundError("Order earn", id);
    }
    const debt = whole ? from.debtPoints : 0;
    const movedAllocations = moving.map((lot) => ({ lotId: lot.id, points: lot.remainingPoints }));
    const net = movedAllocations.reduce((sum, allocation) => sum + allocation.points, 0) - debt;

    const movingIds = new Set(moving.map((lot) => lot.id));
    from.lots = from.lots.filter((lot) => !movingIds.has(lot.id));
    from.debtPoints -= debt;
    for (const lot of moving) {
      const existing = to.lots.findIndex((candidate) => candidate.id === lot.id);
      // A lot coming back (split after merge) replaces its emptied copy so ids stay unique.
      if (existing >= 0) to.lots.splice(existing, 1);
      to.lots.push({ ...lot, points: lot.remainingPoints });
    }
    to.closedLotIds = to.closedLotIds.filter((id) => !movingIds.has(id));
    to.debtPoints += debt;
    this.repayDebtFromLots(to, command.at);
    for (const order of movingOrders) order.walletId = command.toWalletId;
    if (from.lastActivityAt && (!to.lastActivityAt || to.lastActivityAt.getTime() < from.lastActivityAt.getTime())) {
      to.lastActivityAt = from.lastActivityAt;
    }

    const movedOrderIds = movingOrders.map((order) => order.orderId);
    const shared = { transferId: command.transferId, lotAllocations: movedAllocations, movedOrderIds };
    this.append(command.fromWalletId, { ...command, idempotencyKey: `${command.idempotencyKey}:out` }, "TRANSFER_OUT", -net, shared);
    this.append(command.toWalletId, { ...command, idempotencyKey: `${command.idempotencyKey}:in` }, "TRANSFER_IN", net, shared);
    return this.produced;
  }
}
