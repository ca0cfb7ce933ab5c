/**
 * Points liability report benchmark: `npx tsx bench/liability-report.ts [--lots 1000000 --wallets 200000 --runs 5]`.
 *
 * Seeds one shop with `--lots` open lots over `--wallets` wallets (tiers, pending, expired, closed
 * and spent lots mixed, plus a second shop of the same size that must not be read), then times
 * getPointsLiabilityReport (one GROUPING SETS statement over the lots joined to wallets, and the
 * wallet totals). Baseline in the same run: a bare `count(*), sum("remainingPoints")` over the
 * shop's lots, the least any report of these lots can cost. Embedded PostgreSQL under
 * WAFA_DATA_DIR (default .data/bench-pg-liability), fresh database each run. Last stdout line: JSON.
 */
import { parseArgs } from "node:util";
import pg from "pg";
import { openServiceDatabase } from "./lib/service-database";

const { values } = parseArgs({
  options: {
    lots: { type: "string", default: "1000000" },
    wallets: { type: "string", default: "200000" },
    runs: { type: "string", default: "5" },
  },
});
const LOTS = Number(values.lots);
const WALLETS = Number(values.wallets);
const RUNS = Number(values.runs);
const SHOP = "bench-liability.myshopify.com";
const OTHER = "bench-liability-other.myshopify.com";
const log = (line: string) => console.error(`[liability] ${line}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (value: number) => Math.round(value * 10) / 10;

async function seed(sql: pg.Pool, shop: string) {
  await sql.query(`insert into "Shop" (shop, currency, "countryCode", timezone, "updatedAt") values ($1, 'SAR', 'SA', 'Asia/Riyadh', now())`, [shop]);
  await sql.query(
    `insert into "LoyaltyWallet" (shop, "profileId", "balancePoints", "heldPoints", "tierId")
     select $1, 'p' || i, 0, i % 7, (array[null, 'silver', 'gold', 'vip'])[1 + i % 4] from generate_series(1, $2) i`,
    [shop, WALLETS],
  );
  // Lots spread over 36 expiry months (a quarter never expire), 10% pending, 5% closed, 5% spent.
  await sql.query(
    `insert into "LoyaltyLot" (shop, id, "profileId", points, "remainingPoints", "earnedAt", "availableAt", "expiresAt", "closedAt")
     select $1, 'earn:' || i, 'p' || (1 + i % $3), 100,
            case when i % 20 = 1 then 0 else 1 + i % 100 end,
            timestamp '2026-01-01' + (i % 300 || ' days')::interval,
            case when i % 10 = 0 then timestamp '2027-06-01' else timestamp '2026-01-15' end,
            case when i % 4 = 0 then null else timestamp '2026-06-01' + (i % 36 || ' months')::interval end,
            case when i % 20 = 2 then timestamp '2026-07-01' else null end
       from generate_series(1, $2) i`,
    [shop, LOTS, WALLETS],
  );
}

async function main() {
  const database = await openServiceDatabase({ dataDir: ".data/bench-pg-liability", database: "wafa_liability_bench" });
  const url = database.url;
  const sql = new pg.Pool({ connectionString: url, max: 2 });
  const seedStarted = performance.now();
  log(`seeding ${LOTS} lots over ${WALLETS} wallets, twice (two shops)`);
  await seed(sql, SHOP);
  await seed(sql, OTHER);
  await sql.query("analyze");
  log(`seeded in ${round((performance.now() - seedStarted) / 1000)} s`);

  const { getPointsLiabilityReport } = await import("../app/services/points-liability.server");
  const now = new Date("2026-11-23T12:00:00Z");
  const reportMs: number[] = [];
  const baselineMs: number[] = [];
  let totalPoints = 0;
  // Warm both once (plans, caches), then alternate so noise hits both alike.
  await getPointsLiabilityReport({ shop: SHOP, now });
  await sql.query(`select count(*), sum("remainingPoints") from "LoyaltyLot" where shop = $1`, [SHOP]);
  for (let run = 0; run < RUNS; run++) {
    let started = performance.now();
    const report = await getPointsLiabilityReport({ shop: SHOP, now });
    reportMs.push(performance.now() - started);
    totalPoints = report.total.points;
    started = performance.now();
    await sql.query(`select count(*), sum("remainingPoints") from "LoyaltyLot" where shop = $1 and "remainingPoints" > 0 and "closedAt" is null`, [SHOP]);
    baselineMs.push(performance.now() - started);
  }
  const result = {
    bench: "liability-report",
    lots: LOTS,
    wallets: WALLETS,
    report_ms: round(median(reportMs)),
    baseline_scan_ms: round(median(baselineMs)),
    ratio: round(median(reportMs) / median(baselineMs)),
    total_points: totalPoints,
  };
  console.log(`report (median of ${RUNS})     ${result.report_ms} ms`);
  console.log(`baseline count+sum scan    ${result.baseline_scan_ms} ms`);
  console.log(JSON.stringify(result));
  await sql.end();
  const { default: prisma, pool } = await import("../app/db.server");
  await prisma.$disconnect();
  await pool.end();
  await database.stop();
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
