/**
 * `npm run bench:ingest`: webhook acknowledgement and processing against the production build.
 *
 *   ack_per_s, ack_p99_ms      signed orders/create deliveries acknowledged (workers off)
 *   processed_orders_per_s     the backlog stored by `npm run worker` processes (and order-stored done)
 *   baseline_insert_per_s      single-row INSERTs into the same PostgreSQL, same run
 *
 * Options: --deliveries 20000 --concurrency 32 --workers 1 --worker-concurrency 8 --no-build
 * Last stdout line: one JSON object.
 */
import { parseArgs } from "node:util";
import pg from "pg";
import { iterateOrders } from "../prisma/seed/demo-data";
import { buildWebhookRequest } from "../tests/support/fake-shopify/webhooks";
import path from "node:path";
import { BENCH_API_SECRET, BENCH_SHOP, ROOT, buildApp, percentile, startAppUnderTest } from "./lib/app-under-test";
import { baselineCopyRowsPerSecond, runImportCli, writeOrdersCsv } from "./lib/import-phase";

const { values } = parseArgs({
  options: {
    deliveries: { type: "string", default: "20000" },
    concurrency: { type: "string", default: "32" },
    workers: { type: "string", default: "1" },
    "worker-concurrency": { type: "string", default: "8" },
    "no-build": { type: "boolean", default: false },
    "import-orders": { type: "string", default: "1000000" },
  },
});
const deliveries = Number(values.deliveries);
const concurrency = Number(values.concurrency);

async function baselineInsertsPerSecond(databaseUrl: string, count = 5000): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query("create temporary table bench_baseline (id bigserial primary key, shop text, payload jsonb, received_at timestamptz default now())");
  const payload = JSON.stringify({ id: 1, note: "x".repeat(200) });
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await client.query("insert into bench_baseline (shop, payload) values ($1, $2)", [BENCH_SHOP, payload]);
  const seconds = (performance.now() - t0) / 1000;
  await client.end();
  return count / seconds;
}

async function main() {
  if (!values["no-build"]) {
    console.log("building the production bundle…");
    buildApp();
  }
  const app = await startAppUnderTest();
  try {
    // Deliveries prepared (payloads generated and signed) before the clock starts.
    const requests: Array<{ body: string; headers: Record<string, string> }> = [];
    for (const { payload } of iterateOrders({ seed: 7, customers: Math.ceil(deliveries / 3) + 100, shopDomain: BENCH_SHOP })) {
      const { rawBody, headers } = buildWebhookRequest({ shop: BENCH_SHOP, topic: "orders/create", payload }, BENCH_API_SECRET);
      requests.push({ body: rawBody, headers });
      if (requests.length === deliveries) break;
    }
    const bytes = requests.reduce((s, r) => s + r.body.length, 0);
    console.log(`prepared ${requests.length} signed orders/create deliveries (${(bytes / requests.length / 1024).toFixed(1)} KB average)`);

    const baseline = await baselineInsertsPerSecond(app.databaseUrl);

    // Warm-up (JIT, connection pools), not counted.
    for (let i = 0; i < 200; i++) {
      const r = requests[i];
      await fetch(`${app.appUrl}/webhooks/orders/create`, {
        method: "POST",
        headers: { ...r.headers, "X-Shopify-Webhook-Id": `warm-${i}`, "X-Shopify-Event-Id": `warm-${i}` },
        body: r.body,
      });
    }

    const latencies: number[] = [];
    let errors = 0;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests.length) {
          const r = requests[next++];
          const start = performance.now();
          try {
            const response = await fetch(`${app.appUrl}/webhooks/orders/create`, { method: "POST", headers: r.headers, body: r.body });
            await response.arrayBuffer();
            if (response.status !== 200) errors++;
          } catch {
            errors++;
          }
          latencies.push(performance.now() - start);
        }
      }),
    );
    const ackSeconds = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);

    // Processing: the backlog (deliveries + warm-up) drained by separate worker processes.
    const db = new pg.Client({ connectionString: app.databaseUrl });
    await db.connect();
    const pending = async () =>
      Number((await db.query(`select count(*)::int as n from graphile_worker.jobs where locked_at is null or locked_at > now() - interval '1 hour'`)).rows[0].n);
    const total = Number((await db.query(`select count(*)::int as n from "WebhookReceipt" where status = 'ACCEPTED'`)).rows[0].n);
    const t1 = performance.now();
    await app.startWorkers(Number(values.workers), Number(values["worker-concurrency"]));
    let remaining = await pending();
    while (remaining > 0) {
      await new Promise((r) => setTimeout(r, 250));
      remaining = await pending();
    }
    const processSeconds = (performance.now() - t1) / 1000;
    const orders = Number((await db.query(`select count(*)::int as n from "Order" where shop = $1`, [BENCH_SHOP])).rows[0].n);
    const failed = Number((await db.query(`select count(*)::int as n from "WebhookReceipt" where "failureReason" is not null`)).rows[0].n);
    await db.end();

    // Import of order history: the CSV CLI, its own process, in the same database.
    const importOrders = Number(values["import-orders"]);
    let importMetrics: Record<string, number> = {};
    if (importOrders > 0) {
      const file = path.join(ROOT, "bench", "out", `import-${importOrders}.csv`);
      console.log(`writing ${importOrders} orders of history as CSV…`);
      const written = await writeOrdersCsv(file, importOrders);
      const copyRate = await baselineCopyRowsPerSecond(app.databaseUrl, file);
      console.log(`importing ${written.orders} orders (${written.rows} rows) with npm run import:orders…`);
      const run = await runImportCli(app.env, "import-bench.myshopify.com", file);
      importMetrics = {
        import_orders: written.orders,
        import_rows: written.rows,
        import_seconds: Number(run.seconds.toFixed(1)),
        import_orders_per_s: Math.round(written.orders / run.seconds),
        import_rows_per_s: Math.round(written.rows / run.seconds),
        import_peak_rss_mb: run.peakRssMb,
        baseline_copy_rows_per_s: Math.round(copyRate),
      };
    }

    const result = {
      bench: "ingest",
      deliveries: requests.length,
      concurrency,
      ack_per_s: Math.round(requests.length / ackSeconds),
      ack_p50_ms: Number(percentile(latencies, 50).toFixed(1)),
      ack_p99_ms: Number(percentile(latencies, 99).toFixed(1)),
      ack_errors: errors,
      processed_orders_per_s: Math.round(total / processSeconds),
      processed_receipts: total,
      orders_stored: orders,
      processing_failures: failed,
      baseline_insert_per_s: Math.round(baseline),
      ratio_processed_to_baseline: Number((total / processSeconds / baseline).toFixed(2)),
      ...importMetrics,
    };
    console.log("\n metric                        value");
    for (const [k, v] of Object.entries(result)) if (k !== "bench") console.log(` ${k.padEnd(30)}${v}`);
    console.log(JSON.stringify(result));
  } finally {
    await app.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
