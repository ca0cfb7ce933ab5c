/**
 * `npm run bench:ingest`: webhook acknowledgement and processing against the production build.
 *
 *   ack_per_s, ack_p99_ms      signed orders/create deliveries acknowledged (workers off), as fast as
 *                              --concurrency senders can (closed loop: the app saturated)
 *   ack_web_cpu_us_per_delivery  the web processes' CPU time per acknowledged delivery (closed loop)
 *   web_processes              HTTP processes npm start ran (WEB_CONCURRENCY, default 1)
 *   paced_ack_p99_ms           the same deliveries sent at a fixed --paced-rate (default 1,000 per s,
 *                              open loop: each is sent on schedule whether or not earlier ones were
 *                              answered), latency from its scheduled time; paced_ack_per_s achieved
 *   stored_orders_per_s        the backlog stored by `npm run worker` processes (process-webhook jobs done)
 *   processed_orders_per_s     … and every downstream job (order-stored: profiles, points) done
 *   processing_worker_cpu_us_per_order, processing_postgres_cpu_us_per_order  CPU per processed order
 *                              of the worker processes and of PostgreSQL (what limits processed_orders_per_s)
 *   baseline_insert_per_s      single-row INSERTs into the same PostgreSQL, same run
 *   import_orders_per_s        CSV history through `npm run import:orders --no-wait` (file stored)
 *   jsonl_import_orders_per_s  the same number of orders through the bulk-operation backfill (JSONL)
 *   *_peak_rss_mb              peak RSS of the importing process (the CLI; the worker for JSONL)
 *   import_cli_cpu_us_per_order, import_postgres_cpu_us_per_order  CPU per order of the CSV import's CLI
 *                              (start-up included) and of PostgreSQL meanwhile
 *   jsonl_worker_cpu_us_per_order  the backfilling worker's CPU time per order (steadier than a rate)
 *   jsonl_postgres_cpu_us_per_order, jsonl_bench_cpu_us_per_order  the same for PostgreSQL and for this
 *                              process (the fake serving the file): the rest of the 2 cores' budget
 *   baseline_copy_rows_per_s   COPY of the CSV into a bare table, same run
 *   (each import phase starts after a VACUUM (ANALYZE) of the order tables and a CHECKPOINT: settleDatabase)
 *
 * Options: --deliveries 20000 --concurrency 32 --workers 1 --worker-concurrency 8 --no-build
 *          --paced-rate 1000 --paced-seconds 10 (0 skips the paced phase)
 *          --import-orders 1000000 (CSV and JSONL; 0 skips both) --jsonl-orders N (JSONL only)
 *          --no-csv (the JSONL backfill alone)
 * Last stdout line: one JSON object.
 */
import http from "node:http";
import { parseArgs } from "node:util";
import pg from "pg";
import { iterateOrders } from "../prisma/seed/demo-data";
import { buildWebhookRequest } from "../tests/support/fake-shopify/webhooks";
import path from "node:path";
import { BENCH_API_SECRET, BENCH_SHOP, ROOT, buildApp, cpuSeconds, percentile, postgresCpuSeconds, postgresCpuSecondsByKind, postgresCpuSince, processTreeCpuSeconds, startAppUnderTest } from "./lib/app-under-test";
import { baselineCopyRowsPerSecond, runImportCli, samplePeakRss, writeOrdersCsv, writeOrdersJsonl } from "./lib/import-phase";

const { values } = parseArgs({
  options: {
    deliveries: { type: "string", default: "20000" },
    concurrency: { type: "string", default: "32" },
    workers: { type: "string", default: "1" },
    "worker-concurrency": { type: "string", default: "8" },
    "no-build": { type: "boolean", default: false },
    "import-orders": { type: "string", default: "1000000" },
    "jsonl-orders": { type: "string" },
    // Measurement aid: the JSONL backfill alone (the CSV import and its COPY baseline skipped).
    "no-csv": { type: "boolean", default: false },
    "paced-rate": { type: "string", default: "1000" },
    "paced-seconds": { type: "string", default: "10" },
  },
});
const deliveries = Number(values.deliveries);
// WAFA_PG_STAT_STATEMENTS=1 (measurement aid): the statements each phase spends PostgreSQL's time
// on, counted from resetStatements at its start and printed by printStatements after it.
const statStatements = process.env.WAFA_PG_STAT_STATEMENTS === "1";
async function onStatements(url: string, what: (db: pg.Client) => Promise<unknown>) {
  if (!statStatements) return;
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  await what(db);
  await db.end();
}
const resetStatements = (url: string) => onStatements(url, (db) => db.query("create extension if not exists pg_stat_statements; select pg_stat_statements_reset()"));
const printStatements = (url: string, phase: string) =>
  onStatements(url, async (db) => {
    const top = await db.query(
      `select calls, round(total_exec_time)::int as ms, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) as query
       from pg_stat_statements order by total_exec_time desc limit 25`,
    );
    for (const r of top.rows) console.log(`pg ${phase} ${String(r.ms).padStart(7)} ms ${String(r.calls).padStart(7)} calls ${String(r.rows).padStart(8)} rows  ${r.query}`);
    // Maintenance so far (cumulative): PostgreSQL's own vacuums and analyzes of the busiest tables.
    const maintenance = await db.query(
      `select relname, autovacuum_count, autoanalyze_count, analyze_count, n_tup_ins from pg_stat_user_tables where relname in ('Order', 'OrderLine', 'WebhookReceipt') order by relname`,
    );
    for (const r of maintenance.rows) console.log(`pg ${phase} ${r.relname}: ${r.autovacuum_count} autovacuums, ${r.autoanalyze_count} autoanalyzes, ${r.analyze_count} analyzes, ${r.n_tup_ins} rows inserted`);
  });
/**
 * Before each import phase: VACUUM (ANALYZE) of the order tables and a CHECKPOINT, so that a phase
 * is not charged for the maintenance the one before it left behind (after a million-order CSV
 * import, autovacuum's passes over those tables and the checkpoint of its pages otherwise fell
 * into the JSONL phase at random: its PostgreSQL CPU per order swung 43-58 µs between runs of the
 * same code). pgbench checkpoints before each run for the same reason. Maintenance a phase's own
 * writes set off during it is still counted.
 */
async function settleDatabase(url: string) {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const started = performance.now();
  await db.query(`vacuum (analyze) "Order", "OrderLine", "Refund", "RefundLine"`);
  await db.query("checkpoint");
  await db.end();
  console.log(`database settled (vacuum, analyze, checkpoint) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const concurrency = Number(values.concurrency);
const pacedRate = Number(values["paced-rate"]);
const pacedCount = deliveries > 0 ? Math.round(pacedRate * Number(values["paced-seconds"])) : 0;

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

/**
 * The load generator: node:http over keep-alive connections, one per concurrent sender (as
 * Shopify reuses its connections). Lighter than fetch, so more of the 2 cores go to the app.
 */
function poster(baseUrl: string, sockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const { hostname, port } = new URL(baseUrl);
  return (path: string, headers: Record<string, string>, body: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request({ agent, hostname, port, path, method: "POST", headers: { ...headers, "Content-Length": Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
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
    // --deliveries 0 skips the webhook phase (import-only runs).
    // The paced phase's deliveries are other orders (none repeats one of the first phase).
    if (deliveries > 0) for (const { payload } of iterateOrders({ seed: 7, customers: Math.ceil(deliveries / 3) + 100, shopDomain: BENCH_SHOP })) {
      const { rawBody, headers } = buildWebhookRequest({ shop: BENCH_SHOP, topic: "orders/create", payload }, BENCH_API_SECRET);
      requests.push({ body: rawBody, headers });
      if (requests.length === deliveries) break;
    }
    // The paced phase's deliveries: other shoppers' orders (another seed), so none repeats one above.
    const paced: Array<{ body: string; headers: Record<string, string> }> = [];
    if (pacedCount > 0) for (const { payload } of iterateOrders({ seed: 8, customers: Math.ceil(pacedCount / 3) + 100, shopDomain: BENCH_SHOP })) {
      const { rawBody, headers } = buildWebhookRequest({ shop: BENCH_SHOP, topic: "orders/create", payload }, BENCH_API_SECRET);
      paced.push({ body: rawBody, headers });
      if (paced.length === pacedCount) break;
    }
    const bytes = requests.reduce((s, r) => s + r.body.length, 0);
    console.log(`prepared ${requests.length} signed orders/create deliveries (${(bytes / Math.max(1, requests.length) / 1024).toFixed(1)} KB average)`);

    const baseline = await baselineInsertsPerSecond(app.databaseUrl);

    const post = poster(app.appUrl, concurrency);
    // Warm-up (JIT, connection pools), not counted.
    if (deliveries > 0) await Promise.all(
      Array.from({ length: concurrency }, async (_, w) => {
        for (let i = w; i < 400; i += concurrency) {
          const r = requests[i % requests.length];
          await post("/webhooks/orders/create", { ...r.headers, "X-Shopify-Webhook-Id": `warm-${i}`, "X-Shopify-Event-Id": `warm-${i}` }, r.body);
        }
      }),
    );

    const latencies: number[] = [];
    let errors = 0;
    let next = 0;
    const cpu0 = processTreeCpuSeconds(app.appPid);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests.length) {
          const r = requests[next++];
          const start = performance.now();
          try {
            const status = await post("/webhooks/orders/create", r.headers, r.body);
            if (status !== 200) errors++;
          } catch {
            errors++;
          }
          latencies.push(performance.now() - start);
        }
      }),
    );
    const ackSeconds = (performance.now() - t0) / 1000;
    // The web process's CPU per delivery: steadier than a rate when the VM's speed drifts.
    const ackCpuUs = requests.length ? ((processTreeCpuSeconds(app.appPid) - cpu0) / requests.length) * 1e6 : 0;
    latencies.sort((a, b) => a - b);

    // Processing: the backlog (deliveries + warm-up) drained by separate worker processes.
    const db = new pg.Client({ connectionString: app.databaseUrl });
    await db.connect();
    const pending = async () =>
      Number((await db.query(`select count(*)::int as n from graphile_worker.jobs where locked_at is null or locked_at > now() - interval '1 hour'`)).rows[0].n);
    const total = Number((await db.query(`select count(*)::int as n from "WebhookReceipt" where status = 'ACCEPTED'`)).rows[0].n);
    // WAFA_PG_STAT_STATEMENTS=1 (measurement aid): the statements processing spends PostgreSQL's time on, printed after it.
    await resetStatements(app.databaseUrl);
    const t1 = performance.now();
    const postgresCpu1 = postgresCpuSeconds();
    const postgresByKind = postgresCpuSecondsByKind();
    const processingWorkers = await app.startWorkers(Number(values.workers), Number(values["worker-concurrency"]));
    // From when they are up (their start-up, loading the app, is not processing).
    const workerCpu1 = processingWorkers.reduce((sum, w) => sum + cpuSeconds(w.pid!), 0);
    const webhookJobs = async () =>
      Number((await db.query(`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'process-webhook' and attempts < max_attempts`)).rows[0].n);
    let storeSeconds = 0;
    let remaining = await pending();
    while (remaining > 0) {
      await new Promise((r) => setTimeout(r, 250));
      if (!storeSeconds && (await webhookJobs()) === 0) storeSeconds = (performance.now() - t1) / 1000;
      remaining = await pending();
    }
    const processSeconds = (performance.now() - t1) / 1000;
    // Where processing's time goes: the workers' CPU and PostgreSQL's, per order (the web process is idle).
    const processingWorkerCpu = processingWorkers.reduce((sum, w) => sum + cpuSeconds(w.pid!), 0) - workerCpu1;
    const processingPostgresCpu = postgresCpuSeconds() - postgresCpu1;
    console.log(`processing: PostgreSQL CPU by process: ${postgresCpuSince(postgresByKind)}`);
    storeSeconds ||= processSeconds;
    const orders = Number((await db.query(`select count(*)::int as n from "Order" where shop = $1`, [BENCH_SHOP])).rows[0].n);
    const failed = Number((await db.query(`select count(*)::int as n from "WebhookReceipt" where "failureReason" is not null`)).rows[0].n);
    await printStatements(app.databaseUrl, "processing");
    await db.end();
    console.log(`webhooks: ack ${Math.round(requests.length / ackSeconds)}/s p99 ${percentile(latencies, 99).toFixed(1)} ms errors ${errors}; stored ${Math.round(total / storeSeconds)}/s, processed ${Math.round(total / processSeconds)}/s; baseline insert ${Math.round(baseline)}/s`);

    // The workers stop here: their downstream work would compete with what follows (the paced
    // phase, measured with workers off as the closed loop is, and the imports) for the two cores.
    await app.stopWorkers();

    // Paced: deliveries sent on a fixed schedule (open loop), as Shopify sends a shop's webhooks
    // whether or not the last ones were answered. Latency counts from the scheduled time, so a
    // sender that falls behind (this process busy) adds to it instead of hiding it. After the
    // processing phase, so that one drains the closed loop's backlog alone, as before; this
    // backlog is not processed.
    const pacedLatencies: number[] = [];
    let pacedErrors = 0;
    let pacedSeconds = 0;
    if (paced.length) {
      const send = poster(app.appUrl, 512);
      const interval = 1000 / pacedRate;
      const started = performance.now();
      const inFlight: Promise<void>[] = [];
      let sent = 0;
      while (sent < paced.length) {
        const now = performance.now();
        while (sent < paced.length && started + sent * interval <= now) {
          const scheduled = started + sent * interval;
          const r = paced[sent++];
          inFlight.push(
            send("/webhooks/orders/create", r.headers, r.body).then(
              (status) => {
                if (status !== 200) pacedErrors++;
                pacedLatencies.push(performance.now() - scheduled);
              },
              () => {
                pacedErrors++;
                pacedLatencies.push(performance.now() - scheduled);
              },
            ),
          );
        }
        await new Promise((r) => setTimeout(r, 1));
      }
      await Promise.all(inFlight);
      pacedSeconds = (performance.now() - started) / 1000;
      pacedLatencies.sort((a, b) => a - b);
      console.log(`paced: ${paced.length} deliveries at ${pacedRate}/s: p50 ${percentile(pacedLatencies, 50).toFixed(1)} ms, p99 ${percentile(pacedLatencies, 99).toFixed(1)} ms, errors ${pacedErrors}`);
    }

    // Import of order history.
    const importOrders = Number(values["import-orders"]);
    let importMetrics: Record<string, number> = {};
    if (importOrders > 0) {
      // CSV: the real CLI in its own process, until the file is stored (--no-wait: the order-stored
      // steps of a million imported orders are the profiles' work, measured by bench:identity).
      const file = path.join(ROOT, "bench", "out", `import-${importOrders}.csv`);
      if (!values["no-csv"]) console.log(`writing ${importOrders} orders of history as CSV…`);
      const written = values["no-csv"] ? { orders: importOrders, rows: Number.NaN } : await writeOrdersCsv(file, importOrders);
      const copyRate = values["no-csv"] ? Number.NaN : await baselineCopyRowsPerSecond(app.databaseUrl, file);
      const run = values["no-csv"] ? { seconds: Number.NaN, peakRssMb: Number.NaN, cpuSeconds: Number.NaN, postgresCpuSeconds: Number.NaN } : await (async () => {
        await settleDatabase(app.databaseUrl);
        console.log(`importing ${written.orders} orders (${written.rows} rows) with npm run import:orders…`);
        await resetStatements(app.databaseUrl);
        const postgresCpu = postgresCpuSeconds();
        const postgresByKind = postgresCpuSecondsByKind();
        const csvRun = await runImportCli(app.env, "import-bench.myshopify.com", file, ["--no-wait"]);
        console.log(`csv: PostgreSQL CPU by process: ${postgresCpuSince(postgresByKind)}`);
        await printStatements(app.databaseUrl, "csv");
        return { ...csvRun, postgresCpuSeconds: postgresCpuSeconds() - postgresCpu };
      })();
      console.log(`csv: ${written.orders} orders in ${run.seconds.toFixed(1)} s = ${Math.round(written.orders / run.seconds)}/s, peak RSS ${run.peakRssMb} MB; COPY baseline ${Math.round(copyRate)} rows/s`);

      // JSONL: the bulk-operation backfill of a shop with `importOrders` orders, the file generated
      // once and served by the fake as the operation's result (streamed; never in memory).
      const jsonlOrders = Number(values["jsonl-orders"] ?? importOrders);
      const jsonlFile = path.join(ROOT, "bench", "out", `bulk-orders-${jsonlOrders}.jsonl`);
      console.log(`writing the bulk result of ${jsonlOrders} orders as JSONL…`);
      const jsonl = await writeOrdersJsonl(jsonlFile, jsonlOrders);
      const jsonlShop = "jsonl-bench.myshopify.com";
      app.fake.addShop({ domain: jsonlShop, name: "Bench JSONL", currencyCode: "SAR", countryCode: "SA", ianaTimezone: "Asia/Riyadh", grantedScopes: ["read_orders", "read_customers"] });
      app.fake.bulkOperations.useResultSource(jsonlShop, "orders", {
        objectCount: jsonl.objectCount,
        rootObjectCount: jsonl.rootObjectCount,
        // Sent through two reused 1 MB buffers: the fake stands in for Shopify's storage, whose serving
        // costs nothing on this machine. Through a 1 MB read stream this process used 8-22 µs of CPU
        // per order (full collections set off by the discarded buffers), through reused ones 7-8 µs.
        file: jsonlFile,
        refund: (gid) => jsonl.refunds.get(gid),
      });
      // A worker dedicated to backfills (WORKER_TASKS): the order-stored steps queued by the CSV
      // import (and by this backfill) are the profiles' work, not counted here, as for the CSV.
      await settleDatabase(app.databaseUrl);
      const [worker] = await app.startWorkers(1, 2, { WORKER_TASKS: "run-backfill,import-backfill-result" });
      const rss = samplePeakRss(worker.pid!);
      const workerCpu0 = cpuSeconds(worker.pid!);
      const postgresCpu0 = postgresCpuSeconds();
      const postgresByKind = postgresCpuSecondsByKind();
      const benchCpu0 = process.cpuUsage();
      console.log(`backfilling ${jsonl.rootObjectCount} orders (${jsonl.objectCount} JSONL lines) through a bulk operation…`);
      await resetStatements(app.databaseUrl);
      const t2 = performance.now();
      const status = await app.fake.openAppAsAdmin(jsonlShop);
      if (status !== 200) throw new Error(`install of ${jsonlShop} failed: HTTP ${status}`);
      const db2 = new pg.Client({ connectionString: app.databaseUrl });
      await db2.connect();
      let backfill: { status: string; importedObjects: number; error: string | null } | undefined;
      for (;;) {
        backfill = (await db2.query(`select status, "importedObjects", error from "BackfillRun" where shop = $1 and resource = 'orders'`, [jsonlShop])).rows[0];
        if (backfill && (backfill.status === "COMPLETED" || backfill.status === "FAILED")) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      const jsonlSeconds = (performance.now() - t2) / 1000;
      const jsonlPeak = rss.stop();
      const jsonlWorkerCpu = cpuSeconds(worker.pid!) - workerCpu0;
      const jsonlPostgresCpu = postgresCpuSeconds() - postgresCpu0;
      console.log(`jsonl: PostgreSQL CPU by process: ${postgresCpuSince(postgresByKind)}`);
      const benchCpu = process.cpuUsage(benchCpu0);
      const jsonlBenchCpu = (benchCpu.user + benchCpu.system) / 1e6;
      const jsonlStored = Number((await db2.query(`select count(*)::int as n from "Order" where shop = $1`, [jsonlShop])).rows[0].n);
      await printStatements(app.databaseUrl, "jsonl");
      await db2.end();
      if (backfill.status !== "COMPLETED") console.error(`backfill ${backfill.status}: ${backfill.error}`);

      importMetrics = {
        import_orders: written.orders,
        import_rows: written.rows,
        import_seconds: Number(run.seconds.toFixed(1)),
        import_orders_per_s: Math.round(written.orders / run.seconds),
        import_rows_per_s: Math.round(written.rows / run.seconds),
        import_peak_rss_mb: run.peakRssMb,
        import_cli_cpu_us_per_order: Math.round((run.cpuSeconds / written.orders) * 1e6),
        import_postgres_cpu_us_per_order: Math.round((run.postgresCpuSeconds / written.orders) * 1e6),
        jsonl_import_orders: jsonlStored,
        jsonl_import_lines: jsonl.objectCount,
        jsonl_import_seconds: Number(jsonlSeconds.toFixed(1)),
        jsonl_import_orders_per_s: Math.round(jsonlStored / jsonlSeconds),
        jsonl_import_peak_rss_mb: jsonlPeak,
        jsonl_worker_cpu_us_per_order: Math.round((jsonlWorkerCpu / Math.max(1, jsonlStored)) * 1e6),
        // The rest of the machine's CPU in the same window: PostgreSQL storing, and this process (the
        // fake serving the file and answering refund queries, which Shopify's servers would do).
        jsonl_postgres_cpu_us_per_order: Math.round((jsonlPostgresCpu / Math.max(1, jsonlStored)) * 1e6),
        jsonl_bench_cpu_us_per_order: Math.round((jsonlBenchCpu / Math.max(1, jsonlStored)) * 1e6),
        baseline_copy_rows_per_s: Math.round(copyRate),
      };
    }

    const result = {
      bench: "ingest",
      deliveries: requests.length,
      concurrency,
      web_processes: app.webProcesses,
      ack_per_s: Math.round(requests.length / ackSeconds),
      ack_p50_ms: Number(percentile(latencies, 50).toFixed(1)),
      ack_p99_ms: Number(percentile(latencies, 99).toFixed(1)),
      ack_errors: errors,
      ack_web_cpu_us_per_delivery: Math.round(ackCpuUs),
      paced_rate_per_s: pacedRate,
      paced_ack_per_s: pacedSeconds ? Math.round(paced.length / pacedSeconds) : 0,
      paced_ack_p50_ms: Number(percentile(pacedLatencies, 50).toFixed(1)),
      paced_ack_p99_ms: Number(percentile(pacedLatencies, 99).toFixed(1)),
      paced_ack_errors: pacedErrors,
      stored_orders_per_s: Math.round(total / storeSeconds),
      processed_orders_per_s: Math.round(total / processSeconds),
      processed_receipts: total,
      orders_stored: orders,
      processing_failures: failed,
      baseline_insert_per_s: Math.round(baseline),
      ratio_processed_to_baseline: Number((total / processSeconds / baseline).toFixed(2)),
      processing_worker_cpu_us_per_order: Math.round((processingWorkerCpu / Math.max(1, total)) * 1e6),
      processing_postgres_cpu_us_per_order: Math.round((processingPostgresCpu / Math.max(1, total)) * 1e6),
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
