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
