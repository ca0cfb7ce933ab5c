import { Prisma } from "@prisma/client";
import prisma from "../db.server";

const TABLES = { orders: ["Order", "OrderLine", "Refund", "RefundLine"], customers: ["Customer"] } as const;

/**
 * ANALYZE the tables a bulk load writes. A load that starts on small tables outpaces autovacuum's
 * analyze: PostgreSQL keeps planning the foreign-key checks of each insert as scans of a "tiny"
 * table, and every batch gets slower than the last (measured: 4x after 10,000 orders). Fresh
 * statistics put them back on the primary-key index. Best effort: a failure only costs speed.
 */
export async function refreshLoadStatistics(kind: keyof typeof TABLES): Promise<void> {
  const list = Prisma.raw(TABLES[kind].map((t) => `"${t}"`).join(", "));
  await prisma.$executeRaw`analyze ${list}`.catch(() => {});
}

/**
 * When a bulk load refreshes statistics: at batches 4, 16, 64, 256, … — each time the load has
 * grown the tables about fourfold, so a load of n batches analyzes O(log n) times.
 */
export function shouldRefreshStatistics(batchNumber: number): boolean {
  let at = 4;
  while (at < batchNumber) at *= 4;
  return at === batchNumber;
}

/** Per process: when each table list was last checked (the check itself is one catalog read). */
const lastChecked = new Map<string, number>();
const CHECK_EVERY_MS = 3_000;

/**
 * ANALYZE any of `tables` that grew by a fifth (and at least 100 rows changed) since its last
 * analyze. For the steady stream of webhooks and the identity and ledger steps: a new shop fills
 * its tables faster than autovacuum re-analyzes them, and plans made on statistics of a nearly
 * empty table walk the whole shop for every batch (measured: a profile refresh of 114 profiles
 * took 250 ms instead of 8 at 20,000 orders, the foreign-key check of each order line 0.3 ms).
 * Checked at most every 3 s per process; concurrent processes analyze a table once (try-lock).
 * Once a shop is large, a fifth is a lot of change and this stays quiet. Best effort.
 * The floor is low because a table's first rows matter most to cached generic plans (the single
 * attach uses them): a plan made while MatchPair was nearly empty looked pairs up through the
 * (shop, status) index and filtered all of the shop's pairs, three times per attach, until the
 * next ANALYZE (at the former floor of 1,000 changes: 0.3-0.6 ms of a 4 ms attach, measured).
 * Analyzing a table of a few hundred rows takes a few milliseconds.
 */
export async function refreshStaleStatistics(tables: readonly string[]): Promise<string[]> {
  const id = tables.join(",");
  const now = Date.now();
  if (now - (lastChecked.get(id) ?? 0) < CHECK_EVERY_MS) return [];
  lastChecked.set(id, now);
  try {
    const stale = await prisma.$queryRaw<Array<{ relname: string }>>`
      select relname::text as relname from pg_stat_user_tables
      where schemaname = current_schema() and relname = any(${[...tables]}::text[])
        and n_mod_since_analyze >= 100 and n_mod_since_analyze * 5 >= greatest(n_live_tup - n_mod_since_analyze, 0)`;
    const analyzed: string[] = [];
    for (const { relname } of stale) {
      const done = await prisma.$transaction(async (tx) => {
        const [{ locked }] = await tx.$queryRaw<Array<{ locked: boolean }>>`select pg_try_advisory_xact_lock(hashtext(${`analyze:${relname}`})) as locked`;
        if (!locked) return false;
        await tx.$executeRawUnsafe(`analyze "${relname.replace(/"/g, '""')}"`);
        return true;
      }, { timeout: 60_000 });
      if (done) analyzed.push(relname);
    }
    return analyzed;
  } catch {
    return [];
  }
}

const refreshing = new Set<string>();

/**
 * refreshStaleStatistics in the background, for the steps of a job: the batch at hand does not wait
 * for an ANALYZE (a few hundred ms on a large table) — the batches after it get the better plans.
 * One refresh of a table list at a time per process.
 */
export function refreshStaleStatisticsSoon(tables: readonly string[]): void {
  const id = tables.join(",");
  if (refreshing.has(id)) return;
  refreshing.add(id);
  void refreshStaleStatistics(tables).finally(() => refreshing.delete(id));
}
