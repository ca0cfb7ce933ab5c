import prisma from "../db.server";

/** Rejection entries of one import run of the shop (a row with several problems has one per problem). */
export function countImportRejections({ shop, importRunId }: { shop: string; importRunId: string }) {
  return prisma.importRejection.count({ where: { importRunId, importRun: { shop } } });
}

/** The shop's most recent import run, or null. */
export function getLatestImportRun({ shop }: { shop: string }) {
  return prisma.importRun.findFirst({ where: { shop }, orderBy: { startedAt: "desc" } });
}
