/**
 * Loyalty jobs benchmark: `npx tsx bench/loyalty-jobs.ts [-- --wallets 1000000 --earns 300000 --lots 100000]`.
 *
 * Runs the real job services in this process against an embedded PostgreSQL (WAFA_DATA_DIR,
 * default .data/bench-pg-loyalty-jobs; a fresh database each run):
 * - tier_full_s: recalculateTiers over every wallet (first run: most wallets change);
 *   tier_rerun_s: the same run again (nothing changes, so nothing is written);
 * - baseline_aggregate_s: the raw rolling-spend aggregate over the same earns in one statement,
 *   without tiers or writes, same database, same run;
 * - expiry_lots_per_s: expirePoints writing off `--lots` expired lots through the ledger (EXPIRY
 *   entries in units of 500 lots), and expiry_rerun_s: the same run again (nothing left).
 * Last stdout line: one JSON object.
 */
import { parseArgs } from "node:util";
import pg from "pg";
import { openServiceDatabase } from "./lib/service-database";

const { values } = parseArgs({
  options: {
    wallets: { type: "string", default: "1000000" },
    earns: { type: "string", default: "300000" },
    lots: { type: "string", default: "100000" },
  },
});
const WALLETS = Number(values.wallets);
const EARNS = Number(values.earns);
const LOTS = Number(values.lots);
const SHOP = "bench-loyalty-jobs.myshopify.com";
const log = (line: string) => console.error(`[loyalty-jobs] ${line}`);
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const seconds = (started: number) => (performance.now() - started) / 1000;

async function main() {
  const database = await openServiceDatabase({ dataDir: ".data/bench-pg-loyalty-jobs", database: "wafa_loyalty_jobs_bench" });
  const url = database.url;
  const sql = new pg.Pool({ connectionString: url, max: 4 });

  log(`seeding ${WALLETS} wallets, ${EARNS} order earns, ${LOTS} expired lots`);
  const seedStarted = performance.now();
  await sql.query(`insert into "Shop" (shop, currency, "countryCode", timezone, "updatedAt") values ($1, 'SAR', 'SA', 'Asia/Riyadh', now())`, [SHOP]);
  const { defaultSettings, parseProgramSettings } = await import("../app/domain/loyalty/settings");
  const settings = parseProgramSettings({
    ...defaultSettings("SAR"),
    enabled: true,
    pendingDays: 0,
    expiry: { kind: "AFTER_EARNING", months: 12 },
    tiers: [
      { id: "silver", name: { en: "Silver", ar: "فضي" }, thresholdMinor: 50_000, earnMultiplier: "1.25" },
      { id: "gold", name: { en: "Gold", ar: "ذهبي" }, thresholdMinor: 200_000, earnMultiplier: "1.5" },
    ],
  });
  await sql.query(`insert into "LoyaltySettingsVersion" (shop, version, "effectiveFrom", settings) values ($1, 1, '2025-01-01', $2)`, [SHOP, JSON.stringify(settings)]);
  const id = (expr: string) => `'p' || lpad((${expr})::text, 8, '0')`;
  await sql.query(
    `insert into "LoyaltyWallet" (shop, "profileId", "balancePoints") select $1, ${id("i")}, 0 from generate_series(1, $2) i`,
    [SHOP, WALLETS],
  );
  // Earns on a fifth of the wallets, placed over the last 18 months (some outside the window).
  await sql.query(
    `insert into "LoyaltyOrderEarn" (shop, "orderGid", "profileId", "earnedPoints", "eligibleAmountMinor", "refundedEligibleMinor",
        "settingsVersion", channel, "placedAt")
     select $1, 'gid://shopify/Order/' || i, ${id("1 + (i::bigint * 7919) % greatest(1, $3 / 5)")}, 100, 20000 + (i % 40) * 2500,
            case when i % 10 = 0 then 10000 else 0 end, 1, 'ONLINE', timestamp '2027-06-01' - ((i % 540) || ' days')::interval
       from generate_series(1, $2) i`,
    [SHOP, EARNS, WALLETS],
  );
  // Expired lots (with their credit entries, so the ledger stays consistent) on the first wallets.
  await sql.query(
    `with lots as (
       select 'bench-lot-' || i as id, ${id("1 + i % $3")} as "profileId", 50 as points from generate_series(1, $2) i),
     credited as (
       insert into "LoyaltyEntry" (shop, "profileId", "idempotencyKey", kind, points, "balanceAfter", "occurredAt", source, "lotAllocations")
       select $1, "profileId", id, 'BONUS', points, 0, timestamp '2026-01-01', 'JOB', json_build_array(json_build_object('lotId', id, 'points', points))::jsonb
         from lots returning 1)
     insert into "LoyaltyLot" (shop, id, "profileId", points, "remainingPoints", "earnedAt", "availableAt", "expiresAt")
     select $1, id, "profileId", points, points, timestamp '2026-01-01', timestamp '2026-01-01', timestamp '2027-01-01' from lots`,
    [SHOP, LOTS, WALLETS],
  );
  await sql.query(
    `update "LoyaltyWallet" w set "balancePoints" = x.points, "lastActivityAt" = timestamp '2026-01-01'
       from (select "profileId", sum("remainingPoints")::int as points from "LoyaltyLot" where shop = $1 group by 1) x
      where w.shop = $1 and w."profileId" = x."profileId"`,
    [SHOP],
  );
  await sql.query(`analyze`);
  log(`seeded in ${round(seconds(seedStarted), 1)} s`);

  const { recalculateTiers } = await import("../app/services/recalculate-tiers.server");
  const { expirePoints } = await import("../app/services/expire-points.server");
  const now = new Date("2027-06-01T00:00:00Z");

  // --- baseline: the bare aggregate ------------------------------------------------------------
  let started = performance.now();
  await sql.query(
    `select "profileId", greatest(0, sum("eligibleAmountMinor" - "refundedEligibleMinor")) from "LoyaltyOrderEarn"
      where shop = $1 and "placedAt" > $2::timestamp and "placedAt" <= $3::timestamp group by 1`,
    [SHOP, new Date("2026-06-01T00:00:00Z").toISOString(), now.toISOString()],
  );
  const baselineAggregate = seconds(started);
  log(`baseline aggregate: ${round(baselineAggregate)} s`);

  // --- tiers --------------------------------------------------------------------------------
  started = performance.now();
  const tierFull = await recalculateTiers({ shop: SHOP, now });
  const tierFullSeconds = seconds(started);
  log(`tiers: ${tierFull.wallets} wallets, ${tierFull.tierChanges} tier changes in ${round(tierFullSeconds)} s`);
  started = performance.now();
  const tierRerun = await recalculateTiers({ shop: SHOP, now });
  const tierRerunSeconds = seconds(started);
  log(`tiers again: ${tierRerun.tierChanges} changes in ${round(tierRerunSeconds)} s`);

  // --- expiry -------------------------------------------------------------------------------
  started = performance.now();
  const expiry = await expirePoints({ shop: SHOP, now });
  const expirySeconds = seconds(started);
  log(`expiry: ${expiry.expiredLots} lots, ${expiry.expiredPoints} points in ${round(expirySeconds)} s`);
  started = performance.now();
  const expiryRerun = await expirePoints({ shop: SHOP, now });
  const expiryRerunSeconds = seconds(started);
  log(`expiry again: ${expiryRerun.expiredLots} lots in ${round(expiryRerunSeconds)} s`);
  const { rows: [check] } = await sql.query(
    `select (select count(*) from "LoyaltyWallet" w where shop = $1 and "balancePoints" <> (select coalesce(sum(points), 0) from "LoyaltyEntry" e where e.shop = w.shop and e."profileId" = w."profileId") and "profileId" <= ${id("$2")})::int as inconsistent`,
    [SHOP, Math.min(WALLETS, LOTS)],
  );

  console.log("");
  console.log(`wallets                 ${WALLETS}`);
  console.log(`order earns             ${EARNS}`);
  console.log(`baseline aggregate      ${round(baselineAggregate)} s`);
  console.log(`tiers, full run         ${round(tierFullSeconds)} s (${tierFull.tierChanges} changes)`);
  console.log(`tiers, re-run           ${round(tierRerunSeconds)} s (${tierRerun.tierChanges} changes)`);
  console.log(`expiry                  ${expiry.expiredLots} lots in ${round(expirySeconds)} s = ${Math.round(expiry.expiredLots / expirySeconds)}/s`);
  console.log(`expiry, re-run          ${round(expiryRerunSeconds)} s`);
  console.log(`inconsistent wallets    ${check.inconsistent}`);
  console.log(
    JSON.stringify({
      bench: "loyalty-jobs",
      wallets: WALLETS,
      earns: EARNS,
      tier_full_s: round(tierFullSeconds),
      tier_rerun_s: round(tierRerunSeconds),
      tier_wallets_per_s: Math.round(tierFull.wallets / tierFullSeconds),
      tier_changes: tierFull.tierChanges,
      baseline_aggregate_s: round(baselineAggregate),
      expiry_lots_per_s: Math.round(expiry.expiredLots / expirySeconds),
      expiry_rerun_s: round(expiryRerunSeconds),
      inconsistent_wallets: check.inconsistent,
    }),
  );
  await sql.end();
  const { pool } = await import("../app/db.server");
  await pool.end();
  // Results are out; a pooled connection the server drops while stopping is of no interest.
  process.on("uncaughtException", () => process.exit(0));
  await database.stop();
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
