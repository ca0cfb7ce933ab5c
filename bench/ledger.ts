/**
 * Ledger benchmark: `npm run bench:ledger [-- --orders 100000 --profiles 20000 --clients 50 --redeems 200]`.
 *
 * Runs the real services in this process against an embedded PostgreSQL (WAFA_DATA_DIR, default
 * .data/bench-pg-ledger; a fresh database each run):
 * - earn_entries_per_s: stored orders earn through awardOrderPoints in batches of 500 (the
 *   order-stored job's batch), `--workers` batches at a time (default 4, the worker's concurrency);
 * - redeem_p50_ms / redeem_p99_ms: `--clients` concurrent clients, each on its own account,
 *   redeeming 1 point `--redeems` times in a row (redeemPoints: lock, lots, key check, write;
 *   redemptions waiting together are written in one statement, see redemption-group.server.ts);
 * - contended_errors: `--clients` clients on ONE account holding half the points they ask for:
 *   every failure must be INSUFFICIENT_POINTS (anything else counts);
 * - baseline_update_per_s (and its p99): raw `UPDATE … RETURNING` of one wallet row per client,
 *   same clients, same database, same run.
 * Last stdout line: one JSON object.
 */
import { parseArgs } from "node:util";
import pg from "pg";
import { openServiceDatabase } from "./lib/service-database";

const { values } = parseArgs({
  options: {
    orders: { type: "string", default: "100000" },
    profiles: { type: "string", default: "20000" },
    clients: { type: "string", default: "50" },
    redeems: { type: "string", default: "200" },
    // Earn batches in flight at once: the worker's default WORKER_CONCURRENCY.
    workers: { type: "string", default: "4" },
  },
});
const ORDERS = Number(values.orders);
const PROFILES = Number(values.profiles);
const CLIENTS = Number(values.clients);
const REDEEMS = Number(values.redeems);
const WORKERS = Number(values.workers);
const SHOP = "bench-ledger.myshopify.com";
const BATCH = 500;
const log = (line: string) => console.error(`[ledger] ${line}`);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

async function main() {
  const database = await openServiceDatabase({
    dataDir: ".data/bench-pg-ledger",
    database: "wafa_ledger_bench",
    // The app's own pool (DATABASE_POOL_MAX, default about two per core plus one per in-process
    // worker), as `npm start` runs it: more connections than the cores can serve only lengthen
    // the tail (p99 26 ms with 20, 16 with 6).
    env: process.env.DATABASE_POOL_MAX ? { DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX } : {},
  });
  const url = database.url;
  const sql = new pg.Pool({ connectionString: url, max: CLIENTS + 2 });

  log(`seeding ${PROFILES} profiles, ${ORDERS} orders`);
  const seedStarted = performance.now();
  await sql.query(`insert into "Shop" (shop, currency, "countryCode", timezone, "updatedAt") values ($1, 'SAR', 'SA', 'Asia/Riyadh', now())`, [SHOP]);
  const { defaultSettings, parseProgramSettings } = await import("../app/domain/loyalty/settings");
  const settings = parseProgramSettings({ ...defaultSettings("SAR"), enabled: true, pendingDays: 0 });
  await sql.query(`insert into "LoyaltySettingsVersion" (shop, version, "effectiveFrom", settings) values ($1, 1, '2025-01-01', $2)`, [SHOP, JSON.stringify(settings)]);
  await sql.query(
    `insert into "Profile" (shop, id, "updatedAt") select $1, 'p' || lpad(i::text, 8, '0'), now() from generate_series(1, $2) i`,
    [SHOP, PROFILES],
  );
  await sql.query(
    `insert into "Order" (shop, "orderGid", channel, "shopifyCreatedAt", "shopifyUpdatedAt", currency, "subtotalMinor", "discountsMinor",
        "shippingMinor", "taxMinor", "totalMinor", "taxesIncluded", "discountCodes", gateways, tags, origin, "updatedAt")
     select $1, 'gid://shopify/Order/' || i, case when i % 3 = 0 then 'POS' else 'ONLINE' end::"Channel",
            timestamp '2026-01-01' + (i || ' seconds')::interval, timestamp '2026-01-01' + (i || ' seconds')::interval, 'SAR',
            10000 + (i % 50) * 100, 0, 0, 0, 10000 + (i % 50) * 100, false, '{}', '{}', '{}', 'WEBHOOK', now()
       from generate_series(1, $2) i`,
    [SHOP, ORDERS],
  );
  await sql.query(
    `insert into "ProfileMember" (shop, "memberKey", "memberKind", "profileId", record, "updatedAt")
     select $1, 'gid://shopify/Order/' || i, 'ORDER', 'p' || lpad((1 + i % $3)::text, 8, '0'), '{}', now() from generate_series(1, $2) i`,
    [SHOP, ORDERS, PROFILES],
  );
  // An account with no orders of its own for the contended run: its balance is exactly what is funded.
  await sql.query(`insert into "Profile" (shop, id, "updatedAt") values ($1, 'hot', now())`, [SHOP]);
  await sql.query(`analyze`);
  log(`seeded in ${round((performance.now() - seedStarted) / 1000)} s`);

  const { awardOrderPoints } = await import("../app/services/award-order-points.server");
  const { redeemPoints, adjustPoints } = await import("../app/services/adjust-points.server");
  const { pool } = await import("../app/db.server");

  // --- earn ---------------------------------------------------------------------------------
  const batches: string[][] = [];
  for (let start = 1; start <= ORDERS; start += BATCH) {
    batches.push(Array.from({ length: Math.min(BATCH, ORDERS - start + 1) }, (_, k) => `gid://shopify/Order/${start + k}`));
  }
  const earnStarted = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (next < batches.length) await awardOrderPoints({ shop: SHOP, orderGids: batches[next++] });
    }),
  );
  const earnSeconds = (performance.now() - earnStarted) / 1000;
  const { rows: [{ entries }] } = await sql.query(`select count(*)::int as entries from "LoyaltyEntry" where shop = $1 and kind = 'EARN'`, [SHOP]);
  const earnPerSecond = entries / earnSeconds;
  log(`earn: ${entries} entries in ${round(earnSeconds, 2)} s = ${Math.round(earnPerSecond)}/s`);

  // --- redeem on distinct accounts -------------------------------------------------------------
  const accounts = Array.from({ length: CLIENTS }, (_, i) => `p${String(i + 1).padStart(8, "0")}`);
  for (const profileId of accounts) {
    await adjustPoints({ shop: SHOP, profileId, points: REDEEMS * 10, reason: "bench", staffId: "bench", staffName: null, requestId: `fund-${profileId}` });
  }
  // Warm-up: plans cached, connections open.
  await Promise.all(accounts.map((profileId, i) => redeemPoints({ shop: SHOP, profileId, points: 1, clientRequestId: `warm-${i}`, channel: "POS" })));
  const latencies: number[] = [];
  const redeemStarted = performance.now();
  await Promise.all(
    accounts.map(async (profileId, client) => {
      for (let i = 0; i < REDEEMS; i++) {
        const started = performance.now();
        await redeemPoints({ shop: SHOP, profileId, points: 1, clientRequestId: `r-${client}-${i}`, channel: "POS" });
        latencies.push(performance.now() - started);
      }
    }),
  );
  const redeemSeconds = (performance.now() - redeemStarted) / 1000;
  latencies.sort((a, b) => a - b);
  log(`redeem: ${latencies.length} in ${round(redeemSeconds, 2)} s, p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms`);

  // --- contended: one hot account --------------------------------------------------------------
  const hot = "hot";
  const perClient = 20;
  const hotPoints = (CLIENTS * perClient) / 2;
  await adjustPoints({ shop: SHOP, profileId: hot, points: hotPoints, reason: "bench", staffId: "bench", staffName: null, requestId: "fund-hot" });
  let contendedOk = 0;
  let insufficient = 0;
  let contendedErrors = 0;
  const errorSamples = new Set<string>();
  const contendedLatencies: number[] = [];
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let i = 0; i < perClient; i++) {
        const started = performance.now();
        try {
          await redeemPoints({ shop: SHOP, profileId: hot, points: 1, clientRequestId: `hot-${client}-${i}`, channel: "ONLINE" });
          contendedOk++;
        } catch (error) {
          if ((error as { code?: string }).code === "INSUFFICIENT_POINTS") insufficient++;
          else {
            contendedErrors++;
            errorSamples.add((error as Error).message);
          }
        }
        contendedLatencies.push(performance.now() - started);
      }
    }),
  );
  contendedLatencies.sort((a, b) => a - b);
  const { rows: [hotWallet] } = await sql.query(`select "balancePoints" from "LoyaltyWallet" where shop = $1 and "profileId" = $2`, [SHOP, hot]);
  log(`contended: ${contendedOk} ok, ${insufficient} INSUFFICIENT_POINTS, ${contendedErrors} other errors ${[...errorSamples].join("; ")}; balance left ${hotWallet.balancePoints}; p99 ${round(percentile(contendedLatencies, 99))} ms`);

  // --- baseline: raw UPDATE … RETURNING, one row per client --------------------------------------
  const baselineLatencies: number[] = [];
  const baselineStarted = performance.now();
  await Promise.all(
    accounts.map(async (profileId) => {
      for (let i = 0; i < REDEEMS; i++) {
        const started = performance.now();
        await pool.query(`update "LoyaltyWallet" set "heldPoints" = "heldPoints" + 1 where shop = $1 and "profileId" = $2 returning "heldPoints"`, [SHOP, profileId]);
        baselineLatencies.push(performance.now() - started);
      }
    }),
  );
  const baselineSeconds = (performance.now() - baselineStarted) / 1000;
  baselineLatencies.sort((a, b) => a - b);
  const baselinePerSecond = baselineLatencies.length / baselineSeconds;
  log(`baseline UPDATE … RETURNING: ${Math.round(baselinePerSecond)}/s, p99 ${round(percentile(baselineLatencies, 99))} ms`);

  const result = {
    bench: "ledger",
    orders: ORDERS,
    profiles: PROFILES,
    clients: CLIENTS,
    workers: WORKERS,
    earn_entries_per_s: Math.round(earnPerSecond),
    redeem_per_s: Math.round(latencies.length / redeemSeconds),
    redeem_p50_ms: round(percentile(latencies, 50)),
    redeem_p99_ms: round(percentile(latencies, 99)),
    contended_ok: contendedOk,
    contended_insufficient: insufficient,
    contended_errors: contendedErrors,
    contended_balance_left: hotWallet.balancePoints,
    baseline_update_per_s: Math.round(baselinePerSecond),
    baseline_update_p99_ms: round(percentile(baselineLatencies, 99)),
    ratio_redeem_to_baseline: round(latencies.length / redeemSeconds / baselinePerSecond, 3),
  };
  console.log(
    [
      `earn entries/s          ${result.earn_entries_per_s}   (target >= 5000)`,
      `redeem p50 / p99 ms     ${result.redeem_p50_ms} / ${result.redeem_p99_ms}   (${CLIENTS} clients, distinct accounts; target p99 <= 20)`,
      `redeems/s               ${result.redeem_per_s}`,
      `contended errors        ${result.contended_errors}   (${contendedOk} ok, ${insufficient} INSUFFICIENT_POINTS; target 0 other errors)`,
      `baseline UPDATE/s       ${result.baseline_update_per_s}   (p99 ${result.baseline_update_p99_ms} ms)`,
    ].join("\n"),
  );
  console.log(JSON.stringify(result));
  await sql.end();
  await pool.end();
  await database.stop();
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
