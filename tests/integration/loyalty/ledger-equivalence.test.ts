/**
 * The database ledger and the reference model (app/domain/loyalty/ledger-model.ts, property-tested
 * in tests/unit) must agree on every command: same outcome (applied, duplicate, or the same error
 * code), same balances, debts and reservations. fast-check drives random sequences through both.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import crypto from "node:crypto";
import prisma from "~/db.server";
import { DomainError } from "~/domain/errors";
import { LedgerModel, type LedgerCommand } from "~/domain/loyalty/ledger-model";
import { addDaysUtc } from "~/domain/loyalty/calendar";
import { listExpiredLots } from "~/domain/loyalty/lots";
import type { ExpiryPolicy, NegativeBalancePolicy } from "~/domain/loyalty/settings";
import { pool } from "~/db.server";
import { redeemInOneStatement } from "~/models/ledger.server";
import { runLedgerUnit, type PlannedCommand } from "~/services/loyalty-ledger.server";
import { saveProgram } from "../../support/loyalty";

const WALLETS = ["w0", "w1", "w2"];
const wallet = fc.integer({ min: 0, max: 2 });
const opArb = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant("earn" as const), wallet, order: fc.integer({ min: 0, max: 5 }), points: fc.integer({ min: 0, max: 400 }), pendingDays: fc.constantFrom(0, 10), expiresDays: fc.constantFrom(20, 60, 400) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("reverse" as const), order: fc.integer({ min: 0, max: 5 }), points: fc.integer({ min: 1, max: 300 }), n: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("redeem" as const), wallet, points: fc.integer({ min: 1, max: 300 }), request: fc.integer({ min: 0, max: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("reserve" as const), wallet, reservation: fc.integer({ min: 0, max: 2 }), points: fc.integer({ min: 1, max: 200 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("close" as const), settle: fc.boolean(), reservation: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("adjust" as const), wallet, points: fc.integer({ min: -250, max: 250 }).filter((p) => p !== 0), request: fc.integer({ min: 0, max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("expire" as const), wallet }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("advance" as const), days: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("merge" as const), from: wallet, to: wallet, n: fc.integer({ min: 0, max: 2 }) }) },
);
type Op = typeof opArb extends fc.Arbitrary<infer O> ? O : never;

function toCommand(op: Op, at: Date, model: LedgerModel, ids: Record<string, string>): LedgerCommand[] {
  const w = (index: number) => ids[WALLETS[index]];
  switch (op.t) {
    case "earn":
      return [{
        kind: "EARN", idempotencyKey: `earn:o${op.order}`, at, walletId: w(op.wallet), orderId: `o${op.order}`, points: op.points,
        eligibleAmountMinor: op.points * 100, settingsVersion: 1, availableAt: addDaysUtc(at, op.pendingDays), expiresAt: addDaysUtc(at, op.expiresDays),
      }];
    case "reverse":
      return [{ kind: "REVERSAL", idempotencyKey: `reverse:o${op.order}-${op.n}`, at, orderId: `o${op.order}`, points: op.points }];
    case "redeem":
      return [{ kind: "REDEEM", idempotencyKey: `redeem:${op.request}`, at, walletId: w(op.wallet), points: op.points }];
    case "reserve":
      return [{ kind: "RESERVE", idempotencyKey: `reserve:${ids.run}-${op.reservation}`, at, walletId: w(op.wallet), reservationId: reservationId(ids, op.reservation), points: op.points }];
    case "close": {
      const id = reservationId(ids, op.reservation);
      return [{ kind: op.settle ? "SETTLE" : "RELEASE", idempotencyKey: `${op.settle ? "settle" : "release"}:${id}`, at, reservationId: id }];
    }
    case "adjust":
      return [{ kind: "ADJUSTMENT", idempotencyKey: `adjust:${op.request}`, at, walletId: w(op.wallet), points: op.points, reason: "test", staffId: "s" }];
    case "expire":
      return listExpiredLots(model.listLots(w(op.wallet)), at).map((lot) => ({
        kind: "EXPIRY" as const, idempotencyKey: `expire:${lot.lotId}`, at, walletId: w(op.wallet), lotId: lot.lotId, reason: "LOT_EXPIRED" as const,
      }));
    case "merge":
      return [{ kind: "TRANSFER", idempotencyKey: `transfer:m${op.n}`, at, transferId: `m${op.n}`, fromWalletId: w(op.from), toWalletId: w(op.to) }];
    case "advance":
      return [];
  }
}

/** Reservation ids are uuids in the database: one per (run, number). */
function reservationId(ids: Record<string, string>, n: number): string {
  const key = `res${n}`;
  ids[key] ??= crypto.randomUUID();
  return ids[key];
}

function toPlanned(command: LedgerCommand, at: Date): PlannedCommand {
  const planned: PlannedCommand = { command, meta: { source: "JOB" } };
  if (command.kind === "EARN") planned.earn = { channel: "ONLINE", locationGid: null, placedAt: at };
  if (command.kind === "RESERVE") {
    planned.reservation = {
      clientRequestId: command.reservationId, expiresAt: addDaysUtc(at, 1), channel: "ONLINE", locationGid: null, rewardId: null,
      discountKind: "FIXED_AMOUNT", discountValue: "100", currency: "SAR", minOrderMinor: 0, customerGid: null, discountCode: null,
      discountNodeGid: null, codeStatus: "PENDING", codeError: null, staffId: null,
    };
  }
  return planned;
}

async function applyToDatabase(shop: string, command: LedgerCommand, at: Date): Promise<{ status: string; error?: { code: string } }> {
  if (command.kind === "REDEEM") {
    // Redemptions take the one-statement path the service uses; only what it hands back runs as a unit.
    const fast = await redeemInOneStatement(pool, {
      shop, profileId: command.walletId, key: command.idempotencyKey, points: command.points, now: at, source: "JOB", channel: null, locationGid: null, staffName: null,
    });
    if (fast.status === "APPLIED" || fast.status === "DUPLICATE") return { status: fast.status };
    if (fast.status === "INSUFFICIENT") return { status: "REJECTED", error: { code: "INSUFFICIENT_POINTS" } };
  }
  const walletIds = "walletId" in command ? [command.walletId] : command.kind === "TRANSFER" ? [command.fromWalletId, command.toWalletId] : [];
  const [result] = await runLedgerUnit({
    shop,
    now: at,
    target: async () => ({
      walletIds,
      orderGids: "orderId" in command ? [command.orderId] : [],
      reservationIds: "reservationId" in command ? [command.reservationId] : [],
    }),
    plan: () => [toPlanned(command, at)],
  });
  return result;
}

describe("the database ledger against the reference model", () => {
  it.each<[NegativeBalancePolicy, ExpiryPolicy]>([
    ["RECORD_SHORTFALL", { kind: "NONE" }],
    ["ALLOW_NEGATIVE", { kind: "NONE" }],
    // Inactivity moves every lot's deadline: the one-statement redemption must see it as the model does.
    ["RECORD_SHORTFALL", { kind: "AFTER_INACTIVITY", months: 1 }],
  ])("agrees on outcomes and balances for random command sequences (%s, expiry %o)", async (policy, expiry) => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 25 }), async (ops) => {
        const shop = `eq-${crypto.randomBytes(5).toString("hex")}.myshopify.com`;
        await saveProgram(shop, { negativeBalancePolicy: policy, expiry });
        const ids: Record<string, string> = { run: shop };
        for (const name of WALLETS) ids[name] = `${name}-${shop}`;
        const model = new LedgerModel({ negativeBalancePolicy: policy, expiry });
        let now = new Date("2026-01-01T00:00:00Z");
        for (const op of ops) {
          if (op.t === "advance") now = addDaysUtc(now, op.days);
          for (const command of toCommand(op, now, model, ids)) {
            let expected: string;
            try {
              expected = model.apply(command).status;
            } catch (error) {
              if (!(error instanceof DomainError)) throw error;
              expected = error.code;
            }
            const actual = await applyToDatabase(shop, command, now);
            expect(actual.status === "REJECTED" ? actual.error!.code : actual.status, `${command.kind} ${command.idempotencyKey}`).toBe(expected);
          }
        }
        const wallets = await prisma.loyaltyWallet.findMany({ where: { shop } });
        for (const row of wallets) {
          expect(row.balancePoints, `balance of ${row.profileId}`).toBe(model.getBalance(row.profileId));
          expect(row.debtPoints, `debt of ${row.profileId}`).toBe(model.getDebt(row.profileId));
          const held = model.listReservations(row.profileId).filter((r) => r.status === "OPEN").reduce((sum, r) => sum + r.points, 0);
          expect(row.heldPoints, `held points of ${row.profileId}`).toBe(held);
          const sum = await prisma.loyaltyEntry.aggregate({ where: { shop, profileId: row.profileId }, _sum: { points: true } });
          expect(row.balancePoints).toBe(sum._sum.points ?? 0);
          // Which lots paid (soonest-expiring first) is visible in what each lot has left.
          const lots = await prisma.loyaltyLot.findMany({ where: { shop, profileId: row.profileId, remainingPoints: { gt: 0 } }, orderBy: { id: "asc" } });
          const modelLots = model.listLots(row.profileId).filter((lot) => lot.remainingPoints > 0).sort((a, b) => (a.id < b.id ? -1 : 1));
          expect(lots.map((lot) => [lot.id, lot.remainingPoints]), `lots of ${row.profileId}`).toEqual(modelLots.map((lot) => [lot.id, lot.remainingPoints]));
        }
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
