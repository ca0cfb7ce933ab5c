import { beforeEach, describe, expect, it } from "vitest";
import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "~/db.server";
import DataSync, { action as dataSyncAction, loader as dataSyncLoader } from "~/routes/app.data-sync";
import { formatNumber, translate } from "~/i18n/locale";
import { rekeyShop } from "~/services/resolve-identity.server";
import { action as ordersCreate } from "~/routes/webhooks.orders.create";
import { action as customersUpdate } from "~/routes/webhooks.customers.update";
import { browserHeaders, fakeShopify, webhookRequest } from "../../support/test-app";
import { installTestShop } from "../../support/install";
import { drainJobs } from "../../support/jobs";
import { storeKeyedByOlderCode } from "../../support/identity-keys";
import { renderRoute } from "../../support/render-route";
import { orderPayload } from "../../factories/shopify-payloads";
import type { WebhookDelivery } from "../../support/fake-shopify/webhooks";

const fake = fakeShopify();

beforeEach(() => {
  // Backfills started on install complete by polling (the shops have no history).
  fake.bulkOperations.configure({ completeAfterMs: 20, webhooks: false });
});

type Action = (args: ActionFunctionArgs) => Promise<Response>;
const deliver = (action: Action, delivery: WebhookDelivery) => action({ request: webhookRequest(delivery), params: {}, context: {} });

function adminRequest(shop: string, path: string, init: { method?: string; body?: BodyInit } = {}) {
  const token = fake.mintSessionToken({ shop, sub: "1" });
  return new Request(`https://wafa.test${path}`, {
    method: init.method ?? "GET",
    body: init.body,
    headers: { Authorization: `Bearer ${token}`, ...browserHeaders },
  });
}

const loadReport = (shop: string) => dataSyncLoader({ request: adminRequest(shop, "/app/data-sync"), params: {}, context: {} });
const startBackfill = (shop: string) => dataSyncAction({ request: adminRequest(shop, "/app/data-sync", { method: "POST", body: new URLSearchParams() }), params: {}, context: {} });

async function until(check: () => Promise<boolean>, timeoutMs = 20_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * One delivery of each outcome for a shop: processed, rejected (invalid payload and malformed
 * JSON), and failed for good (its processing throws and its job has exhausted its retries).
 */
async function deliverEveryOutcome(shop: string) {
  await deliver(ordersCreate, { shop, topic: "orders/create", payload: orderPayload() });
  await deliver(ordersCreate, { shop, topic: "orders/create", payload: { id: 1 } });
  await deliver(customersUpdate, { shop, topic: "customers/update", payload: null, rawBody: "{not json" });
  const doomed = orderPayload();
  await deliver(ordersCreate, { shop, topic: "orders/create", payload: doomed, webhookId: `doomed-${doomed.id}` });
  const receipt = await prisma.webhookReceipt.findFirstOrThrow({ where: { shop, webhookId: `doomed-${doomed.id}` } });
  // A payload processing cannot read, and a job with one attempt left: it fails and is dead-lettered.
  await prisma.$executeRaw`update "WebhookReceipt" set payload = '{"id": "not-an-order"}'::jsonb where id = ${receipt.id}`;
  await prisma.$executeRaw`update graphile_worker._private_jobs set max_attempts = 1 where payload->>'receiptId' = ${receipt.id.toString()}`;
  return receipt.id.toString();
}

describe("Data sync page", () => {
  it("counts accepted, processed, rejected and failed deliveries by topic and lists failures, dead jobs and rejections of this shop only", async () => {
    const { shop } = await installTestShop();
    const { shop: other } = await installTestShop();
    const failedId = await deliverEveryOutcome(shop);
    const otherFailedId = await deliverEveryOutcome(other);
    await deliver(ordersCreate, { shop: other, topic: "orders/create", payload: orderPayload() });
    await drainJobs();

    const report = await loadReport(shop);
    expect(report.topics.map((t) => [t.topic, t.accepted, t.processed, t.rejected, t.failed])).toEqual([
      ["customers/update", 0, 0, 1, 0],
      ["orders/create", 2, 1, 1, 1],
    ]);
    expect(report.totals).toEqual({ accepted: 2, processed: 1, rejected: 2, failed: 1 });

    expect(report.failedReceipts).toHaveLength(1);
    expect(report.failedReceipts[0]).toMatchObject({ id: failedId, topic: "orders/create" });
    expect(report.failedReceipts[0].reason).toMatch(/^attempt 1: /);
    expect(report.deadJobs).toHaveLength(1);
    expect(report.deadJobs[0]).toMatchObject({ task: "process-webhook", receiptId: failedId, topic: "orders/create", attempts: 1 });
    expect(report.deadJobs[0].lastError).toBeTruthy();
    expect(report.deadJobCount).toBe(1);
    expect(report.jobs.find((j) => j.task === "process-webhook")).toEqual({ task: "process-webhook", waiting: 0, retrying: 0, dead: 1 });

    expect(report.rejected.map((r) => [r.topic, r.code]).sort()).toEqual([
      ["customers/update", "MALFORMED_JSON"],
      ["orders/create", "INVALID_PAYLOAD"],
    ]);
    expect(report.rejected.find((r) => r.code === "INVALID_PAYLOAD")!.reason).toMatch(/^Missing or invalid fields: /);

    const last = await prisma.webhookReceipt.aggregate({ where: { shop }, _max: { receivedAt: true } });
    expect(report.lastEventAt).toBe(last._max.receivedAt!.toISOString());

    // The other shop sees its own numbers, and neither sees the other's receipts.
    const otherReport = await loadReport(other);
    expect(otherReport.totals).toEqual({ accepted: 3, processed: 2, rejected: 2, failed: 1 });
    expect(otherReport.deadJobs.map((j) => j.receiptId)).toEqual([otherFailedId]);
    const ids = (r: typeof report) => [...r.failedReceipts.map((x) => x.id), ...r.rejected.map((x) => x.id), ...r.deadJobs.map((x) => x.receiptId)];
    const otherReceiptIds = (await prisma.webhookReceipt.findMany({ where: { shop: other }, select: { id: true } })).map((r) => r.id.toString());
    expect(ids(report).filter((id) => otherReceiptIds.includes(id!))).toEqual([]);
  });

  it("shows each resource's backfill progress from its run", async () => {
    const { shop } = await installTestShop();
    const report = await loadReport(shop);
    expect(report.backfills.map((b) => [b.resource, b.status, b.importedObjects, b.totalObjects])).toEqual([
      ["customers", "PENDING", 0, null],
      ["orders", "PENDING", 0, null],
    ]);
    expect(report.active).toBe(true);
    expect(report.lastEventAt).toBeNull();
  });

  it("shows how far re-keying the shop's profiles has got, in English and Arabic, while it is waiting or running, and nothing once the keys are current", async () => {
    const { shop } = await installTestShop();
    const records = ["Bin Laden", "Bin Mahfouz", "Alharbi"].map((last_name, i) => ({ id: `gid://shopify/Customer/${5001 + i}`, first_name: "Omar", last_name, phone: `055000000${i}` }));
    await storeKeyedByOlderCode(shop, records);
    const waiting = await loadReport(shop);
    expect(waiting.identityRekey).toEqual({ started: false, done: 0, total: 3 });
    expect(waiting.active).toBe(true);

    // A pass stopped after its first page.
    await expect(rekeyShop({ shop, pageSize: 2, afterPage: () => { throw new Error("stopped"); } })).rejects.toThrow("stopped");
    const running = await loadReport(shop);
    expect(running.identityRekey).toEqual({ started: true, done: 2, total: 3 });
    expect(running.active).toBe(true);
    for (const locale of ["en", "ar"] as const) {
      const html = await renderRoute(DataSync, running, locale);
      expect(html).toContain(translate(locale, "dataSync.rekey.heading"));
      expect(html).toContain(translate(locale, "dataSync.rekey.progress", { done: formatNumber(locale, 2), total: formatNumber(locale, 3) }));
      expect(html).toMatch(/<progress[^>]*value="67"/);
    }
    expect(await renderRoute(DataSync, waiting, "ar")).toContain(translate("ar", "dataSync.rekey.waiting", { total: formatNumber("ar", 3) }));

    await rekeyShop({ shop }); // resumed to the end
    const current = await loadReport(shop);
    expect(current.identityRekey).toBeNull();
    expect(await renderRoute(DataSync, current, "en")).not.toContain(translate("en", "dataSync.rekey.heading"));
  });

  it("refuses to start a backfill with 422 while one is running, and starts one when none is", async () => {
    const { shop } = await installTestShop(); // installing started one
    const refused = await startBackfill(shop);
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ code: "VALIDATION_FAILED", fieldErrors: { backfill: [expect.any(String)] } });
    expect(await prisma.backfillRun.count({ where: { shop } })).toBe(2);

    await drainJobs();
    await fake.bulkOperations.settled();
    await until(async () => {
      await drainJobs();
      return (await prisma.backfillRun.count({ where: { shop, status: "COMPLETED" } })) === 2;
    });
    const done = await loadReport(shop);
    expect(done.backfills.map((b) => [b.resource, b.status])).toEqual([
      ["customers", "COMPLETED"],
      ["orders", "COMPLETED"],
    ]);
    expect(done.active).toBe(false);

    const started = await startBackfill(shop);
    expect(started.status).toBe(200);
    const body = (await started.json()) as { ok: boolean; runIds: string[] };
    expect(body.runIds).toHaveLength(2);
    const runs = await prisma.backfillRun.findMany({ where: { shop, id: { in: body.runIds } }, orderBy: { resource: "asc" } });
    expect(runs.map((r) => [r.resource, r.status])).toEqual([
      ["customers", "PENDING"],
      ["orders", "PENDING"],
    ]);
    expect(await prisma.backfillRun.count({ where: { shop } })).toBe(4);
    const after = await loadReport(shop);
    expect(after.backfills.map((b) => b.id).sort()).toEqual([...body.runIds].sort());
    expect(after.active).toBe(true);
  });
});
