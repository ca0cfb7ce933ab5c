import { describe, it, expect } from "vitest";
import { LedgerModel, type EarnCommand, type LedgerCommand } from "~/domain/loyalty/ledger-model";
import { DomainError, type ErrorCode } from "~/domain/errors";
import { addDaysUtc } from "~/domain/loyalty/calendar";
import { computeLotDates } from "~/domain/loyalty/lots";
import { computeOrderEarn, computeRefundReversal } from "~/domain/loyalty/earn";
import {
  toCancellationReversalKey,
  toEarnKey,
  toExpiryKey,
  toRedeemKey,
  toRefundReversalKey,
  toReleaseKey,
  toReserveKey,
  toSettleKey,
  toTransferKey,
} from "~/domain/loyalty/keys";
import { makeAmounts, makeSettings, makeVersion } from "./fixtures";

const T0 = new Date("2026-01-01T00:00:00Z");
const day = (n: number) => addDaysUtc(T0, n);

function earn(walletId: string, orderId: string, points: number, at = T0, opts: { pendingDays?: number; expiresAt?: Date | null } = {}): EarnCommand {
  return {
    kind: "EARN",
    idempotencyKey: toEarnKey(orderId),
    walletId,
    orderId,
    points,
    eligibleAmountMinor: points * 100,
    settingsVersion: 1,
    at,
    availableAt: addDaysUtc(at, opts.pendingDays ?? 0),
    expiresAt: opts.expiresAt ?? null,
  };
}

function codeOf(run: () => unknown): ErrorCode {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error("expected a DomainError");
}

describe("LedgerModel: earning", () => {
  it("credits an order's earn as a lot and derives the balance from the entries", () => {
    const model = new LedgerModel({ negativeBalancePolicy: "RECORD_SHORTFALL" });
    const result = model.apply(earn("w1", "o1", 120));
    expect(result.status).toBe("APPLIED");
    expect(result.entries).toMatchObject([{ seq: 1, kind: "EARN", points: 120, orderId: "o1", lotAllocations: [{ lotId: "earn:o1", points: 120 }] }]);
    expect(model.getBalance("w1")).toBe(120);
  });

  it("awards points once when the same order event is delivered twice", () => {
    const model = new LedgerModel({ negativeBalancePolicy: "RECORD_SHORTFALL" });
    model.apply(earn("w1", "o1", 120));
    const again = model.apply({ ...earn("w1", "o1", 999), at: day(3) });
    expect(again.status).toBe("DUPLICATE");
    expect(again.entries[0].points).toBe(120);
    expect(model.getBalance("w1")).toBe(120);
    expect(model.listEntries()).toHaveLength(1);
  });

  it("refuses a second earn for an order under another key", () => {
    const model = new LedgerModel({ negativeBalancePolicy: "RECORD_SHORTFALL" });
    model.apply(earn("w1", "o1", 120));
    expect(codeOf(() => model.apply({ ...earn("w2", "o1", 120), idempotencyKey: "earn:other" }))).toBe("ORDER_ALREADY_EARNED");
    expect(model.getBalance("w2")).toBe(0);
  });

  it("records a zero-point earn so the order is known and cannot earn later", () => {
    const model = new LedgerModel({ negativeBalancePolicy: "RECORD_SHORTFALL" });
    model.apply(earn("w1", "o1", 0));
    expect(model.getOrder("o1")).toMatchObject({ earnedPoints: 0, lotId: null });
    expect(model.listLots("w1")).toEqual([]);
  });

  it("changes nothing and keeps the key free when a command is rejected", () => {
    const model = new LedgerModel({ negativeBalancePolicy: "RECORD_SHORTFALL" });
    expect(codeOf(() => model.apply({ kind: "REDEEM", idempotencyKey: "redeem:1", walletId: "w1", points: 10, at: T0 }))).toBe("INSUFFICIENT_POINTS");
    model.apply(earn("w1", "o1", 10));
    expect(model.apply({ kind: "REDEEM", idempotencyKey: "redeem:1", walletId: "w1", points: 10, at: T0 }).status).toBe("APPLIED");
    expect(model.getBalance("w1")).toBe(0);
  });

  it.each([
    ["a negative earn", { ...earn("w1", "o1", -5) }],
    ["a fractional earn", { ...earn("w1", "o1", 1.5) }],
    ["an empty key", { ...earn("w1", "o1", 5), idempotencyKey: "" }],
    ["an invalid date", { ...earn("w1", "o1", 5), at: new Date("nope") }],
  ])("rejects %s as invalid input", (_label, command) => {
    const model = new LedgerModel({ negativeBalancePolicy: "RECORD_SHORTFALL" });
    expect(codeOf(() => model.apply(command as LedgerCommand))).toBe("VALIDATION_FAILED");
    expect(model.listEntries()).toEqual([]);
  });
});

describe("LedgerModel: spending", () => {
  it("refuses to spend pending points with INSUFFICIENT_POINTS and allows it once they are available", () => {
    const model = new LedgerModel({ negativeBalancePolicy: "RECORD_SHORTFALL" });
    model.apply(earn("w1", "o1", 100, T0, { pendingDays: 14 }));
    const redeem = (at: Date, key: string): LedgerCommand => ({ kind: "REDEEM", idempotencyKey: toRedeemKey(key), walletId: "w1", points: 100, at });
    expect(codeOf(() => model.apply(redeem(day(13), "a")))).toBe("INSUFFICIENT_POINTS");
    expect(model.computeBalances("w1", day(13))).toMatchObject({ availablePoints: 0, pendingPoints: 100 });
    expect(model.apply(redeem(day(14), "b")).entries[0].points).toBe(-100);
  });

  it("spends soonest-expiring points first", () => {
    const model = new LedgerModel({ negativeBalancePolicy: "RECORD_SHORTFALL" });
    model.apply(earn("w1", "late", 50, T0, { expiresAt: day(300) }));
    model.apply(earn("w1", "soon", 50, T0, { expiresAt: day(100) }));
    model.apply(earn("w1", "never", 50, T0));
    const { entries } = model.apply({ kind: "REDEEM", idempotencyKey: "redeem:x", walletId: "w1", points: 120, at: day(1) });
    expect(entries[0].lotAllocations).toEqual([
      { lotId: "earn:soon", points: 50 },
      { lotId: "earn:late", points: 50 },
      { lotId: "earn:never", points: 20 },
    ]);
  });

  it("refuses to spend points whose lot has expired even before the expiry job ran", () => {
    const model = new LedgerModel({ negativeBalancePolicy: "RECORD_SHORTFALL" });
    model.apply(earn("w1", "o1", 50, T0, { expiresAt: day(30) }));
    expect(codeOf(() => model.apply({ kind: "REDEEM", idempotencyKey: "r", walletId: "w1", points: 1, at: day(30) }))).toBe("INSUFFICIENT_POINTS");
    expect(model.getBalance("w1")).toBe(50);
  });
});

describe("LedgerModel: clawbacks", () => {
  function spentWallet(policy: "RECORD_SHORTFALL" | "ALLOW_NEGATIVE") {
    const model = new LedgerModel({ negativeBalancePolicy: policy });
    model.apply(earn("w1", "o1", 100));
    model.apply({ kind: "REDEEM", idempotencyKey: "redeem:1", walletId: "w1", points: 80, at: day(1) });
    return model;
  }

  it("records the shortfall and keeps the balance at zero when refunded points were already spent (RECORD_SHORTFALL)", () => {
    const model = spentWallet("RECORD_SHORTFALL");
    const { entries } = model.apply({ kind: "REVERSAL", idempotencyKey: "reverse:r1", orderId: "o1", points: 50, at: day(2) });
    expect(entries[0]).toMatchObject({ kind: "REVERSAL", points: -20, shortfallPoints: 30, walletId: "w1" });
    expect(model.getBalance("w1")).toBe(0);
    expect(model.getOrder("o1")?.reversedPoints).toBe(50);
  });

  it("lets the balance go negative and repays it from the next earn (ALLOW_NEGATIVE)", () => {
    const model = spentWallet("ALLOW_NEGATIVE");
    model.apply({ kind: "REVERSAL", idempotencyKey: "reverse:r1", orderId: "o1", points: 50, at: day(2) });
    expect(model.getBalance("w1")).toBe(-30);
    expect(codeOf(() => model.apply({ kind: "REDEEM", idempotencyKey: "redeem:2", walletId: "w1", points: 1, at: day(2) }))).toBe("INSUFFICIENT_POINTS");
    const next = model.apply(earn("w1", "o2", 50, day(3)));
    expect(next.entries[0]).toMatchObject({ points: 50, debtRepaidPoints: 30, lotAllocations: [{ lotId: "earn:o2", points: 20 }] });
    expect(model.getBalance("w1")).toBe(20);
    expect(model.getDebt("w1")).toBe(0);
  });

  it("claws back from the order's own lot first, even while it is pending", () => {
    const model = new LedgerModel({ negativeBalancePolicy: "RECORD_SHORTFALL" });
    model.apply(earn("w1", "old", 100, T0, { expiresAt: day(60) }));
    model.apply(earn("w1", "new", 40, day(10), { pendingDays: 14 }));
    const { entries } = model.apply({ kind: "REVERSAL", idempotencyKey: "reverse:r", orderId: "new", points: 40, at: day(11) });
    expect(entries[0].lotAllocations).toEqual([{ lotId: "earn:new", points: 40 }]);
  });

  it("never reverses more than an order earned, across refunds and cancellation", () => {
    const model = new LedgerModel({ negativeBalancePolicy: "RECORD_SHORTFALL" });
    model.apply(earn("w1", "o1", 100));
    model.apply({ kind: "REVERSAL", idempotencyKey: "reverse:r1", orderId: "o1", points: 60, at: day(1) });
    expect(codeOf(() => model.apply({ kind: "REVERSAL", idempotencyKey: "reverse:r2", orderId: "o1", points: 41, at: day(2) }))).toBe(
      "REVERSAL_EXCEEDS_EARN",
    );
    model.apply({ kind: "REVERSAL", idempotencyKey: toCancellationReversalKey("o1"), orderId: "o1", points: 40, at: day(2) });
    expect(model.getBalance("w1")).toBe(0);
  });

  it("answers NOT_FOUND for a refund of an order that never earned", () => {
    const model = new LedgerModel({ negativeBalancePolicy: "RECORD_SHORTFALL" });
    expect(codeOf(() => model.apply({ kind: "REVERSAL", idempotencyKey: "reverse:x", orderId: "ghost", points: 1, at: T0 }))).toBe("NOT_FOUND");
  });

  it("reverses a refund by the rule in force when the order was placed, after the rate changed", () => {
    const v1 = makeVersion(1, makeSettings("SAR", { earn: { pointsPerUnit: "1" } }));
    const v2 = makeVersion(2, makeSettings("SAR", { earn: { pointsPerUnit: "5" } }));
    const model = new LedgerModel({ negativeBalancePolicy: "RECORD_SHORTFALL" });
    const earned = computeOrderEarn({ settingsVersion: v1, amounts: makeAmounts("SAR", 30000), channel: "POS" });
    model.apply({ ...earn("w1", "o1", earned.points), eligibleAmountMinor: earned.eligibleAmountMinor, settingsVersion: earned.settingsVersion });
    // v2 is now in force; a third of the order is refunded.
    const order = model.getOrder("o1")!;
    const byVersion = [v1, v2].find((v) => v.version === order.settingsVersion)!;
    const reversal = computeRefundReversal({
      earn: { settingsVersion: order.settingsVersion, eligibleAmountMinor: order.eligibleAmountMinor, points: order.earnedPoints },
      settingsVersion: byVersion,
      refundAmounts: makeAmounts("SAR", 10000),
      previouslyRefundedEligibleMinor: 0,
      previouslyReversedPoints: order.reversedPoints,
    });
    model.apply({ kind: "REVERSAL", idempotencyKey: toRefundReversalKey("refund1"), orderId: "o1", points: reversal.points, at: day(40) });
    expect(model.listEntries("w1").map((e) => [e.kind, e.points, e.settingsVersion])).toEqual([
      ["EARN", 300, 1],
      ["REVERSAL", -100, 1],
    ]);
  });
});

describe("LedgerModel: reservations", () => {
  function reserved() {
    const model = new LedgerModel({ negativeBalancePolicy: "RECORD_SHORTFALL" });
    model.apply(earn("w1", "o1", 100, T0, { expiresAt: day(10) }));
    model.apply({ kind: "RESERVE", idempotencyKey: toReserveKey("res1"), walletId: "w1", reservationId: "res1", points: 60, at: day(1) });
    return model;
  }

  it("holds reserved points out of the balance until the reservation settles", () => {
    const model = reserved();
    expect(model.getBalance("w1")).toBe(40);
    expect(model.computeBalances("w1", day(1))).toMatchObject({ availablePoints: 40, heldPoints: 60 });
    const settled = model.apply({ kind: "SETTLE", idempotencyKey: toSettleKey("res1"), reservationId: "res1", at: day(2) });
    expect(settled.entries[0]).toMatchObject({ kind: "SETTLE", points: 0 });
    expect(model.getBalance("w1")).toBe(40);
    expect(model.computeBalances("w1", day(2)).heldPoints).toBe(0);
  });

  it("returns released points to the lots they came from", () => {
    const model = reserved();
    const released = model.apply({ kind: "RELEASE", idempotencyKey: toReleaseKey("res1"), reservationId: "res1", at: day(2) });
    expect(released.entries[0]).toMatchObject({ points: 60, expiredPoints: 0, lotAllocations: [{ lotId: "earn:o1", points: 60 }] });
    expect(model.getBalance("w1")).toBe(100);
    expect(model.listLots("w1")[0].remainingPoints).toBe(100);
  });

  it("gives a reservation exactly one outcome when it settles and expires at the same moment", () => {
    const model = reserved();
    model.apply({ kind: "SETTLE", idempotencyKey: toSettleKey("res1"), reservationId: "res1", at: day(2) });
    expect(codeOf(() => model.apply({ kind: "RELEASE", idempotencyKey: toReleaseKey("res1"), reservationId: "res1", at: day(2) }))).toBe(
      "RESERVATION_CLOSED",
    );
    expect(model.getBalance("w1")).toBe(40);
  });

  it("keeps released points expired when their lot was written off while they were held", () => {
    const model = reserved();
    model.apply({ kind: "EXPIRY", idempotencyKey: toExpiryKey("earn:o1"), walletId: "w1", lotId: "earn:o1", reason: "LOT_EXPIRED", at: day(10) });
    expect(model.getBalance("w1")).toBe(0);
    const released = model.apply({ kind: "RELEASE", idempotencyKey: toReleaseKey("res1"), reservationId: "res1", at: day(11) });
    expect(released.entries[0]).toMatchObject({ points: 0, expiredPoints: 60 });
    expect(model.getBalance("w1")).toBe(0);
  });

  it("refuses to reserve more than is available", () => {
    const model = reserved();
    expect(
      codeOf(() => model.apply({ kind: "RESERVE", idempotencyKey: "reserve:res2", walletId: "w1", reservationId: "res2", points: 41, at: day(1) })),
    ).toBe("INSUFFICIENT_POINTS");
  });
});

describe("LedgerModel: expiry and adjustments", () => {
  it("writes off what is left in a lot once, and only after it expired", () => {
    const model = new LedgerModel({ negativeBalancePolicy: "RECORD_SHORTFALL" });
    const dates = computeLotDates(T0, { pendingDays: 0, expiry: { kind: "AFTER_EARNING", months: 1 } });
    model.apply({ ...earn("w1", "o1", 100), expiresAt: dates.expiresAt });
    model.apply({ kind: "REDEEM", idempotencyKey: "redeem:1", walletId: "w1", points: 30, at: day(5) });
    const expire = (at: Date): LedgerCommand => ({ kind: "EXPIRY", idempotencyKey: toExpiryKey("earn:o1"), walletId: "w1", lotId: "earn:o1", reason: "LOT_EXPIRED", at });
    expect(codeOf(() => model.apply(expire(new Date("2026-01-31T23:59:59.999Z"))))).toBe("CONFLICT");
    expect(model.apply(expire(new Date("2026-02-01T00:00:00Z"))).entries[0]).toMatchObject({ kind: "EXPIRY", points: -70 });
    expect(model.apply(expire(day(60))).status).toBe("DUPLICATE");
    expect(model.getBalance("w1")).toBe(0);
  });

  it("expires every lot after months without activity, counting redemptions as activity", () => {
    const model = new LedgerModel({ negativeBalancePolicy: "RECORD_SHORTFALL", expiry: { kind: "AFTER_INACTIVITY", months: 6 } });
    model.apply(earn("w1", "o1", 100, T0));
    model.apply({ kind: "REDEEM", idempotencyKey: "redeem:1", walletId: "w1", points: 10, at: new Date("2026-03-01T00:00:00Z") });
    const expire = (at: string): LedgerCommand => ({ kind: "EXPIRY", idempotencyKey: "expire:earn:o1", walletId: "w1", lotId: "earn:o1", reason: "INACTIVITY", at: new Date(at) });
    expect(codeOf(() => model.apply(expire("2026-08-31T23:59:59Z")))).toBe("CONFLICT");
    expect(model.computeBalances("w1", new Date("2026-09-01T00:00:00Z")).availablePoints).toBe(0);
    expect(model.apply(expire("2026-09-01T00:00:00Z")).entries[0].points).toBe(-90);
  });

  it("requires a reason and a staff identity on every adjustment", () => {
    const model = new LedgerModel({ negativeBalancePolicy: "RECORD_SHORTFALL" });
    const adjust = (reason: string, staffId: string): LedgerCommand => ({ kind: "ADJUSTMENT", idempotencyKey: "adjust:1", walletId: "w1", points: 10, reason, staffId, at: T0 });
    expect(codeOf(() => model.apply(adjust(" ", "staff-1")))).toBe("VALIDATION_FAILED");
    expect(codeOf(() => model.apply(adjust("Goodwill", "")))).toBe("VALIDATION_FAILED");
    expect(model.apply(adjust("Goodwill", "staff-1")).entries[0]).toMatchObject({ points: 10, reason: "Goodwill", staffId: "staff-1" });
  });

  it("refuses a negative adjustment beyond the balance under RECORD_SHORTFALL and allows it under ALLOW_NEGATIVE", () => {
    const strict = new LedgerModel({ negativeBalancePolicy: "RECORD_SHORTFALL" });
    const lax = new LedgerModel({ negativeBalancePolicy: "ALLOW_NEGATIVE" });
    const command: LedgerCommand = { kind: "ADJUSTMENT", idempotencyKey: "adjust:2", walletId: "w1", points: -25, reason: "Fraud", staffId: "s", at: T0 };
    for (const model of [strict, lax]) model.apply(earn("w1", "o1", 20, T0, { pendingDays: 14 }));
    expect(codeOf(() => strict.apply(command))).toBe("INSUFFICIENT_POINTS");
    expect(lax.apply(command).entries[0].points).toBe(-25);
    expect(lax.getBalance("w1")).toBe(-5);
  });
});

describe("LedgerModel: merge and split", () => {
  function twoWallets() {
    const model = new LedgerModel({ negativeBalancePolicy: "RECORD_SHORTFALL" });
    model.apply(earn("online", "o1", 100));
    model.apply(earn("pos", "o2", 50));
    return model;
  }

  it("moves a whole wallet with paired entries, keeping lots and orders", () => {
    const model = twoWallets();
    const { entries } = model.apply({ kind: "TRANSFER", idempotencyKey: toTransferKey("m1"), transferId: "m1", fromWalletId: "pos", toWalletId: "online", at: day(1) });
    expect(entries.map((e) => [e.walletId, e.kind, e.points, e.idempotencyKey])).toEqual([
      ["pos", "TRANSFER_OUT", -50, "transfer:m1:out"],
      ["online", "TRANSFER_IN", 50, "transfer:m1:in"],
    ]);
    expect([model.getBalance("online"), model.getBalance("pos")]).toEqual([150, 0]);
    expect(model.getOrder("o2")?.walletId).toBe("online");
    // A refund after the merge claws back from the merged wallet.
    model.apply({ kind: "REVERSAL", idempotencyKey: "reverse:r", orderId: "o2", points: 50, at: day(2) });
    expect(model.getBalance("online")).toBe(100);
  });

  it("splits a merge back by moving the lots and orders it brought", () => {
    const model = twoWallets();
    const merge = model.apply({ kind: "TRANSFER", idempotencyKey: "transfer:m1", transferId: "m1", fromWalletId: "pos", toWalletId: "online", at: day(1) });
    model.apply({
      kind: "TRANSFER",
      idempotencyKey: "transfer:s1",
      transferId: "s1",
      fromWalletId: "online",
      toWalletId: "pos",
      lotIds: merge.entries[0].lotAllocations.map((a) => a.lotId),
      orderIds: merge.entries[0].movedOrderIds,
      at: day(2),
    });
    expect([model.getBalance("online"), model.getBalance("pos")]).toEqual([100, 50]);
    expect(model.getOrder("o2")?.walletId).toBe("pos");
    expect(model.getOrder("o1")?.walletId).toBe("online");
  });

  it("refuses to move a wallet with an open reservation", () => {
    const model = twoWallets();
    model.apply({ kind: "RESERVE", idempotencyKey: "reserve:x", walletId: "pos", reservationId: "x", points: 10, at: T0 });
    expect(codeOf(() => model.apply({ kind: "TRANSFER", idempotencyKey: "transfer:m", transferId: "m", fromWalletId: "pos", toWalletId: "online", at: T0 }))).toBe(
      "CONFLICT",
    );
  });

  it("moves a debt with the wallet under ALLOW_NEGATIVE and repays it from the destination's points", () => {
    const model = new LedgerModel({ negativeBalancePolicy: "ALLOW_NEGATIVE" });
    model.apply(earn("a", "o1", 10));
    model.apply({ kind: "REDEEM", idempotencyKey: "redeem:1", walletId: "a", points: 10, at: T0 });
    model.apply({ kind: "REVERSAL", idempotencyKey: "reverse:1", orderId: "o1", points: 10, at: T0 });
    model.apply(earn("b", "o2", 30));
    model.apply({ kind: "TRANSFER", idempotencyKey: "transfer:m", transferId: "m", fromWalletId: "a", toWalletId: "b", at: day(1) });
    expect([model.getBalance("a"), model.getBalance("b"), model.getDebt("b")]).toEqual([0, 20, 0]);
    expect(model.listLots("b").reduce((sum, lot) => sum + lot.remainingPoints, 0)).toBe(20);
  });
});
