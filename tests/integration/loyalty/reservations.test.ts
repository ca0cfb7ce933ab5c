import { describe, expect, it } from "vitest";
import { runOnce, Logger } from "graphile-worker";
import prisma from "~/db.server";
import { isDomainError, type DomainError } from "~/domain/errors";
import { enqueueJob } from "~/jobs/queue.server";
import { taskList } from "~/jobs/tasks.server";
import { action as ordersCreate } from "~/routes/webhooks.orders.create";
import { adjustPoints } from "~/services/adjust-points.server";
import { awardOrderPoints } from "~/services/award-order-points.server";
import { getWalletView } from "~/services/loyalty-wallet-view.server";
import { EXPIRY_GRACE_MS, releaseExpiredReservations, releaseReservation, reservePoints, type ReservePointsInput } from "~/services/reserve-points.server";
import { failNextDiscountCreate, listDiscounts } from "../../support/fake-shopify/discounts";
import { webhookRequest } from "../../support/test-app";
import { installTestShop } from "../../support/install";
import { drainJobs } from "../../support/jobs";
import { createProfile, expectLedgerConsistent, getWallet, saveProgram } from "../../support/loyalty";
import { orderPayload } from "../../factories/shopify-payloads";

const CUSTOMER = "gid://shopify/Customer/7001";

const rewards = (unitMinor: number) => [
  { id: "amount-off", name: { en: "Amount off", ar: "خصم بقيمة" }, kind: "FIXED_AMOUNT" as const, pointsCost: 100, amountMinor: (5 * unitMinor) / 2 },
  { id: "ten-percent", name: { en: "10% off", ar: "خصم ١٠٪" }, kind: "PERCENTAGE" as const, pointsCost: 50, percent: 10 },
  { id: "free-shipping", name: { en: "Free shipping", ar: "شحن مجاني" }, kind: "FREE_SHIPPING" as const, pointsCost: 30 },
];

/** An installed shop with a program in `currency` and a profile holding `points` available points. */
async function setup({ currency = "KWD", unitMinor = 1000, points = 500 }: { currency?: string; unitMinor?: number; points?: number } = {}) {
  const { shop, fakeShop } = await installTestShop({ currencyCode: currency });
  await saveProgram(shop, { currency, rewards: rewards(unitMinor) });
  const profileId = await createProfile(shop);
  if (points > 0) {
    // Two hours ago, so reservations made "in the past" (expiry tests) can spend them.
    const now = new Date(Date.now() - 2 * 3600_000);
    await adjustPoints({ shop, profileId, points, reason: "welcome", staffId: "1", staffName: "Owner", requestId: crypto.randomUUID(), now });
  }
  const cart = { currency, subtotalMinor: 20 * unitMinor, shippingMinor: 3 * unitMinor };
  const reserve = (overrides: Partial<ReservePointsInput> = {}) =>
    reservePoints({ shop, profileId, rewardId: "amount-off", clientRequestId: crypto.randomUUID(), channel: "ONLINE", cart, customerGid: CUSTOMER, ...overrides });
  return { shop, fakeShop, profileId, cart, reserve };
}

async function caught(run: () => Promise<unknown>): Promise<DomainError> {
  try {
    await run();
  } catch (error) {
    if (isDomainError(error)) return error;
    throw error;
  }
  throw new Error("expected a domain error");
}

async function entriesOf(shop: string, profileId: string) {
  return prisma.loyaltyEntry.findMany({ where: { shop, profileId }, orderBy: { id: "asc" } });
}

async function availableOf(shop: string, profileId: string) {
  return (await getWalletView({ shop, profileId, now: new Date() })).availablePoints;
}

async function deliverOrderUsing(shop: string, code: string, webhookId: string) {
  const order = orderPayload({ discount_codes: [{ code, amount: "2.500", type: "fixed_amount" }], created_at: new Date().toISOString() });
  const response = await ordersCreate({ request: webhookRequest({ shop, topic: "orders/create", payload: order, webhookId }), params: {}, context: {} });
  expect(response.status).toBe(200);
  return order;
}

describe("point reservations", () => {
  it("holds the reward's points and creates a single-use code for the customer, ending when the hold does (KWD)", async () => {
    const { shop, fakeShop, profileId, reserve } = await setup();
    const { status, reservation } = await reserve();

    expect(status).toBe("CREATED");
    expect(reservation).toMatchObject({ status: "OPEN", points: 100, codeStatus: "CREATED", customerGid: CUSTOMER });
    expect(reservation.code).toMatch(/^WAFA-[A-HJ-NP-Z2-9]{8}$/);
    const wallet = await getWallet(shop, profileId);
    expect([wallet?.balancePoints, wallet?.heldPoints]).toEqual([400, 100]);
    expect(await availableOf(shop, profileId)).toBe(400);
    expect((await entriesOf(shop, profileId)).map((e) => [e.kind, e.points, e.source])).toEqual([
      ["ADJUSTMENT", 500, "STAFF"],
      ["RESERVE", -100, "RESERVATION"],
    ]);

    const [discount] = listDiscounts(fakeShop);
    expect(discount).toMatchObject({
      id: reservation.discountNodeGid,
      type: "DiscountCodeBasic",
      code: reservation.code,
      usageLimit: 1,
      appliesOncePerCustomer: true,
      customerGids: [CUSTOMER],
      endsAt: reservation.expiresAt.toISOString(),
    });
    // 2.500 KWD (three decimals), the whole order, with a minimum subtotal that keeps it within the share.
    expect(discount.input.customerGets).toEqual({ value: { discountAmount: { amount: "2.500", appliesOnEachItem: false } }, items: { all: true } });
    expect(discount.input.minimumRequirement).toEqual({ subtotal: { greaterThanOrEqualToSubtotal: "2.500" } });
    expect(reservation.expiresAt.getTime() - Date.parse(discount.startsAt)).toBe(30 * 60_000);
    await expectLedgerConsistent(shop);
  });

  it.each([
    // 250 yen: no decimals.
    { currency: "JPY", unitMinor: 100, rewardId: "amount-off", type: "DiscountCodeBasic", gets: { value: { discountAmount: { amount: "250", appliesOnEachItem: false } }, items: { all: true } } },
    { currency: "SAR", unitMinor: 100, rewardId: "ten-percent", type: "DiscountCodeBasic", gets: { value: { percentage: 0.1 }, items: { all: true } } },
    { currency: "KWD", unitMinor: 1000, rewardId: "free-shipping", type: "DiscountCodeFreeShipping", gets: undefined },
  ])("creates the $rewardId code in $currency with Shopify's value shape", async ({ currency, unitMinor, rewardId, type, gets }) => {
    const { fakeShop, reserve } = await setup({ currency, unitMinor });
    const { reservation } = await reserve({ rewardId, customerGid: null });
    const [discount] = listDiscounts(fakeShop);
    expect(discount.type).toBe(type);
    expect(discount.customerGids).toBeNull();
    expect(discount.input.context).toEqual({ all: "ALL" });
    expect(discount.input.customerGets).toEqual(gets);
    if (rewardId === "free-shipping") {
      // The shipping priced on this cart (3 KWD) is the dearest rate the code covers.
      expect(discount.input.maximumShippingPrice).toBe("3.000");
      expect(reservation.discount).toMatchObject({ kind: "FREE_SHIPPING", value: "3000" });
    }
  });

  it("answers INSUFFICIENT_POINTS and changes nothing when the reward costs more than is available", async () => {
    const { shop, fakeShop, profileId, reserve } = await setup({ points: 99 });
    const error = await caught(() => reserve());
    expect(error.code).toBe("INSUFFICIENT_POINTS");
    expect(error.details).toMatchObject({ requiredPoints: 100, availablePoints: 99 });
    expect((await entriesOf(shop, profileId)).map((e) => e.kind)).toEqual(["ADJUSTMENT"]);
    expect(await prisma.loyaltyReservation.count({ where: { shop } })).toBe(0);
    expect(listDiscounts(fakeShop)).toEqual([]);
    expect((await getWallet(shop, profileId))?.heldPoints).toBe(0);
  });

  it("does not let pending points be reserved", async () => {
    const { shop } = await installTestShop({ currencyCode: "SAR" });
    await saveProgram(shop, { currency: "SAR", pendingDays: 14, rewards: rewards(100) });
    const order = orderPayload({ created_at: new Date().toISOString() });
    await ordersCreate({ request: webhookRequest({ shop, topic: "orders/create", payload: order, webhookId: "pending-1" }), params: {}, context: {} });
    await drainJobs();
    const wallet = await prisma.loyaltyWallet.findFirstOrThrow({ where: { shop } });
    expect(wallet.balancePoints).toBe(173);

    const error = await caught(() =>
      reservePoints({
        shop,
        profileId: wallet.profileId,
        rewardId: "amount-off",
        clientRequestId: "pending-req",
        channel: "POS",
        cart: { currency: "SAR", subtotalMinor: 20_000, shippingMinor: 0 },
      }),
    );
    expect(error.code).toBe("INSUFFICIENT_POINTS");
    expect(error.details).toMatchObject({ availablePoints: 0 });
    expect(await prisma.loyaltyReservation.count({ where: { shop } })).toBe(0);
  });

  it("holds once and creates one code when the same request arrives twice, or five times at once", async () => {
    const { shop, fakeShop, profileId, reserve } = await setup();
    const first = await reserve({ clientRequestId: "pos-req-1" });
    const again = await reserve({ clientRequestId: "pos-req-1" });
    expect(again).toEqual({ status: "EXISTING", reservation: first.reservation });

    const parallel = await Promise.all(Array.from({ length: 5 }, () => reserve({ clientRequestId: "pos-req-2" })));
    expect(new Set(parallel.map((r) => r.reservation.id)).size).toBe(1);
    expect(parallel.filter((r) => r.status === "CREATED")).toHaveLength(1);

    expect((await entriesOf(shop, profileId)).filter((e) => e.kind === "RESERVE")).toHaveLength(2);
    expect(listDiscounts(fakeShop)).toHaveLength(2);
    expect((await getWallet(shop, profileId))?.heldPoints).toBe(200);
    await expectLedgerConsistent(shop);
  });

  it("finishes the code of a reservation a crash left PENDING when the request is retried, without a second hold", async () => {
    const { shop, fakeShop, profileId, reserve } = await setup();
    const { reservation } = await reserve({ clientRequestId: "crash-1" });
    // As if the process died after committing the hold, before Shopify answered.
    fakeShop.discounts.clear();
    await prisma.loyaltyReservation.update({ where: { id: reservation.id }, data: { codeStatus: "PENDING", discountNodeGid: null } });

    const retried = await reserve({ clientRequestId: "crash-1" });
    expect(retried.status).toBe("EXISTING");
    expect(retried.reservation).toMatchObject({ id: reservation.id, code: reservation.code, codeStatus: "CREATED" });
    expect(listDiscounts(fakeShop).map((d) => d.code)).toEqual([reservation.code]);
    expect((await entriesOf(shop, profileId)).filter((e) => e.kind === "RESERVE")).toHaveLength(1);
  });

  it("releases instead of creating a code when a reservation left PENDING is retried after its expiry", async () => {
    const { shop, fakeShop, profileId, reserve } = await setup();
    const { reservation } = await reserve({ clientRequestId: "crash-late", now: new Date(Date.now() - 40 * 60_000) });
    fakeShop.discounts.clear();
    await prisma.loyaltyReservation.update({ where: { id: reservation.id }, data: { codeStatus: "PENDING", discountNodeGid: null } });

    const retried = await reserve({ clientRequestId: "crash-late" });
    expect(retried.reservation).toMatchObject({ id: reservation.id, status: "RELEASED", closeReason: "EXPIRED", codeStatus: "FAILED" });
    expect(listDiscounts(fakeShop)).toEqual([]);
    expect((await getWallet(shop, profileId))?.balancePoints).toBe(500);
    await expectLedgerConsistent(shop);
  });

  it("gives the points back and answers DISCOUNT_CODE_FAILED when Shopify refuses the code, and again on a retry", async () => {
    const { shop, fakeShop, profileId, reserve } = await setup();
    failNextDiscountCreate(fakeShop, { kind: "REFUSED", message: "Discount limit reached", code: "EXCEEDED_MAX" });
    const error = await caught(() => reserve({ clientRequestId: "refused-1" }));
    expect(error.code).toBe("DISCOUNT_CODE_FAILED");
    expect(error.details).toMatchObject({ reason: "REFUSED" });

    const stored = await prisma.loyaltyReservation.findFirstOrThrow({ where: { shop } });
    expect(stored).toMatchObject({ status: "RELEASED", closeReason: "CODE_FAILED", codeStatus: "FAILED" });
    expect(stored.codeError).toContain("Discount limit reached");
    expect((await entriesOf(shop, profileId)).map((e) => [e.kind, e.points])).toEqual([
      ["ADJUSTMENT", 500],
      ["RESERVE", -100],
      ["RELEASE", 100],
    ]);
    expect(await availableOf(shop, profileId)).toBe(500);

    expect((await caught(() => reserve({ clientRequestId: "refused-1" }))).code).toBe("DISCOUNT_CODE_FAILED");
    expect((await entriesOf(shop, profileId)).filter((e) => e.kind === "RESERVE")).toHaveLength(1);
    expect(listDiscounts(fakeShop)).toEqual([]);
    await expectLedgerConsistent(shop);
  });

  it("releases and deletes the code Shopify created when its answer is lost on the way back", async () => {
    const { shop, fakeShop, profileId, reserve } = await setup();
    failNextDiscountCreate(fakeShop, { kind: "LOST_AFTER_CREATE" });
    const error = await caught(() => reserve());
    expect(error).toMatchObject({ code: "DISCOUNT_CODE_FAILED", details: { reason: "UNREACHABLE" } });
    expect(listDiscounts(fakeShop)).toEqual([]);
    const stored = await prisma.loyaltyReservation.findFirstOrThrow({ where: { shop } });
    expect(stored).toMatchObject({ status: "RELEASED", closeReason: "CODE_FAILED", codeStatus: "DELETED" });
    expect((await getWallet(shop, profileId))?.balancePoints).toBe(500);
    await expectLedgerConsistent(shop);
  });

  it("rejects malformed input with field errors", async () => {
    const { reserve } = await setup();
    const error = await caught(() =>
      reserve({ clientRequestId: "", customerGid: "7001", cart: { currency: "kwd", subtotalMinor: -1, shippingMinor: 1.5 }, ttlMinutes: 0 }),
    );
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(Object.keys((error.details as { fieldErrors: object }).fieldErrors).sort()).toEqual(
      ["cart.currency", "cart.shippingMinor", "cart.subtotalMinor", "clientRequestId", "customerGid", "ttlMinutes"].sort(),
    );
  });

  it("settles the reservation when an order uses its code (orders/create, then the jobs)", async () => {
    const { shop, profileId, reserve } = await setup();
    const { reservation } = await reserve();
    const order = await deliverOrderUsing(shop, reservation.code!.toLowerCase(), "settle-1");
    await drainJobs();

    const stored = await prisma.loyaltyReservation.findUniqueOrThrow({ where: { id: reservation.id } });
    expect(stored).toMatchObject({ status: "SETTLED", settledOrderGid: order.admin_graphql_api_id, closeReason: "SETTLED" });
    const wallet = await getWallet(shop, profileId);
    expect([wallet?.balancePoints, wallet?.heldPoints]).toEqual([400, 0]);
    expect((await entriesOf(shop, profileId)).map((e) => [e.kind, e.points])).toEqual([
      ["ADJUSTMENT", 500],
      ["RESERVE", -100],
      ["SETTLE", 0],
    ]);
    expect((await caught(() => releaseReservation({ shop, reservationId: reservation.id, reason: "CANCELLED" }))).code).toBe("RESERVATION_CLOSED");
    await expectLedgerConsistent(shop);
  });

  it("releases a cancelled reservation once and deletes its code; other shops cannot touch it", async () => {
    const { shop, fakeShop, profileId, reserve } = await setup();
    const other = await installTestShop();
    const { reservation } = await reserve();
    expect((await caught(() => releaseReservation({ shop: other.shop, reservationId: reservation.id, reason: "CANCELLED" }))).code).toBe("NOT_FOUND");

    const released = await releaseReservation({ shop, reservationId: reservation.id, reason: "CANCELLED" });
    expect(released.status).toBe("RELEASED");
    expect(released.reservation).toMatchObject({ status: "RELEASED", closeReason: "CANCELLED", codeStatus: "DELETED" });
    expect(listDiscounts(fakeShop)).toEqual([]);
    expect((await releaseReservation({ shop, reservationId: reservation.id, reason: "CANCELLED" })).status).toBe("ALREADY_RELEASED");
    expect((await getWallet(shop, profileId))?.balancePoints).toBe(500);
    expect((await entriesOf(shop, profileId)).filter((e) => e.kind === "RELEASE")).toHaveLength(1);
    await expectLedgerConsistent(shop);
  });

  it("the expiry job releases reservations past their expiry and grace, gives the points back and deletes the code", async () => {
    const { shop, fakeShop, profileId, reserve } = await setup();
    const now = Date.now();
    const expired = await reserve({ now: new Date(now - 30 * 60_000 - EXPIRY_GRACE_MS - 1000) });
    const inGrace = await reserve({ now: new Date(now - 31 * 60_000) });
    const fresh = await reserve();

    await enqueueJob(prisma, "reservation-release-expired", {});
    await drainJobs();

    const byId = async (id: string) => prisma.loyaltyReservation.findUniqueOrThrow({ where: { id } });
    expect(await byId(expired.reservation.id)).toMatchObject({ status: "RELEASED", closeReason: "EXPIRED", codeStatus: "DELETED" });
    expect((await byId(inGrace.reservation.id)).status).toBe("OPEN");
    expect((await byId(fresh.reservation.id)).status).toBe("OPEN");
    expect(listDiscounts(fakeShop).map((d) => d.code).sort()).toEqual([inGrace.reservation.code, fresh.reservation.code].sort());
    const wallet = await getWallet(shop, profileId);
    expect([wallet?.balancePoints, wallet?.heldPoints]).toEqual([300, 200]);
    const release = (await entriesOf(shop, profileId)).find((e) => e.kind === "RELEASE");
    expect(release).toMatchObject({ points: 100, source: "RESERVATION", reservationId: expired.reservation.id });
    await expectLedgerConsistent(shop);
  });

  it("a reservation settling and expiring at the same moment has exactly one outcome", async () => {
    const { shop, profileId, reserve } = await setup({ points: 5_000 });
    const silent = new Logger(() => () => {});
    const outcomes = { SETTLED: 0, RELEASED: 0 };
    for (let round = 0; round < 12; round++) {
      const { reservation } = await reserve();
      const order = await deliverOrderUsing(shop, reservation.code!, `race-${round}`);
      // Store the order without running its order-stored step: the test runs the settle itself.
      await runOnce({ connectionString: process.env.DATABASE_URL!, taskList: { "process-webhook": taskList["process-webhook"] }, logger: silent });
      const expiredAt = new Date(reservation.expiresAt.getTime() + EXPIRY_GRACE_MS + 1000);
      // Each side gets a head start of 0-14 ms in turn, so both orders of arrival are exercised.
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      const lead = (round * 5) % 15;
      await Promise.all([
        pause(round % 2 ? lead : 0).then(() => awardOrderPoints({ shop, orderGids: [order.admin_graphql_api_id] })),
        pause(round % 2 ? 0 : lead).then(() => releaseExpiredReservations({ shop, now: expiredAt })),
      ]);
      const closing = (await entriesOf(shop, profileId)).filter((e) => e.reservationId === reservation.id && (e.kind === "SETTLE" || e.kind === "RELEASE"));
      expect(closing, `round ${round}`).toHaveLength(1);
      const stored = await prisma.loyaltyReservation.findUniqueOrThrow({ where: { id: reservation.id } });
      expect(stored.status).toBe(closing[0].kind === "SETTLE" ? "SETTLED" : "RELEASED");
      outcomes[stored.status as "SETTLED" | "RELEASED"]++;
    }
    // Late order-stored jobs change nothing: the outcome of each reservation is final.
    await drainJobs();
    const closings = await prisma.loyaltyEntry.groupBy({ by: ["reservationId"], where: { shop, kind: { in: ["SETTLE", "RELEASE"] } }, _count: true });
    expect(closings.every((group) => group._count === 1)).toBe(true);
    expect(closings).toHaveLength(12);
    expect(outcomes.SETTLED + outcomes.RELEASED).toBe(12);
    // Every order used its code, so every reservation's points are spent exactly once: by its
    // SETTLE, or — when the release won — by the late charge under the settle key.
    const late = await prisma.loyaltyEntry.count({ where: { shop, profileId, kind: "REDEEM", idempotencyKey: { startsWith: "settle:" } } });
    expect(late).toBe(outcomes.RELEASED);
    const wallet = await getWallet(shop, profileId);
    expect(wallet?.heldPoints).toBe(0);
    expect(wallet?.balancePoints).toBe(5_000 - 100 * 12);
    await expectLedgerConsistent(shop);
  });

  it("charges the points once when an order uses a code after its hold expired and was released", async () => {
    const { shop, profileId, reserve } = await setup();
    const { reservation } = await reserve({ now: new Date(Date.now() - 30 * 60_000 - EXPIRY_GRACE_MS - 1000) });
    await releaseExpiredReservations({ shop, now: new Date() });
    expect((await getWallet(shop, profileId))?.balancePoints).toBe(500);
    await deliverOrderUsing(shop, reservation.code!, "late-1");
    await deliverOrderUsing(shop, reservation.code!, "late-2");
    await drainJobs();
    const charges = (await entriesOf(shop, profileId)).filter((e) => e.idempotencyKey === `settle:${reservation.id}`);
    expect(charges.map((e) => [e.kind, e.points])).toEqual([["REDEEM", -100]]);
    expect((await getWallet(shop, profileId))?.balancePoints).toBe(400);
    await expectLedgerConsistent(shop);
  });
});
