import prisma from "../db.server";

/** Backfill runs of the shop not finished yet (PENDING or RUNNING). */
export function countActiveBackfillRuns({ shop }: { shop: string }) {
  return prisma.backfillRun.count({ where: { shop, status: { in: ["PENDING", "RUNNING"] } } });
}
