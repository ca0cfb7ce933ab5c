import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { InsufficientPointsError, ValidationError } from "~/domain/errors";
import { action as ordersCreate } from "~/routes/webhooks.orders.create";
import { action as refundsCreate } from "~/routes/webhooks.refunds.create";
import { adjustPoints, redeemPoints } from "~/services/adjust-points.server";
import { followProfileEvents } from "~/services/follow-profile-events.server";
import { webhookRequest } from "../../support/test-app";
import { installTestShop } from "../../support/install";
import { drainJobs } from "../../support/jobs";
import { createProfile, expectLedgerConsistent, getWallet, saveProgram } from "../../support/loyalty";
import { customerPayload, orderPayload, refundPayload } from "../../factories/shopify-payloads";

const STAFF = { staffId: "gid://shopify/StaffMember/1", staffName: "Noura" };

async function credit(shop: string, profileId: string, points: number, requestId: string = crypto.randomUUID()) {
  return adjustPoints({ shop, profileId, points, reason: "Goodwill", requestId, ...STAFF });
}

async function deliverOrder(shop: string, payload: ReturnType<typeof orderPayload>) {
  const response = await ordersCreate({ request: webhookRequest({ shop, topic: "orders/create", payload, webhookId: crypto.randomUUID() }), params: {}, context: {} });
  expect(response.status).toBe(200);
}

async function profileOfOrder(shop: string, orderGid: string): Promise<string> {
  const earn = await prisma.loyaltyOrderEarn.findUniqueOrThrow({ where: { shop_orderGid: { shop, orderGid } } });
  return earn.profileId;
}

describe("the points ledger in PostgreSQL", () => {
  it("lets exactly 50 of 100 parallel 10-point redemptions through on a 500-point balance", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop);
    const profileId = await createProfile(shop);
    await credit(shop, profileId, 500);

    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => redeemPoints({ shop, profileId, points: 10, clientRequestId: `r-${i}`, channel: "POS" })),
    );
    const ok = outcomes.filter((o) => o.status === "fulfilled");
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(ok).toHaveLength(50);
    expect(failed).toHaveLength(50);
    for (const failure of failed) expect(failure.reason).toBeInstanceOf(InsufficientPointsError);
    expect((await getWallet(shop, profileId))?.balancePoints).toBe(0);
    await expectLedgerConsistent(shop);
  });

  it("answers a retried redemption with the first result and spends once", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop);
    const profileId = await createProfile(shop);
    await credit(shop, profileId, 100);
    const first = await redeemPoints({ shop, profileId, points: 30, clientRequestId: "till-7", channel: "POS" });
    const again = await Promise.all([1, 2, 3].map(() => redeemPoints({ shop, profileId, points: 30, clientRequestId: "till-7", channel: "POS" })));
    expect(first).toMatchObject({ status: "APPLIED", balancePoints: 70 });
    for (const result of again) expect(result).toMatchObject({ status: "DUPLICATE", balancePoints: 70 });
    expect(await prisma.loyaltyEntry.count({ where: { shop, kind: "REDEEM" } })).toBe(1);
  });

  it("refuses to spend pending points with INSUFFICIENT_POINTS and changes nothing", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop, { pendingDays: 14 });
    const order = orderPayload({ created_at: new Date(Date.now() - 86_400_000).toISOString() });
    await deliverOrder(shop, order);
    await drainJobs();
    const profileId = await profileOfOrder(shop, order.admin_graphql_api_id);
    const before = await prisma.loyaltyEntry.count({ where: { shop } });
    const error = await redeemPoints({ shop, profileId, points: 10, clientRequestId: "p-1", channel: "ONLINE" }).catch((e) => e);
    expect(error).toBeInstanceOf(InsufficientPointsError);
    expect(error.code).toBe("INSUFFICIENT_POINTS");
    expect(error.details).toMatchObject({ availablePoints: 0, pendingPoints: 173 });
    expect(await prisma.loyaltyEntry.count({ where: { shop } })).toBe(before);
  });

  it("records staff adjustments with reason and staff, once per request, and never overdraws under the default policy", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop);
    const profileId = await createProfile(shop);
    expect(await credit(shop, profileId, 40, "form-1")).toEqual({ status: "APPLIED", balancePoints: 40 });
    expect(await credit(shop, profileId, 40, "form-1")).toEqual({ status: "DUPLICATE", balancePoints: 40 });
    await expect(adjustPoints({ shop, profileId, points: -50, reason: "Correction", requestId: "form-2", ...STAFF })).rejects.toBeInstanceOf(InsufficientPointsError);
    await expect(adjustPoints({ shop, profileId, points: 0, reason: " ", requestId: "form-3", ...STAFF })).rejects.toBeInstanceOf(ValidationError);
    const entries = await prisma.loyaltyEntry.findMany({ where: { shop } });
    expect(entries.map((e) => [e.kind, e.points, e.reason, e.staffId, e.staffName, e.source])).toEqual([
      ["ADJUSTMENT", 40, "Goodwill", STAFF.staffId, "Noura", "STAFF"],
    ]);
  });

  it("records the shortfall when a refund claws back points already spent, and keeps the balance at zero", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop);
    const order = orderPayload();
    await deliverOrder(shop, order);
    await drainJobs();
    const profileId = await profileOfOrder(shop, order.admin_graphql_api_id);
    await redeemPoints({ shop, profileId, points: 150, clientRequestId: "spend", channel: "ONLINE" });
    const refund = refundPayload(order, {
      refund_line_items: [{ id: 1, line_item_id: order.line_items[0].id, quantity: 2, subtotal: "200.00", subtotal_set: { shop_money: { amount: "200.00", currency_code: "SAR" } }, total_tax: "26.09" }],
    });
    await refundsCreate({ request: webhookRequest({ shop, topic: "refunds/create", payload: refund, webhookId: "sf-1" }), params: {}, context: {} });
    await drainJobs();
    const reversal = await prisma.loyaltyEntry.findFirstOrThrow({ where: { shop, kind: "REVERSAL" } });
    expect([reversal.points, reversal.shortfallPoints]).toEqual([-23, 150]);
    expect((await getWallet(shop, profileId))?.balancePoints).toBe(0);
    await expectLedgerConsistent(shop);
  });

  it("lets the balance go negative under ALLOW_NEGATIVE and repays the debt from the next earn", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop, { negativeBalancePolicy: "ALLOW_NEGATIVE" });
    const order = orderPayload();
    await deliverOrder(shop, order);
    await drainJobs();
    const profileId = await profileOfOrder(shop, order.admin_graphql_api_id);
    await redeemPoints({ shop, profileId, points: 150, clientRequestId: "spend", channel: "ONLINE" });
    const refund = refundPayload(order, {
      refund_line_items: [{ id: 1, line_item_id: order.line_items[0].id, quantity: 2, subtotal: "200.00", subtotal_set: { shop_money: { amount: "200.00", currency_code: "SAR" } }, total_tax: "26.09" }],
    });
    await refundsCreate({ request: webhookRequest({ shop, topic: "refunds/create", payload: refund, webhookId: "neg-1" }), params: {}, context: {} });
    await drainJobs();
    expect(await getWallet(shop, profileId)).toMatchObject({ balancePoints: -150, debtPoints: 150 });
    await deliverOrder(shop, orderPayload({ created_at: "2026-11-10T10:00:00+03:00" }));
    await drainJobs();
    expect(await getWallet(shop, profileId)).toMatchObject({ balancePoints: 23, debtPoints: 0 });
    await expectLedgerConsistent(shop);
  });

  it("moves a wallet on a profile merge and moves the order points back on a split, nothing counted twice", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop);
    const first = orderPayload({ customer: { ...customerPayload({ email: "a@example.com", phone: "+966500000001" }) }, email: "a@example.com" });
    const second = orderPayload({
      customer: { ...customerPayload({ email: "b@example.com", phone: "+966500000002", first_name: "Sara", last_name: "Saleh" }) },
      email: "b@example.com",
      billing_address: { first_name: "Sara", last_name: "Saleh", city: "Jeddah", country_code: "SA", phone: "0500000002" },
      shipping_address: { first_name: "Sara", last_name: "Saleh", address1: "Tahlia St 3", city: "Jeddah", zip: "23431", country_code: "SA" },
      subtotal_price: "100.00",
      total_tax: "0.00",
      taxes_included: false,
    });
    await deliverOrder(shop, first);
    await deliverOrder(shop, second);
    await drainJobs();
    const a = await profileOfOrder(shop, first.admin_graphql_api_id);
    const b = await profileOfOrder(shop, second.admin_graphql_api_id).catch(async (error) => {
      const jobs = await prisma.$queryRaw<Array<{ task_identifier: string; last_error: string | null }>>`select task_identifier, last_error from graphile_worker.jobs`;
      throw new Error(`${error.message}\n${JSON.stringify(jobs)}`);
    });
    expect(a).not.toBe(b);
    await credit(shop, b, 5, "bonus-b");

    // Identity merges b into a (as resolve-identity does: members move, an event is recorded).
    const secondCustomer = (second.customer as { admin_graphql_api_id: string }).admin_graphql_api_id;
    await prisma.profileMember.updateMany({ where: { shop, profileId: b }, data: { profileId: a } });
    await prisma.profileEvent.create({ data: { shop, kind: "MERGED", fromProfileId: b, toProfileId: a, memberKeys: [secondCustomer] } });
    expect(await followProfileEvents({ shop })).toBe(1);
    expect(await followProfileEvents({ shop })).toBe(0);
    expect(await getWallet(shop, a)).toMatchObject({ balancePoints: 173 + 100 + 5 });
    expect(await getWallet(shop, b)).toMatchObject({ balancePoints: 0 });
    expect(await profileOfOrder(shop, second.admin_graphql_api_id)).toBe(a);

    // The merchant splits b's customer off again: its order points go back, the bonus stays.
    await prisma.profileMember.updateMany({ where: { shop, memberKey: secondCustomer }, data: { profileId: b } });
    await prisma.profileEvent.create({ data: { shop, kind: "SPLIT", fromProfileId: a, toProfileId: b, memberKeys: [secondCustomer] } });
    expect(await followProfileEvents({ shop })).toBe(1);
    expect(await getWallet(shop, a)).toMatchObject({ balancePoints: 173 + 5 });
    expect(await getWallet(shop, b)).toMatchObject({ balancePoints: 100 });
    const transfers = await prisma.loyaltyEntry.findMany({ where: { shop, kind: { in: ["TRANSFER_OUT", "TRANSFER_IN"] } }, orderBy: { id: "asc" } });
    expect(transfers.map((e) => [e.kind, e.profileId === a ? "a" : "b", e.points])).toEqual([
      ["TRANSFER_OUT", "b", -105],
      ["TRANSFER_IN", "a", 105],
      ["TRANSFER_OUT", "a", -100],
      ["TRANSFER_IN", "b", 100],
    ]);
    await expectLedgerConsistent(shop);
  });

  it("keeps shops apart: the same idempotency key in two shops is two entries", async () => {
    const one = await installTestShop();
    const two = await installTestShop();
    await saveProgram(one.shop);
    await saveProgram(two.shop);
    const p1 = await createProfile(one.shop);
    const p2 = await createProfile(two.shop);
    await credit(one.shop, p1, 10, "same-key");
    await credit(two.shop, p2, 20, "same-key");
    expect((await getWallet(one.shop, p1))?.balancePoints).toBe(10);
    expect((await getWallet(two.shop, p2))?.balancePoints).toBe(20);
    await expect(adjustPoints({ shop: two.shop, profileId: p1, points: 5, reason: "x", requestId: "cross", ...STAFF })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
