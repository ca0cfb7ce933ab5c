/**
 * Points as lots: every credit (earn, bonus, positive adjustment) is a lot with its own dates, and
 * every debit is allocated to lots. A lot is pending while now < availableAt, spendable from
 * availableAt, and expired from expiresAt (inclusive). Debits take soonest-expiring points first.
 */
import { InsufficientPointsError, ValidationError } from "../errors";
import { addDaysUtc, addMonthsUtc } from "./calendar";
import type { ExpiryPolicy } from "./settings";

export interface Lot {
  /** Stable id, unique per shop: the idempotency key of the entry that credited it. */
  id: string;
  /** Points credited (after repaying any negative balance). */
  points: number;
  /** Points still in the lot; 0 <= remainingPoints <= points. */
  remainingPoints: number;
  earnedAt: Date;
  availableAt: Date;
  /** Null when the lot never expires on its own (no expiry, or expiry by inactivity). */
  expiresAt: Date | null;
}

export interface LotAllocation {
  lotId: string;
  points: number;
}

/**
 * Dates of a lot earned at `earnedAt`: available after the pending days; expires `months` after
 * earning under AFTER_EARNING, otherwise never on its own (inactivity expires the whole wallet).
 */
export function computeLotDates(
  earnedAt: Date,
  settings: { pendingDays: number; expiry: ExpiryPolicy },
): { availableAt: Date; expiresAt: Date | null } {
  return {
    availableAt: addDaysUtc(earnedAt, settings.pendingDays),
    expiresAt: settings.expiry.kind === "AFTER_EARNING" ? addMonthsUtc(earnedAt, settings.expiry.months) : null,
  };
}

/** When a wallet last active at `lastActivityAt` expires under AFTER_INACTIVITY; null under other policies. */
export function computeInactivityExpiresAt(lastActivityAt: Date | null, expiry: ExpiryPolicy): Date | null {
  if (expiry.kind !== "AFTER_INACTIVITY" || !lastActivityAt) return null;
  return addMonthsUtc(lastActivityAt, expiry.months);
}

/** Options shared by the functions that look at lots at an instant. */
export interface LotClock {
  now: Date;
  /** Wallet-wide expiry by inactivity (computeInactivityExpiresAt); applies to every lot. */
  inactivityExpiresAt?: Date | null;
}

function getEffectiveExpiresAt(lot: Lot, clock: LotClock): Date | null {
  const wallet = clock.inactivityExpiresAt ?? null;
  if (!lot.expiresAt) return wallet;
  if (!wallet) return lot.expiresAt;
  return lot.expiresAt.getTime() <= wallet.getTime() ? lot.expiresAt : wallet;
}

/** True when the lot's points can be spent at `now`: available, not expired, not empty. */
export function isLotSpendable(lot: Lot, clock: LotClock): boolean {
  const expiresAt = getEffectiveExpiresAt(lot, clock);
  return (
    lot.remainingPoints > 0 &&
    lot.availableAt.getTime() <= clock.now.getTime() &&
    (!expiresAt || expiresAt.getTime() > clock.now.getTime())
  );
}

export interface LotBalances {
  /** Spendable now. */
  availablePoints: number;
  /** Not yet available (inside the pending period) and not expired. */
  pendingPoints: number;
  /** Past their expiry but not yet written off by an EXPIRY entry. */
  expiredPoints: number;
  /** Sum of remaining points of all lots = available + pending + expired. */
  totalPoints: number;
}

/** Splits the points left in lots into available, pending and expired-but-not-yet-posted at `now`. */
export function computeLotBalances(lots: readonly Lot[], clock: LotClock): LotBalances {
  const balances: LotBalances = { availablePoints: 0, pendingPoints: 0, expiredPoints: 0, totalPoints: 0 };
  for (const lot of lots) {
    if (lot.remainingPoints <= 0) continue;
    balances.totalPoints += lot.remainingPoints;
    const expiresAt = getEffectiveExpiresAt(lot, clock);
    if (expiresAt && expiresAt.getTime() <= clock.now.getTime()) balances.expiredPoints += lot.remainingPoints;
    else if (lot.availableAt.getTime() > clock.now.getTime()) balances.pendingPoints += lot.remainingPoints;
    else balances.availablePoints += lot.remainingPoints;
  }
  return balances;
}

/** Spending order: soonest expiry first (never-expiring last), then earliest available, earliest earned, id. */
export function compareLotsForSpending(a: Lot, b: Lot): number {
  const expiresA = a.expiresAt ? a.expiresAt.getTime() : Number.POSITIVE_INFINITY;
  const expiresB = b.expiresAt ? b.expiresAt.getTime() : Number.POSITIVE_INFINITY;
  if (expiresA !== expiresB) return expiresA < expiresB ? -1 : 1;
  if (a.availableAt.getTime() !== b.availableAt.getTime()) return a.availableAt.getTime() - b.availableAt.getTime();
  if (a.earnedAt.getTime() !== b.earnedAt.getTime()) return a.earnedAt.getTime() - b.earnedAt.getTime();
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export interface AllocateDebitOptions extends LotClock {
  /**
   * AVAILABLE (spending: redeem, reserve): only spendable lots. ALL (clawbacks, staff
   * corrections): every lot with points left, pending and expired-but-unposted included.
   */
  scope: "AVAILABLE" | "ALL";
  /** Take from this lot first (a refund claws back the order's own lot before others). */
  preferLotId?: string;
  /** Return the missing points as `shortfallPoints` instead of throwing INSUFFICIENT_POINTS. */
  allowShortfall?: boolean;
}

/**
 * Allocates a debit of `points` to lots, soonest-expiring first. Invariant: sum of allocations +
 * shortfallPoints = points, and no lot gives more than it has. Throws INSUFFICIENT_POINTS
 * (with available and pending points) when short and `allowShortfall` is not set.
 */
export function allocateDebit(
  lots: readonly Lot[],
  points: number,
  options: AllocateDebitOptions,
): { allocations: LotAllocation[]; shortfallPoints: number } {
  if (!Number.isSafeInteger(points) || points < 0) {
    throw new ValidationError({ points: ["Must be a non-negative integer"] });
  }
  const candidates = lots
    .filter((lot) => lot.remainingPoints > 0 && (options.scope === "ALL" || isLotSpendable(lot, options)))
    .sort((a, b) => {
      if (options.preferLotId !== undefined) {
        if (a.id === options.preferLotId) return -1;
        if (b.id === options.preferLotId) return 1;
      }
      return compareLotsForSpending(a, b);
    });
  const allocations: LotAllocation[] = [];
  let left = points;
  for (const lot of candidates) {
    if (left === 0) break;
    const take = Math.min(left, lot.remainingPoints);
    allocations.push({ lotId: lot.id, points: take });
    left -= take;
  }
  if (left > 0 && !options.allowShortfall) {
    const balances = computeLotBalances(lots, options);
    throw new InsufficientPointsError(
      points,
      options.scope === "ALL" ? balances.totalPoints : balances.availablePoints,
      { pendingPoints: balances.pendingPoints },
    );
  }
  return { allocations, shortfallPoints: left };
}

/**
 * New lots after taking (`direction` -1) or giving back (+1) allocated points; lots are never
 * mutated. Throws if an allocation names an unknown lot or would break 0 <= remaining <= points.
 */
export function applyAllocations(lots: readonly Lot[], allocations: readonly LotAllocation[], direction: 1 | -1): Lot[] {
  const byId = new Map(lots.map((lot) => [lot.id, { ...lot }]));
  for (const allocation of allocations) {
    const lot = byId.get(allocation.lotId);
    if (!lot) throw new RangeError(`Unknown lot ${allocation.lotId}`);
    const remaining = lot.remainingPoints + direction * allocation.points;
    if (remaining < 0 || remaining > lot.points) {
      throw new RangeError(`Allocation of ${allocation.points} breaks lot ${lot.id}`);
    }
    lot.remainingPoints = remaining;
  }
  return lots.map((lot) => byId.get(lot.id)!);
}

/** Lots whose own expiry has passed at `now` with points left: what an expiry job writes off, lot by lot. */
export function listExpiredLots(lots: readonly Lot[], now: Date): LotAllocation[] {
  return [...lots]
    .filter((lot) => lot.remainingPoints > 0 && lot.expiresAt && lot.expiresAt.getTime() <= now.getTime())
    .sort(compareLotsForSpending)
    .map((lot) => ({ lotId: lot.id, points: lot.remainingPoints }));
}

/**
 * Under AFTER_INACTIVITY: every lot with points left once `now` reaches lastActivityAt + months
 * (pending lots included: they cannot exist without recent activity unless backdated); else none.
 */
export function listInactiveLots(
  lots: readonly Lot[],
  lastActivityAt: Date | null,
  expiry: ExpiryPolicy,
  now: Date,
): LotAllocation[] {
  const expiresAt = computeInactivityExpiresAt(lastActivityAt, expiry);
  if (!expiresAt || expiresAt.getTime() > now.getTime()) return [];
  return [...lots]
    .filter((lot) => lot.remainingPoints > 0)
    .sort(compareLotsForSpending)
    .map((lot) => ({ lotId: lot.id, points: lot.remainingPoints }));
}
