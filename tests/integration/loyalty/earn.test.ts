import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { action as ordersCreate } from "~/routes/webhooks.orders.create";
import { action as ordersCancelled } from "~/routes/webhooks.orders.cancelled";
import { action as refundsCreate } from "~/routes/webhooks.refunds.create";
import { awardOrderPoints } from "~/services/award-order-points.server";
import { webhookRequest } from "../../support/test-app";
import { installTestShop } from "../../support/install";
import { drainJobs } from "../../support/jobs";
import { expectLedgerConsistent, saveProgram } from "../../support/loyalty";
import { orderPayload, refundPayload } from "../../factories/shopify-payloads";

async function deliverOrder(shop: string, payload: ReturnType<typeof orderPayload>, webhookId: string) {
  const response = await ordersCreate({ request: webhookRequest({ shop, topic: "orders/create", payload, webhookId }), params: {}, context: {} });
  expect(response.status).toBe(200);
}

async function entriesOf(shop: string) {
  return prisma.loyaltyEntry.findMany({ where: { shop }, orderBy: { id: "asc" } });
}

describe("earning points from orders", () => {
  it("awards points once when orders/create is delivered twice", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop);
    const order = orderPayload();
    await deliverOrder(shop, order, "earn-1");
    await deliverOrder(shop, order, "earn-2");
    await drainJobs();
    await awardOrderPoints({ shop, orderGids: [order.admin_graphql_api_id] });

    const entries = await entriesOf(shop);
    // 200.00 SAR with VAT included (26.09): 173.91 eligible -> 173 points at 1 point per SAR, floor.
    expect(entries.map((e) => [e.kind, e.points, e.idempotencyKey])).toEqual([["EARN", 173, `earn:${order.admin_graphql_api_id}`]]);
    expect(entries[0].channel).toBe("ONLINE");
    expect(entries[0].source).toBe("ORDER");
    const earn = await prisma.loyaltyOrderEarn.findUniqueOrThrow({ where: { shop_orderGid: { shop, orderGid: order.admin_graphql_api_id } } });
    expect(earn.eligibleAmountMinor).toBe(17391n);
    await expectLedgerConsistent(shop);
  });

  it("stores one earn when the same order is awarded by ten jobs at once", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop);
    const order = orderPayload();
    await deliverOrder(shop, order, "par-1");
    await drainJobs();
    await Promise.all(Array.from({ length: 10 }, () => awardOrderPoints({ shop, orderGids: [order.admin_graphql_api_id] })));
    expect((await entriesOf(shop)).filter((e) => e.kind === "EARN")).toHaveLength(1);
    await expectLedgerConsistent(shop);
  });

  it("claws back a refund in proportion by the rate the order earned under, not today's rate", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop);
    const order = orderPayload();
    await deliverOrder(shop, order, "rv-1");
    await drainJobs();
    // The merchant doubles the rate after the order was placed.
    await saveProgram(shop, { earn: { ...(await import("~/domain/loyalty/settings")).defaultSettings("SAR").earn, pointsPerUnit: "2" } }, new Date("2026-11-02T00:00:00Z"));
    const refund = refundPayload(order);
    const response = await refundsCreate({ request: webhookRequest({ shop, topic: "refunds/create", payload: refund, webhookId: "rv-2" }), params: {}, context: {} });
    expect(response.status).toBe(200);
    await drainJobs();

    const entries = await entriesOf(shop);
    // Half the lines refunded: 86.96 of 173.91 eligible -> floor(173 x 8696 / 17391) = 86 points back, at version 1.
    expect(entries.map((e) => [e.kind, e.points, e.settingsVersion])).toEqual([
      ["EARN", 173, 1],
      ["REVERSAL", -86, 1],
    ]);
    expect(entries[1].refundGid).toBe(refund.admin_graphql_api_id);
    await expectLedgerConsistent(shop);
  });

  it("earns nothing on a gift card sold in the order, and claws back nothing when that gift card is refunded", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop);
    const base = orderPayload();
    const giftLineId = base.line_items[0].id + 500_000;
    const order = {
      ...base,
      subtotal_price: "300.00",
      total_price: "300.00",
      line_items: [
        ...base.line_items,
        {
          id: giftLineId, admin_graphql_api_id: `gid://shopify/LineItem/${giftLineId}`, product_id: 9002, variant_id: 9102, sku: null, title: "Gift card",
          variant_title: "100 SAR", quantity: 1, price: "100.00", total_discount: "0.00", discount_allocations: [], gift_card: true,
        },
      ],
    };
    await deliverOrder(shop, order as unknown as ReturnType<typeof orderPayload>, "gift-1");
    await drainJobs();
    const line = await prisma.orderLine.findUniqueOrThrow({ where: { shop_orderGid_lineGid: { shop, orderGid: order.admin_graphql_api_id, lineGid: `gid://shopify/LineItem/${giftLineId}` } } });
    expect(line.giftCard).toBe(true);
    // 300.00 of lines, 100.00 of them a gift card, VAT 26.09 on the perfume: 173.91 eligible -> 173 points, as without the gift card.
    const earn = await prisma.loyaltyOrderEarn.findUniqueOrThrow({ where: { shop_orderGid: { shop, orderGid: order.admin_graphql_api_id } } });
    expect(earn.eligibleAmountMinor).toBe(17391n);

    const giftRefund = refundPayload(order, {
      refund_line_items: [{ id: giftLineId + 1, line_item_id: giftLineId, quantity: 1, subtotal: "100.00", subtotal_set: { shop_money: { amount: "100.00", currency_code: "SAR" } } }],
    });
    await refundsCreate({ request: webhookRequest({ shop, topic: "refunds/create", payload: giftRefund, webhookId: "gift-2" }), params: {}, context: {} });
    await drainJobs();
    expect((await entriesOf(shop)).map((e) => [e.kind, e.points])).toEqual([["EARN", 173]]);

    // Half the perfume refunded: the clawback is in proportion to the earning lines only (as in the test above).
    const perfumeRefund = refundPayload(order, { created_at: "2026-11-04T12:00:00+03:00" });
    await refundsCreate({ request: webhookRequest({ shop, topic: "refunds/create", payload: perfumeRefund, webhookId: "gift-3" }), params: {}, context: {} });
    await drainJobs();
    expect((await entriesOf(shop)).map((e) => [e.kind, e.points])).toEqual([["EARN", 173], ["REVERSAL", -86]]);
    await expectLedgerConsistent(shop);
  });

  it("reverses what is left of the earn when the order is cancelled after a refund, and nothing more on a late refund", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop);
    const order = orderPayload();
    await deliverOrder(shop, order, "c-1");
    await drainJobs();
    const refund = refundPayload(order);
    await refundsCreate({ request: webhookRequest({ shop, topic: "refunds/create", payload: refund, webhookId: "c-2" }), params: {}, context: {} });
    const cancelled = { ...order, cancelled_at: "2026-11-04T10:00:00+03:00", cancel_reason: "customer", updated_at: "2026-11-04T10:00:00+03:00" };
    await ordersCancelled({ request: webhookRequest({ shop, topic: "orders/cancelled", payload: cancelled, webhookId: "c-3" }), params: {}, context: {} });
    await drainJobs();
    const late = refundPayload(order, { created_at: "2026-11-05T10:00:00+03:00" });
    await refundsCreate({ request: webhookRequest({ shop, topic: "refunds/create", payload: late, webhookId: "c-4" }), params: {}, context: {} });
    await drainJobs();

    const entries = await entriesOf(shop);
    expect(entries.map((e) => [e.kind, e.points, e.source])).toEqual([
      ["EARN", 173, "ORDER"],
      ["REVERSAL", -86, "REFUND"],
      ["REVERSAL", -87, "CANCELLATION"],
    ]);
    const wallet = await prisma.loyaltyWallet.findFirstOrThrow({ where: { shop } });
    expect(wallet.balancePoints).toBe(0);
    await expectLedgerConsistent(shop);
  });

  it("earns nothing for orders placed before the program started or while it was off", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop, {}, new Date("2026-12-01T00:00:00Z"));
    const order = orderPayload();
    await deliverOrder(shop, order, "early-1");
    await drainJobs();
    expect(await entriesOf(shop)).toEqual([]);
  });

  it.each([
    { currency: "JPY", subtotal: "2000", tax: "0", expected: 2000, eligible: 2000n },
    { currency: "SAR", subtotal: "20.05", tax: "0.00", expected: 20, eligible: 2005n },
    { currency: "KWD", subtotal: "20.555", tax: "0.000", expected: 20, eligible: 20555n },
  ])("earns on $currency amounts with the currency's own decimals", async ({ currency, subtotal, tax, expected, eligible }) => {
    const { shop } = await installTestShop({ currencyCode: currency });
    await saveProgram(shop, { currency });
    const order = orderPayload({
      currency,
      presentment_currency: currency,
      subtotal_price: subtotal,
      total_price: subtotal,
      total_tax: tax,
      taxes_included: false,
      total_shipping_price_set: { shop_money: { amount: "0", currency_code: currency } },
    });
    await deliverOrder(shop, order, `cur-${currency}`);
    await drainJobs();
    const [entry] = await entriesOf(shop);
    expect(entry.points).toBe(expected);
    const earn = await prisma.loyaltyOrderEarn.findFirstOrThrow({ where: { shop } });
    expect(earn.eligibleAmountMinor).toBe(eligible);
  });
});
