import { describe, expect, it } from "vitest";
import { listOrdersWithLines } from "~/models/order.server";
import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "~/db.server";
import { action as ordersCreate } from "~/routes/webhooks.orders.create";
import { action as ordersUpdated } from "~/routes/webhooks.orders.updated";
import { action as ordersCancelled } from "~/routes/webhooks.orders.cancelled";
import { action as refundsCreate } from "~/routes/webhooks.refunds.create";
import { action as customersUpdate } from "~/routes/webhooks.customers.update";
import { action as customersDelete } from "~/routes/webhooks.customers.delete";
import { action as shopRedact } from "~/routes/webhooks.shop.redact";
import { webhookRequest } from "../../support/test-app";
import { installTestShop } from "../../support/install";
import { drainJobs } from "../../support/jobs";
import { customerPayload, orderPayload, refundPayload } from "../../factories/shopify-payloads";
import type { WebhookDelivery } from "../../support/fake-shopify/webhooks";

type Action = (args: ActionFunctionArgs) => Promise<Response>;
const deliver = (action: Action, delivery: WebhookDelivery) => action({ request: webhookRequest(delivery), params: {}, context: {} });

async function jobCount(identifier: string) {
  const rows = await prisma.$queryRaw<Array<{ n: bigint }>>`select count(*) as n from graphile_worker.jobs where task_identifier = ${identifier}`;
  return Number(rows[0].n);
}

describe("order webhooks", () => {
  it("stores one order when orders/create is delivered twice", async () => {
    const { shop } = await installTestShop();
    const order = orderPayload();
    const first = await deliver(ordersCreate, { shop, topic: "orders/create", payload: order, webhookId: "dup-1", eventId: "evt-1" });
    const again = await deliver(ordersCreate, { shop, topic: "orders/create", payload: order, webhookId: "dup-1", eventId: "evt-1" });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(await prisma.webhookReceipt.count({ where: { shop } })).toBe(1);
    await drainJobs();
    const stored = await listOrdersWithLines({ shop });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ channel: "ONLINE", currency: "SAR", subtotalMinor: 20000n, totalMinor: 20000n, customerGid: "gid://shopify/Customer/7001" });
    expect(stored[0].lines).toHaveLength(1);
    expect(stored[0].lines[0]).toMatchObject({ sku: "OUD-50", quantity: 2, priceMinor: 10000n });
  });

  it("enqueues nothing for a redelivery of the same event under a new webhook id", async () => {
    const { shop } = await installTestShop();
    const order = orderPayload();
    await deliver(ordersCreate, { shop, topic: "orders/create", payload: order, webhookId: "a-1", eventId: "same-event" });
    await drainJobs();
    await deliver(ordersCreate, { shop, topic: "orders/create", payload: order, webhookId: "a-2", eventId: "same-event" });
    expect(await prisma.webhookReceipt.count({ where: { shop } })).toBe(1);
    expect(await jobCount("process-webhook")).toBe(0);
  });

  it("stores one order when twenty identical deliveries arrive in parallel", async () => {
    const { shop } = await installTestShop();
    const order = orderPayload();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => deliver(ordersCreate, { shop, topic: "orders/create", payload: order, webhookId: "parallel-1", eventId: "pe-1" })),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(await prisma.webhookReceipt.count({ where: { shop } })).toBe(1);
    await drainJobs();
    expect(await prisma.order.count({ where: { shop } })).toBe(1);
  });

  it("keeps the newer version when orders/updated arrives before orders/create", async () => {
    const { shop } = await installTestShop();
    const created = orderPayload();
    const updated = { ...created, updated_at: "2026-11-02T08:00:00+03:00", tags: "gift", financial_status: "paid" };
    await deliver(ordersUpdated, { shop, topic: "orders/updated", payload: updated });
    await drainJobs();
    await deliver(ordersCreate, { shop, topic: "orders/create", payload: created });
    await drainJobs();
    const stored = await prisma.order.findUniqueOrThrow({ where: { shop_orderGid: { shop, orderGid: created.admin_graphql_api_id } } });
    expect(stored.tags).toEqual(["gift"]);
    expect(stored.shopifyUpdatedAt.toISOString()).toBe("2026-11-02T05:00:00.000Z");
  });

  it("records a refund that arrives after the order was cancelled", async () => {
    const { shop } = await installTestShop();
    const order = orderPayload();
    await deliver(ordersCreate, { shop, topic: "orders/create", payload: order });
    const cancelled = { ...order, cancelled_at: "2026-11-02T09:00:00+03:00", cancel_reason: "customer", updated_at: "2026-11-02T09:00:00+03:00" };
    await deliver(ordersCancelled, { shop, topic: "orders/cancelled", payload: cancelled });
    const refund = refundPayload(order, { transactions: [{ amount: "200.00", kind: "refund", status: "success" }] });
    await deliver(refundsCreate, { shop, topic: "refunds/create", payload: refund });
    await drainJobs();
    const stored = await prisma.order.findUniqueOrThrow({ where: { shop_orderGid: { shop, orderGid: order.admin_graphql_api_id } } });
    expect(stored.cancelledAt?.toISOString()).toBe("2026-11-02T06:00:00.000Z");
    const refunds = await prisma.refund.findMany({ where: { shop }, include: { lines: true } });
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ amountMinor: 20000n, linesSubtotalMinor: 10000n, orderGid: order.admin_graphql_api_id });
  });

  it("stores a POS order with its branch and the contact typed on the order when no customer is attached", async () => {
    const { shop } = await installTestShop();
    const order = orderPayload({ source_name: "pos", location_id: 70001, customer: null, email: null, phone: "٠٥٠١٢٣٤٥٦٧", shipping_address: null, billing_address: { first_name: "محمد", last_name: "القحطاني", phone: "٠٥٠١٢٣٤٥٦٧" } });
    await deliver(ordersCreate, { shop, topic: "orders/create", payload: order });
    await drainJobs();
    const stored = await prisma.order.findUniqueOrThrow({ where: { shop_orderGid: { shop, orderGid: order.admin_graphql_api_id } } });
    expect(stored).toMatchObject({ channel: "POS", locationGid: "gid://shopify/Location/70001", customerGid: null, phone: "٠٥٠١٢٣٤٥٦٧", firstName: "محمد" });
  });

  it("finishes exactly once when the worker dies after the order was stored but before the job was acknowledged", async () => {
    const { shop } = await installTestShop();
    const order = orderPayload();
    await deliver(ordersCreate, { shop, topic: "orders/create", payload: order });
    const { processWebhookReceipt } = await import("~/services/process-webhook.server");
    const receipt = await prisma.webhookReceipt.findFirstOrThrow({ where: { shop } });
    // The first run commits its effects; the "crash" loses the acknowledgement, so the job runs again.
    await processWebhookReceipt(receipt.id);
    await drainJobs();
    expect(await prisma.order.count({ where: { shop } })).toBe(1);
    expect(await prisma.orderLine.count({ where: { shop } })).toBe(1);
    expect(await jobCount("order-stored")).toBe(0);
  });
});

describe("customer webhooks", () => {
  it("does not bring a deleted customer back when an older update arrives late", async () => {
    const { shop } = await installTestShop();
    const customer = customerPayload();
    await deliver(customersDelete, { shop, topic: "customers/delete", payload: { id: customer.id, admin_graphql_api_id: customer.admin_graphql_api_id } });
    await deliver(customersUpdate, { shop, topic: "customers/update", payload: customer });
    await drainJobs();
    const stored = await prisma.customer.findUniqueOrThrow({ where: { shop_customerGid: { shop, customerGid: customer.admin_graphql_api_id } } });
    expect(stored.deletedAt).not.toBeNull();
    expect(stored.email).toBeNull();
  });
});

describe("deliveries that can never be processed", () => {
  const cases: Array<[string, (shop: string) => WebhookDelivery, string, Action?]> = [
    ["malformed JSON", (shop) => ({ shop, topic: "orders/create", payload: null, rawBody: '{"id": 1,' }), "MALFORMED_JSON"],
    ["an order without its required fields", (shop) => ({ shop, topic: "orders/create", payload: { id: 1 } }), "INVALID_PAYLOAD"],
    ["a topic Wafa does not handle", (shop) => ({ shop, topic: "products/create", payload: { id: 1 } }), "UNKNOWN_TOPIC"],
    ["a payload over 5 MB", (shop) => ({ shop, topic: "orders/create", payload: { ...orderPayload(), note: "x".repeat(5 * 1024 * 1024 + 10) } }), "PAYLOAD_TOO_LARGE"],
    ["a payload naming another shop", (shop) => ({ shop, topic: "shop/redact", payload: { shop_id: 1, shop_domain: "other-shop.myshopify.com" } }), "SHOP_MISMATCH", shopRedact],
  ];

  it.each(cases)("records %s as rejected, answers 200 and stores nothing", async (_name, build, code, route) => {
    const { shop } = await installTestShop();
    const response = await deliver(route ?? ordersCreate, build(shop));
    expect(response.status).toBe(200);
    const receipts = await prisma.webhookReceipt.findMany({ where: { shop } });
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({ status: "REJECTED", rejectCode: code });
    expect(receipts[0].rejectReason).toBeTruthy();
    await drainJobs();
    expect(await prisma.order.count({ where: { shop } })).toBe(0);
  });
});

describe("batched processing", () => {
  it("stores a burst of deliveries once each, in batches, with every receipt marked processed", async () => {
    const { shop } = await installTestShop();
    const orders = Array.from({ length: 60 }, () => orderPayload());
    await Promise.all(orders.map((order) => deliver(ordersCreate, { shop, topic: "orders/create", payload: order })));
    // Two workers at once, as in production: batches claim disjoint receipts.
    await Promise.all([drainJobs(), drainJobs()]);
    expect(await prisma.order.count({ where: { shop } })).toBe(60);
    expect(await prisma.orderLine.count({ where: { shop } })).toBe(60);
    expect(await prisma.webhookReceipt.count({ where: { shop, processedAt: null } })).toBe(0);
    expect(await jobCount("process-webhook")).toBe(0);
  });

  it("fills a batch with the shop's oldest pending receipts in arrival order, also where ids gain a digit", async () => {
    const { shop } = await installTestShop();
    // The next receipts get ids N-3 … N+2 for a power of ten N: as text, "N" sorts before "N-3".
    const [{ max }] = await prisma.$queryRaw<Array<{ max: bigint | null }>>`select max(id) as max from "WebhookReceipt"`;
    const n = 10n ** BigInt(String((max ?? 0n) + 10n).length);
    await prisma.$executeRaw`select setval(pg_get_serial_sequence('"WebhookReceipt"', 'id'), ${n - 4n})`;
    for (let i = 0; i < 6; i++) await deliver(ordersCreate, { shop, topic: "orders/create", payload: orderPayload() });
    const receipts = await prisma.webhookReceipt.findMany({ where: { shop }, orderBy: { id: "asc" } });
    expect(receipts.map((r) => r.id)).toEqual([n - 3n, n - 2n, n - 1n, n, n + 1n, n + 2n]);

    const { processWebhookReceipt } = await import("~/services/process-webhook.server");
    await processWebhookReceipt(n + 2n, { batchSize: 4 });
    const processed = await prisma.webhookReceipt.findMany({ where: { shop, processedAt: { not: null } }, orderBy: { id: "asc" } });
    expect(processed.map((r) => r.id)).toEqual([n - 3n, n - 2n, n - 1n, n + 2n]);
    expect(await prisma.order.count({ where: { shop } })).toBe(4);
  });

  it("does not let a receipt that cannot be parsed hold back the others, and reports it", async () => {
    const { shop } = await installTestShop();
    const good = [orderPayload(), orderPayload()];
    for (const order of good) await deliver(ordersCreate, { shop, topic: "orders/create", payload: order });
    const bad = orderPayload();
    await deliver(ordersCreate, { shop, topic: "orders/create", payload: bad });
    // A payload that passed the edge but no longer parses (e.g. stored before a schema change).
    await prisma.$executeRaw`update "WebhookReceipt" set payload = '{"id": "not-a-number"}'::jsonb where shop = ${shop} and payload->>'id' = ${String(bad.id)}`;
    await prisma.$executeRaw`update graphile_worker._private_jobs set max_attempts = 1 where task_id in (select id from graphile_worker._private_tasks where identifier = 'process-webhook')`;
    await drainJobs();
    expect(await prisma.order.count({ where: { shop } })).toBe(2);
    const failed = await prisma.webhookReceipt.findMany({ where: { shop, processedAt: null } });
    expect(failed).toHaveLength(1);
    expect(failed[0].failureReason).toMatch(/attempt 1/);
  });
});
