import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";

v8.setFlagsFromString("--expose-gc");
const liveGc = vm.runInNewContext("gc") as () => void;
import type { AddressInfo } from "node:net";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { listOrdersWithLines } from "~/models/order.server";
import prisma from "~/db.server";
import { unauthenticated } from "~/shopify.server";
import { action as bulkOperationsFinish } from "~/routes/webhooks.bulk_operations.finish";
import { advanceBackfill, importBackfillResult } from "~/services/backfill.server";
import type { AdminGraphql } from "~/shopify/graphql-client";
import { fakeShopify, webhookRequest } from "../../support/test-app";
import { installTestShop } from "../../support/install";
import { drainJobs } from "../../support/jobs";
import { customerPayload, orderPayload, refundPayload } from "../../factories/shopify-payloads";

const fake = fakeShopify();

beforeEach(() => {
  // bulk_operations/finish reaches the real webhook route, signed with the app secret.
  fake.bulkOperations.configure({
    completeAfterMs: 20,
    webhooks: true,
    deliver: (delivery) => bulkOperationsFinish({ request: webhookRequest(delivery), params: {}, context: {} }),
  });
});

/** A fake shop with history: customers, orders (one POS, one refunded) — all in the fake's maps. */
function history(orderCount: number, { refunded = 1 }: { refunded?: number } = {}) {
  const customers = new Map<string, Record<string, unknown>>();
  const orders = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < 3; i++) {
    const c = customerPayload({ email: `c${i}@example.com` });
    customers.set(String(c.id), c);
  }
  for (let i = 0; i < orderCount; i++) {
    const o: Record<string, unknown> = orderPayload(i === 1 ? { source_name: "pos", location_id: 70001 } : {});
    if (i < refunded) o.refunds = [refundPayload(o as unknown as Parameters<typeof refundPayload>[0])];
    orders.set(String(o.id), o);
  }
  return { customers, orders };
}

async function offlineGraphql(shop: string): Promise<AdminGraphql> {
  const { admin } = await unauthenticated.admin(shop);
  return admin.graphql as unknown as AdminGraphql;
}

async function until(check: () => Promise<boolean>, timeoutMs = 15_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function jobCount(identifier: string) {
  const rows = await prisma.$queryRaw<Array<{ n: bigint }>>`select count(*) as n from graphile_worker.jobs where task_identifier = ${identifier}`;
  return Number(rows[0].n);
}

/** One order of a bulk result (Admin GraphQL shape) and its `items` line-item lines, as JSONL. */
function bulkOrderLines(i: number, items: number, note = "") {
  const id = `gid://shopify/Order/${9_000_000 + i}`;
  const money = (amount: string) => ({ shopMoney: { amount, currencyCode: "SAR" } });
  let text = `${JSON.stringify({
    id, name: `#${i}`, createdAt: "2025-01-01T10:00:00Z", updatedAt: "2025-01-01T10:00:00Z", processedAt: "2025-01-01T10:00:00Z",
    cancelledAt: null, cancelReason: null, displayFinancialStatus: "PAID", currencyCode: "SAR", sourceName: "web",
    retailLocation: null, email: `buyer${i}@example.com`, phone: null, taxesIncluded: true, customer: { id: `gid://shopify/Customer/${i}` },
    billingAddress: { firstName: "Sara", lastName: note || "Qahtani" }, shippingAddress: null,
    subtotalPriceSet: money("30.00"), totalDiscountsSet: money("0.00"), totalShippingPriceSet: money("0.00"),
    totalTaxSet: money("3.91"), totalPriceSet: money("30.00"), discountCodes: [], paymentGatewayNames: ["mada"], tags: [], refunds: [],
  })}\n`;
  for (let l = 0; l < items; l++) {
    text += `${JSON.stringify({
      id: `gid://shopify/LineItem/${90_000_000 + i * items + l}`, sku: `SKU-${l}`, title: `Item ${l} ${note}`.trim(), variantTitle: null, quantity: 1,
      originalUnitPriceSet: money("10.00"), discountAllocations: [], product: null, variant: null, __parentId: id,
    })}\n`;
  }
  return text;
}

/** Serves a result file as Shopify's storage does, its text generated while it is sent. */
async function serveResult(text: () => AsyncIterable<string> | Iterable<string>) {
  const server = http.createServer(async (_req, res) => {
    res.writeHead(200, { "Content-Type": "application/jsonl" });
    for await (const chunk of text()) if (!res.write(chunk)) await new Promise((r) => res.once("drain", r));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/result.jsonl` };
}

describe("backfill through bulk operations", () => {
  it("imports customers, orders, line items and refunds on install when bulk_operations/finish arrives", async () => {
    const { shop } = await installTestShop(history(5));
    const runs = await prisma.backfillRun.findMany({ where: { shop } });
    expect(runs.map((r) => r.resource).sort()).toEqual(["customers", "orders"]);

    await drainJobs(); // starts both bulk operations
    await fake.bulkOperations.settled(); // they finish and the webhooks are delivered
    await drainJobs(); // webhook -> check -> import

    const done = await prisma.backfillRun.findMany({ where: { shop }, orderBy: { resource: "asc" } });
    expect(done.map((r) => [r.resource, r.status, r.importedLines, r.totalObjects, r.importedObjects])).toEqual([
      ["customers", "COMPLETED", 3, 3, 3],
      ["orders", "COMPLETED", 10, 10, 5],
    ]);
    const receipts = await prisma.webhookReceipt.findMany({ where: { shop, topic: "bulk_operations/finish" } });
    expect(receipts).toHaveLength(2);
    expect(receipts.every((r) => r.processedAt !== null)).toBe(true);

    expect(await prisma.customer.count({ where: { shop, origin: "BACKFILL" } })).toBe(3);
    const orders = await listOrdersWithLines({ shop });
    expect(orders).toHaveLength(5);
    expect(orders.every((o) => o.origin === "BACKFILL" && o.lines.length === 1)).toBe(true);
    const pos = orders.find((o) => o.channel === "POS")!;
    expect(pos.locationGid).toBe("gid://shopify/Location/70001");
    expect(orders[0]).toMatchObject({ currency: "SAR", subtotalMinor: 20000n, totalMinor: 20000n, taxMinor: 2609n, financialStatus: "paid", email: "mohammed@example.com" });
    expect(orders[0].lines[0]).toMatchObject({ sku: "OUD-50", quantity: 2, priceMinor: 10000n, productGid: "gid://shopify/Product/9001" });

    const refunds = await prisma.refund.findMany({ where: { shop }, include: { lines: true } });
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ amountMinor: 10000n, linesSubtotalMinor: 10000n, origin: "BACKFILL" });
    expect(refunds[0].lines[0]).toMatchObject({ quantity: 1, subtotalMinor: 10000n });
  });

  it("imports a result the fake serves from a file, as bench:ingest serves a million orders, whole and once", async () => {
    const { shop } = await installTestShop(history(0));
    // About 4 MB: the fake sends it through its two reused 1 MB buffers several times over.
    const ORDERS = 4_000;
    const file = path.join(await fs.promises.mkdtemp(path.join(os.tmpdir(), "wafa-bulk-")), "orders.jsonl");
    await fs.promises.writeFile(file, Array.from({ length: ORDERS }, (_, i) => bulkOrderLines(i, 2, "ملف")).join(""));
    fake.bulkOperations.useResultSource(shop, "orders", { file, objectCount: ORDERS * 3, rootObjectCount: ORDERS });

    await drainJobs();
    await fake.bulkOperations.settled();
    await drainJobs();

    const run = await prisma.backfillRun.findFirstOrThrow({ where: { shop, resource: "orders" } });
    expect([run.status, run.importedLines, run.importedObjects]).toEqual(["COMPLETED", ORDERS * 3, ORDERS]);
    const lines = await prisma.orderLine.groupBy({ by: ["orderGid"], where: { shop }, _count: true });
    expect(lines).toHaveLength(ORDERS);
    expect(lines.every((l) => l._count === 2)).toBe(true);
    expect(await prisma.orderLine.count({ where: { shop, title: "Item 1 ملف" } })).toBe(ORDERS);
    await fs.promises.rm(path.dirname(file), { recursive: true });
  });

  it("stores an order the file holds twice once, as its newest version with that version's lines, in whichever order the versions come", async () => {
    const { shop } = await installTestShop(history(0));
    const version = (i: number, updatedAt: string, note: string) => bulkOrderLines(i, 2, note).replace(/"updatedAt":"[^"]+"/, `"updatedAt":"${updatedAt}"`);
    const file = path.join(await fs.promises.mkdtemp(path.join(os.tmpdir(), "wafa-bulk-")), "orders.jsonl");
    const text = Array.from({ length: 10 }, (_, i) => bulkOrderLines(i, 2)).join("") + version(3, "2025-02-01T10:00:00Z", "جديد") + version(5, "2024-12-01T10:00:00Z", "قديم");
    await fs.promises.writeFile(file, text);
    fake.bulkOperations.useResultSource(shop, "orders", { file, objectCount: 36, rootObjectCount: 12 });

    await drainJobs();
    await fake.bulkOperations.settled();
    await drainJobs();

    const run = await prisma.backfillRun.findFirstOrThrow({ where: { shop, resource: "orders" } });
    expect([run.status, run.importedLines, run.error]).toEqual(["COMPLETED", 36, null]);
    const orders = await listOrdersWithLines({ shop });
    expect(orders).toHaveLength(10);
    const byGid = new Map(orders.map((o) => [o.orderGid, o]));
    const newer = byGid.get("gid://shopify/Order/9000003")!;
    expect([newer.lastName, newer.shopifyUpdatedAt.toISOString(), newer.lines.map((l) => l.title).sort()]).toEqual(["جديد", "2025-02-01T10:00:00.000Z", ["Item 0 جديد", "Item 1 جديد"]]);
    const kept = byGid.get("gid://shopify/Order/9000005")!;
    expect([kept.lastName, kept.shopifyUpdatedAt.toISOString(), kept.lines.map((l) => l.title).sort()]).toEqual(["Qahtani", "2025-01-01T10:00:00.000Z", ["Item 0", "Item 1"]]);
    await fs.promises.rm(path.dirname(file), { recursive: true });
  });

  it("fails at a line that is not JSON halfway through a file the fake serves, keeps the batches before it, and the fake serves the file again", async () => {
    const { shop } = await installTestShop(history(0));
    // About 2 MB before the broken line and 2 MB after: the import drops the download while the
    // fake still has whole buffers of it to send.
    const file = path.join(await fs.promises.mkdtemp(path.join(os.tmpdir(), "wafa-bulk-")), "orders.jsonl");
    const orders = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => bulkOrderLines(from + i, 2, "ملف")).join("");
    await fs.promises.writeFile(file, `${orders(0, 2_000)}{"id":"gid://shopify/Order/broken", "name": \n${orders(2_000, 4_000)}`);
    fake.bulkOperations.useResultSource(shop, "orders", { file, objectCount: 4_000 * 3 + 1, rootObjectCount: 4_000 });

    await drainJobs();
    await fake.bulkOperations.settled();
    await drainJobs(); // the import fails at the broken line; its retry waits

    const run = await prisma.backfillRun.findFirstOrThrow({ where: { shop, resource: "orders" } });
    expect(run.status).toBe("RUNNING");
    expect(run.importedObjects).toBeLessThanOrEqual(2_000);
    expect(await prisma.order.count({ where: { shop } })).toBe(run.importedObjects);
    const [job] = await prisma.$queryRaw<Array<{ last_error: string }>>`select last_error from graphile_worker.jobs where task_identifier = 'import-backfill-result'`;
    expect(job.last_error).toMatch(/JSON/);
    // The fake still answers, and serves the whole file to the next reader.
    const response = await fetch(new URL(run.resultUrl!));
    expect(response.headers.get("content-length")).toBe(String((await fs.promises.stat(file)).size));
    expect((await response.text()).length).toBeGreaterThan(4_000_000);
    await fs.promises.rm(path.dirname(file), { recursive: true });
  });

  it("completes by polling when the bulk_operations/finish webhook never arrives", async () => {
    fake.bulkOperations.configure({ webhooks: false });
    const { shop } = await installTestShop(history(3));
    await drainJobs();
    await fake.bulkOperations.settled();
    expect(await prisma.webhookReceipt.count({ where: { shop } })).toBe(0);
    await until(async () => {
      await drainJobs();
      return (await prisma.backfillRun.count({ where: { shop, status: "COMPLETED" } })) === 2;
    });
    expect(await prisma.order.count({ where: { shop } })).toBe(3);
    expect(await prisma.customer.count({ where: { shop } })).toBe(3);
  });

  it("does not start a second backfill while one is in progress", async () => {
    const { shop } = await installTestShop(history(1));
    const { startBackfill } = await import("~/services/backfill.server");
    await Promise.all([startBackfill({ shop }), startBackfill({ shop })]);
    expect(await prisma.backfillRun.count({ where: { shop } })).toBe(2);
  });
});

// The same import whether its lines are parsed and encoded in a worker thread (large files) or in
// the importing thread (small ones, or when no thread starts).
describe.each(["this-thread", "worker-thread"] as const)("a backfill import read in %s", (readIn) => {
  it("finishes exactly once when the worker is killed between two batches of an import", async () => {
    fake.bulkOperations.configure({ webhooks: false });
    const { shop } = await installTestShop(history(40));
    await drainJobs();
    await fake.bulkOperations.settled();
    const run = await prisma.backfillRun.findFirstOrThrow({ where: { shop, resource: "orders" } });
    const graphql = await offlineGraphql(shop);
    await advanceBackfill({ shop, runId: run.id, poll: 1, graphql });
    expect((await prisma.backfillRun.findUniqueOrThrow({ where: { id: run.id } })).resultUrl).toBeTruthy();

    const killed = importBackfillResult({ shop, runId: run.id, graphql }, {
      readIn,
      batchLines: 20,
      afterBatch: () => {
        throw new Error("worker killed");
      },
    });
    await expect(killed).rejects.toThrow("worker killed");
    const checkpoint = await prisma.backfillRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(checkpoint).toMatchObject({ status: "RUNNING", importedLines: 20, importedObjects: 10 });
    expect(await prisma.order.count({ where: { shop } })).toBe(10);

    await importBackfillResult({ shop, runId: run.id, graphql }, { readIn, batchLines: 20 });
    await drainJobs(); // the queued import job finds the run complete and does nothing
    const finished = await prisma.backfillRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(finished).toMatchObject({ status: "COMPLETED", importedLines: 80, importedObjects: 40 });
    expect(await prisma.order.count({ where: { shop } })).toBe(40);
    expect(await prisma.orderLine.count({ where: { shop } })).toBe(40);
    expect(await prisma.refund.count({ where: { shop } })).toBe(1);
    expect(await jobCount("order-stored")).toBe(0);
  });

  it("stores every refund of batches whose refunds take several queries (read while the batch is parsed)", async () => {
    fake.bulkOperations.configure({ webhooks: false });
    // 130 refunded orders: queries of 50, 50 and 30 in one batch; in batches of 40 lines (20
    // orders), queries of fewer than 50 sent when each batch ends.
    const { shop } = await installTestShop(history(130, { refunded: 130 }));
    await drainJobs();
    await fake.bulkOperations.settled();
    const run = await prisma.backfillRun.findFirstOrThrow({ where: { shop, resource: "orders" } });
    const graphql = await offlineGraphql(shop);
    await advanceBackfill({ shop, runId: run.id, poll: 1, graphql });

    const killed = importBackfillResult({ shop, runId: run.id, graphql }, {
      readIn,
      afterBatch: () => {
        throw new Error("worker killed");
      },
    });
    await expect(killed).rejects.toThrow("worker killed");
    expect(await prisma.refund.count({ where: { shop } })).toBe(130);
    expect(await prisma.refundLine.count({ where: { shop } })).toBe(130);

    await prisma.$executeRaw`delete from "RefundLine" where shop = ${shop}`;
    await prisma.$executeRaw`delete from "Refund" where shop = ${shop}`;
    await prisma.$executeRaw`delete from "OrderLine" where shop = ${shop}`;
    await prisma.$executeRaw`delete from "Order" where shop = ${shop}`;
    await prisma.backfillRun.update({ where: { id: run.id }, data: { importedLines: 0, importedObjects: 0 } });
    await importBackfillResult({ shop, runId: run.id, graphql }, { readIn, batchLines: 40 });
    expect(await prisma.backfillRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "COMPLETED", importedObjects: 130 });
    const refunds = await prisma.refund.findMany({ where: { shop }, select: { orderGid: true, amountMinor: true } });
    expect(refunds).toHaveLength(130);
    expect(new Set(refunds.map((r) => r.orderGid)).size).toBe(130);
    expect(await prisma.refundLine.count({ where: { shop } })).toBe(130);
  });
  it("stores the batches before a line that is not JSON, fails naming it, and stores nothing after it", async () => {
    const { shop } = await installTestShop();
    await prisma.backfillRun.updateMany({ where: { shop }, data: { status: "CANCELLED" } });
    // 25 orders of two lines, a broken line, 5 more: batches of 20 lines end after orders 10 and 20.
    const { server, url } = await serveResult(function* () {
      for (let i = 0; i < 25; i++) yield bulkOrderLines(i, 1);
      yield '{"id":"gid://shopify/Order/broken", "name": \n';
      for (let i = 25; i < 30; i++) yield bulkOrderLines(i, 1);
    });
    try {
      const run = await prisma.backfillRun.create({
        data: { shop, resource: "orders", status: "RUNNING", bulkOperationId: "gid://shopify/BulkOperation/2", resultUrl: url, totalObjects: 61 },
      });
      const unused: AdminGraphql = async () => {
        throw new Error("no refunds in this file");
      };
      await expect(importBackfillResult({ shop, runId: run.id, graphql: unused }, { readIn, batchLines: 20 })).rejects.toThrow(/JSON/);
      expect(await prisma.backfillRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "RUNNING", importedLines: 40, importedObjects: 20 });
      expect(await prisma.order.count({ where: { shop } })).toBe(20);
      expect(await prisma.orderLine.count({ where: { shop } })).toBe(20);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("fails when the download breaks off mid-file, keeps the batches before, and the retry resumes from them", async () => {
    const { shop } = await installTestShop();
    await prisma.backfillRun.updateMany({ where: { shop }, data: { status: "CANCELLED" } });
    // The first download stops after 25 of 30 orders (the connection is cut, mid-line); later ones are whole.
    const whole = Array.from({ length: 30 }, (_, i) => bulkOrderLines(i, 1)).join("");
    const cutAt = Array.from({ length: 25 }, (_, i) => bulkOrderLines(i, 1)).join("").length + 20;
    let downloads = 0;
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/jsonl", "Content-Length": Buffer.byteLength(whole) });
      if (downloads++ > 0) return void res.end(whole);
      res.write(whole.slice(0, cutAt), () => setTimeout(() => res.socket?.destroy(), 50));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/result.jsonl`;
      const run = await prisma.backfillRun.create({
        data: { shop, resource: "orders", status: "RUNNING", bulkOperationId: "gid://shopify/BulkOperation/3", resultUrl: url, totalObjects: 60 },
      });
      const unused: AdminGraphql = async () => {
        throw new Error("no refunds in this file");
      };
      await expect(importBackfillResult({ shop, runId: run.id, graphql: unused }, { readIn, batchLines: 20 })).rejects.toThrow(/Downloading the bulk operation result failed/);
      expect(await prisma.backfillRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "RUNNING", importedLines: 40, importedObjects: 20 });
      expect(await prisma.order.count({ where: { shop } })).toBe(20);

      await importBackfillResult({ shop, runId: run.id, graphql: unused }, { readIn, batchLines: 20 });
      expect(await prisma.backfillRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "COMPLETED", importedLines: 60, importedObjects: 30 });
      expect(await prisma.order.count({ where: { shop } })).toBe(30);
      expect(await prisma.orderLine.count({ where: { shop } })).toBe(30);
      expect(downloads).toBe(2);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("a 100,000-line JSONL result", () => {
  const ORDERS = 10_000;
  const ITEMS = 9; // one order line + nine line-item lines each: 100,000 lines
  let server: http.Server;
  let url = "";

  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** Serves the file as Shopify's storage does, generated while it is sent (never built whole). */
  async function serveJsonl() {
    const note = "x".repeat(300);
    ({ server, url } = await serveResult(async function* () {
      for (let i = 0; i < ORDERS; i++) yield bulkOrderLines(i, ITEMS, note);
    }));
  }

  it("imports every object with memory bounded well below the file's size", async () => {
    await serveJsonl();
    const { shop } = await installTestShop();
    await prisma.backfillRun.updateMany({ where: { shop }, data: { status: "CANCELLED" } });
    const run = await prisma.backfillRun.create({
      data: { shop, resource: "orders", status: "RUNNING", bulkOperationId: "gid://shopify/BulkOperation/1", resultUrl: url, totalObjects: ORDERS * (ITEMS + 1) },
    });
    const unused: AdminGraphql = async () => {
      throw new Error("no refunds in this file");
    };

    liveGc();
    const before = process.memoryUsage();
    let peakHeap = before.heapUsed;
    let peakRss = before.rss;
    let peakLive = before.heapUsed;
    const sample = () => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
    };
    const sampler = setInterval(sample, 20);
    let batches = 0;
    try {
      await importBackfillResult({ shop, runId: run.id, graphql: unused }, {
        afterBatch: () => {
          sample();
          // Live memory (after a full GC) every tenth batch: what the import actually retains.
          if (++batches % 10 === 0) {
            liveGc();
            peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
          }
        },
      });
    } finally {
      clearInterval(sampler);
    }
    const heapGrowthMb = (peakHeap - before.heapUsed) / 2 ** 20;
    const liveGrowthMb = (peakLive - before.heapUsed) / 2 ** 20;
    const rssGrowthMb = (peakRss - before.rss) / 2 ** 20;
    console.log(`100k-line import: heap +${heapGrowthMb.toFixed(1)} MB, rss +${rssGrowthMb.toFixed(1)} MB (file ~${((ORDERS * (ITEMS + 1) * 560) / 2 ** 20).toFixed(0)} MB, live heap after GC at most +${liveGrowthMb.toFixed(1)} MB)`);

    const done = await prisma.backfillRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(done).toMatchObject({ status: "COMPLETED", importedLines: ORDERS * (ITEMS + 1), importedObjects: ORDERS });
    expect(await prisma.order.count({ where: { shop } })).toBe(ORDERS);
    expect(await prisma.orderLine.count({ where: { shop } })).toBe(ORDERS * ITEMS);
    // The file is ~55 MB of JSON, several times that as objects: holding it would retain hundreds
    // of MB. The streaming import retains one batch; garbage between collections is bounded too.
    expect(liveGrowthMb).toBeLessThan(40);
    expect(heapGrowthMb).toBeLessThan(300);
    expect(rssGrowthMb).toBeLessThan(400);
    await prisma.$executeRaw`delete from graphile_worker._private_jobs where task_id in (select id from graphile_worker._private_tasks where identifier = 'order-stored')`;
  });
});
