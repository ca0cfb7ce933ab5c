import { describe, expect, it } from "vitest";
import { getOrder, listOrdersWithLines } from "~/models/order.server";
import prisma, { pool } from "~/db.server";
import { storeOrdersWithClient } from "~/services/store-orders.server";
import { orderRecord } from "../../factories/records";
import { installTestShop } from "../../support/install";
import type { OrderRecord } from "~/shopify/webhook-payloads";

async function store(shop: string, orders: OrderRecord[], refunds: Parameters<typeof storeOrdersWithClient>[1]["refunds"] = []) {
  const client = await pool.connect();
  try {
    await client.query("begin");
    const result = await storeOrdersWithClient(client, { shop, orders, refunds, origin: "IMPORT" });
    await client.query("commit");
    return result;
  } finally {
    client.release();
  }
}

describe("COPY-staged order storage (imports and backfills)", () => {
  it("stores every character COPY treats specially, arrays with quotes, and nulls exactly", async () => {
    const { shop } = await installTestShop();
    const tricky = "tab\there, new\nline, cr\rback\\slash \\N \"quoted\" {braces,comma} عطر العود";
    const order = orderRecord({
      firstName: tricky,
      lastName: null,
      tags: ["a,b", 'say "hi"', "back\\slash", "NULL", ""],
      discountCodes: [],
      lines: [{ lineGid: "gid://shopify/LineItem/x1", productGid: null, variantGid: null, sku: null, title: tricky, variantTitle: "\\N", quantity: 3, priceMinor: 1234, discountMinor: 0, giftCard: true }],
    });
    const { writtenOrders } = await store(shop, [order]);
    expect(writtenOrders).toEqual([order.orderGid]);
    const stored = (await getOrder({ shop, orderGid: order.orderGid }))!;
    expect(stored.firstName).toBe(tricky);
    expect(stored.lastName).toBeNull();
    expect(stored.tags).toEqual(["a,b", 'say "hi"', "back\\slash", "NULL", ""]);
    expect(stored.shopifyUpdatedAt.toISOString()).toBe(order.shopifyUpdatedAt.toISOString());
    expect(stored.lines[0]).toMatchObject({ title: tricky, sku: null, variantTitle: "\\N", quantity: 3, priceMinor: 1234n, giftCard: true });
  });

  it("keeps the newest version, replaces lines only when the order row is written, and enqueues order-stored for written orders", async () => {
    const { shop } = await installTestShop();
    const first = orderRecord();
    await store(shop, [first]);
    const older = { ...first, shopifyUpdatedAt: new Date(first.shopifyUpdatedAt.getTime() - 1000), tags: ["older"], lines: [] };
    expect((await store(shop, [older])).writtenOrders).toEqual([]);
    const newer = { ...first, shopifyUpdatedAt: new Date(first.shopifyUpdatedAt.getTime() + 1000), tags: ["newer"], lines: [{ ...first.lines[0], lineGid: "gid://shopify/LineItem/new", quantity: 2 }] };
    expect((await store(shop, [newer, older])).writtenOrders).toEqual([first.orderGid]);
    const stored = (await getOrder({ shop, orderGid: first.orderGid }))!;
    expect(stored.tags).toEqual(["newer"]);
    expect(stored.lines.map((l) => [l.lineGid, l.quantity])).toEqual([["gid://shopify/LineItem/new", 2]]);
    const jobs = await prisma.$queryRaw<Array<{ n: bigint }>>`
      select count(*) as n from graphile_worker.jobs j join graphile_worker._private_jobs p on p.id = j.id
      where j.task_identifier = 'order-stored' and p.payload->>'shop' = ${shop}`;
    expect(Number(jobs[0].n)).toBe(2);
  });

  it("copies a batch of new orders straight in, and merges a batch that holds a stored order or names a line twice", async () => {
    const { shop } = await installTestShop();
    const fresh = [orderRecord(), orderRecord()];
    expect((await store(shop, fresh)).writtenOrders.sort()).toEqual(fresh.map((o) => o.orderGid).sort());

    // New orders after an order stored already (the COPY stops at it): the new ones are stored, the
    // stored one is compared by updated-at as on every path, and nothing is left half-written.
    const stale = { ...fresh[0], shopifyUpdatedAt: new Date(fresh[0].shopifyUpdatedAt.getTime() - 1000), tags: ["stale"] };
    const newer = { ...fresh[1], shopifyUpdatedAt: new Date(fresh[1].shopifyUpdatedAt.getTime() + 1000), tags: ["newer"] };
    const more = [orderRecord(), orderRecord()];
    const { writtenOrders } = await store(shop, [more[0], stale, more[1], newer]);
    expect(writtenOrders.sort()).toEqual([more[0].orderGid, more[1].orderGid, newer.orderGid].sort());
    const stored = await listOrdersWithLines({ shop });
    expect(stored).toHaveLength(4);
    expect(stored.find((o) => o.orderGid === fresh[0].orderGid)!.tags).toEqual([]);
    expect(stored.find((o) => o.orderGid === fresh[1].orderGid)!.tags).toEqual(["newer"]);
    expect(stored.every((o) => o.lines.length === 1)).toBe(true);

    // A line id twice in one order: the COPY of lines refuses it, the merge keeps the first.
    const doubled = orderRecord();
    const twice = { ...doubled, lines: [doubled.lines[0], { ...doubled.lines[0], quantity: 5 }] };
    expect((await store(shop, [twice])).writtenOrders).toEqual([doubled.orderGid]);
    expect(await prisma.orderLine.count({ where: { shop, orderGid: doubled.orderGid } })).toBe(1);
    expect(await prisma.order.count({ where: { shop } })).toBe(5);
  });

  it("stores a refund once with its lines, however often the batch is stored", async () => {
    const { shop } = await installTestShop();
    const order = orderRecord();
    const refund = {
      refundGid: "gid://shopify/Refund/1", orderGid: order.orderGid, shopifyCreatedAt: new Date("2026-02-01T00:00:00Z"), amountMinor: 5000, linesSubtotalMinor: 5000, currency: "SAR",
      lines: [{ lineGid: "gid://shopify/RefundLineItem/1", orderLineGid: order.lines[0].lineGid, quantity: 1, subtotalMinor: 5000 }],
    };
    expect((await store(shop, [order], [refund])).newRefunds).toEqual([refund.refundGid]);
    expect((await store(shop, [order], [refund])).newRefunds).toEqual([]);
    const refunds = await prisma.refund.findMany({ where: { shop }, include: { lines: true } });
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ amountMinor: 5000n, origin: "IMPORT" });
    expect(refunds[0].lines).toHaveLength(1);
  });
});
