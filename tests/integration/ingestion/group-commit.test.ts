import crypto from "node:crypto";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { ServerBuild } from "@remix-run/node";
import prisma from "~/db.server";
import { action as ordersCreate } from "~/routes/webhooks.orders.create";
import { recordAcceptedReceipt } from "~/models/webhook-receipt.server";
import { startHttpServer } from "../../../scripts/lib/http-server";
import { TEST_API_SECRET, webhookRequest } from "../../support/test-app";
import { installTestShop } from "../../support/install";
import { drainJobs } from "../../support/jobs";
import { orderPayload } from "../../factories/shopify-payloads";
import { buildWebhookRequest, type WebhookDelivery } from "../../support/fake-shopify/webhooks";

const deliver = (delivery: WebhookDelivery) => ordersCreate({ request: webhookRequest(delivery), params: {}, context: {} });

async function webhookJobs() {
  return prisma.$queryRaw<Array<{ id: string; receipt_ids: string[] | null; receipt_id: string; shop: string | null; attempts: number }>>`
    select j.id::text, array(select json_array_elements_text(p.payload->'receiptIds')) as receipt_ids,
           p.payload->>'receiptId' as receipt_id, p.payload->>'shop' as shop, j.attempts
    from graphile_worker.jobs j join graphile_worker._private_jobs p on p.id = j.id
    where j.task_identifier = 'process-webhook' order by j.id`;
}

/** Deliveries sent at once until some of them share a job (group commit formed a batch). */
async function deliverUntilBatched(shop: string) {
  for (let round = 0; round < 5; round++) {
    const responses = await Promise.all(Array.from({ length: 30 }, () => deliver({ shop, topic: "orders/create", payload: orderPayload() })));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    const shared = (await webhookJobs()).find((j) => j.shop === shop && (j.receipt_ids?.length ?? 0) >= 2);
    if (shared) return shared;
  }
  throw new Error("30 parallel deliveries never shared a statement");
}

describe("group commit of webhook receipts", () => {
  it("records parallel deliveries with fewer jobs than deliveries, every receipt in exactly one job", async () => {
    const { shop } = await installTestShop();
    const responses = await Promise.all(Array.from({ length: 40 }, () => deliver({ shop, topic: "orders/create", payload: orderPayload() })));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    const receipts = await prisma.webhookReceipt.findMany({ where: { shop }, select: { id: true } });
    expect(receipts).toHaveLength(40);
    const jobs = (await webhookJobs()).filter((j) => j.shop === shop);
    expect(jobs.length).toBeLessThan(40);
    const named = jobs.flatMap((j) => j.receipt_ids ?? []);
    expect(named.sort()).toEqual(receipts.map((r) => r.id.toString()).sort());
    for (const j of jobs) expect(j.receipt_id).toBe(j.receipt_ids![0]);
    await drainJobs();
    expect(await prisma.order.count({ where: { shop } })).toBe(40);
    expect(await prisma.webhookReceipt.count({ where: { shop, processedAt: null } })).toBe(0);
  });

  it("records one receipt per webhook id when the same id is in one batch several times", async () => {
    const { shop } = await installTestShop();
    const base = { shop, topic: "orders/create", apiVersion: "2026-10", triggeredAt: new Date(), payloadBytes: 2 };
    const ids = await Promise.all(
      ["a", "a", "b", "b", "c", "c", "d", "d", "e", "e"].map((w, i) =>
        recordAcceptedReceipt({ ...base, webhookId: `same-${w}`, eventId: `event-${w}`, payloadDigest: String(i), rawPayload: "{}" }),
      ),
    );
    const recorded = ids.filter((id): id is bigint => id !== null);
    expect(recorded).toHaveLength(5);
    expect(new Set(recorded).size).toBe(5);
    expect(await prisma.webhookReceipt.count({ where: { shop } })).toBe(5);
  });

  it("finishes the rest of a shared job and moves a receipt that cannot be processed to its own job", async () => {
    const { shop } = await installTestShop();
    const shared = await deliverUntilBatched(shop);
    const poisonId = shared.receipt_ids![1];
    await prisma.$executeRaw`update "WebhookReceipt" set payload = '{"id": "not-a-number"}'::jsonb where id = ${BigInt(poisonId)}`;
    await drainJobs();
    const unprocessed = await prisma.webhookReceipt.findMany({ where: { shop, processedAt: null } });
    expect(unprocessed.map((r) => r.id.toString())).toEqual([poisonId]);
    expect(unprocessed[0].failureReason).toMatch(/^attempt 1: /);
    // Its own job, named by its receipt, retrying with backoff (then dead-lettered on the Data sync page).
    const left = (await webhookJobs()).filter((j) => j.shop === shop);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ receipt_id: poisonId, attempts: 1 });
    expect(await prisma.order.count({ where: { shop } })).toBe((await prisma.webhookReceipt.count({ where: { shop } })) - 1);
  });
});

describe("webhook fast path of the production HTTP server", () => {
  it("hands a POST to /webhooks/<topic> to the route's action: signed is recorded, forged is refused", async () => {
    const { shop } = await installTestShop();
    const build = {
      routes: {
        root: { id: "root", path: "", module: {} },
        "routes/webhooks.orders.create": { id: "routes/webhooks.orders.create", parentId: "root", path: "webhooks/orders/create", module: { action: ordersCreate } },
      },
      entry: { module: {} },
      assets: { routes: {}, entry: { imports: [], module: "" }, url: "", version: "test" },
      publicPath: "/build/",
      assetsBuildDirectory: "public/build",
      future: {},
      mode: "production",
    } as unknown as ServerBuild;
    const server = await startHttpServer({ build, port: 0, host: "127.0.0.1" });
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const signed = buildWebhookRequest({ shop, topic: "orders/create", payload: orderPayload() }, TEST_API_SECRET);
      const ok = await fetch(`${base}/webhooks/orders/create`, { method: "POST", headers: signed.headers, body: signed.rawBody });
      expect(ok.status).toBe(200);
      expect(await prisma.webhookReceipt.count({ where: { shop, webhookId: signed.headers["X-Shopify-Webhook-Id"] } })).toBe(1);

      // Arabic text and a byte-order mark: the signature covers the bytes as sent.
      const arabic = buildWebhookRequest({ shop, topic: "orders/create", payload: orderPayload({ customer: { id: 77, first_name: "محمد", last_name: "الحربي", email: "m@example.com" } }) }, TEST_API_SECRET);
      const withMark = buildWebhookRequest({ shop, topic: "orders/create", payload: orderPayload() }, TEST_API_SECRET);
      const marked = `\uFEFF${withMark.rawBody}`;
      const markedHeaders = { ...withMark.headers, "X-Shopify-Hmac-Sha256": crypto.createHmac("sha256", TEST_API_SECRET).update(marked, "utf8").digest("base64") };
      expect((await fetch(`${base}/webhooks/orders/create`, { method: "POST", headers: arabic.headers, body: arabic.rawBody })).status).toBe(200);
      expect((await fetch(`${base}/webhooks/orders/create`, { method: "POST", headers: markedHeaders, body: marked })).status).toBe(200);
      const stored = await prisma.webhookReceipt.findFirstOrThrow({ where: { shop, webhookId: arabic.headers["X-Shopify-Webhook-Id"] } });
      expect(stored.status).toBe("ACCEPTED");
      expect(JSON.stringify(stored.payload)).toContain("محمد");
      expect(stored.payloadDigest).toBe(crypto.createHash("sha256").update(arabic.rawBody).digest("hex"));
      expect(await prisma.webhookReceipt.findFirstOrThrow({ where: { shop, webhookId: withMark.headers["X-Shopify-Webhook-Id"] } })).toMatchObject({ status: "REJECTED" });

      const forged = buildWebhookRequest({ shop, topic: "orders/create", payload: orderPayload() }, "not-the-app-secret");
      const refused = await fetch(`${base}/webhooks/orders/create`, { method: "POST", headers: forged.headers, body: forged.rawBody });
      expect(refused.status).toBe(401);
      expect(await prisma.webhookReceipt.count({ where: { shop, webhookId: forged.headers["X-Shopify-Webhook-Id"] } })).toBe(0);
      await drainJobs();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
