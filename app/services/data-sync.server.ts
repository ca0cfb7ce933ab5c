/**
 * The Data sync admin page (#3 item 6): what reached Wafa and what became of it, all counted
 * from the shop's rows (receipts, graphile-worker jobs, backfill and import runs, a re-key pass).
 */
import { ValidationError } from "../domain/errors";
import { requireShop } from "../models/shop.server";
import {
  countReceiptsByTopic,
  getLastReceivedAt,
  listFailedReceipts,
  listRejectedReceipts,
} from "../models/webhook-receipt.server";
import { countJobsByTask, listDeadJobs } from "../models/job.server";
import { countActiveBackfillRuns } from "../models/backfill-run.server";
import { listLatestBackfillRuns, startBackfill } from "./backfill.server";
import { listRecentImportRuns } from "./import-orders.server";
import { getIdentityRekeyProgress } from "./resolve-identity.server";

/** How many failures and rejected payloads the page lists (the counts cover all of them). */
export const DATA_SYNC_LIST_LIMIT = 50;

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;
const isActive = (status: string) => status === "PENDING" || status === "RUNNING";

/** Everything the Data sync page shows, serialisable as JSON (ids as strings, dates as ISO). */
export async function getDataSyncReport({ shop }: { shop: string }) {
  const [record, topics, jobs, failedReceipts, deadJobs, rejected, backfills, imports, lastEventAt, identityRekey] = await Promise.all([
    requireShop({ shop }),
    countReceiptsByTopic({ shop }),
    countJobsByTask({ shop }),
    listFailedReceipts({ shop, take: DATA_SYNC_LIST_LIMIT }),
    listDeadJobs({ shop, take: DATA_SYNC_LIST_LIMIT }),
    listRejectedReceipts({ shop, take: DATA_SYNC_LIST_LIMIT }),
    listLatestBackfillRuns({ shop }),
    listRecentImportRuns({ shop, take: 5 }),
    getLastReceivedAt({ shop }),
    getIdentityRekeyProgress({ shop }),
  ]);
  const sum = (pick: (t: (typeof topics)[number]) => number) => topics.reduce((n, t) => n + pick(t), 0);
  return {
    timezone: record.timezone,
    lastEventAt: iso(lastEventAt),
    topics: topics.map((t) => ({ ...t, lastReceivedAt: t.lastReceivedAt.toISOString() })),
    totals: { accepted: sum((t) => t.accepted), processed: sum((t) => t.processed), rejected: sum((t) => t.rejected), failed: sum((t) => t.failed) },
    jobs,
    failedReceipts: failedReceipts.map((r) => ({
      id: r.id.toString(),
      topic: r.topic,
      receivedAt: r.receivedAt.toISOString(),
      failedAt: iso(r.failedAt),
      reason: r.failureReason ?? "",
    })),
    deadJobs: deadJobs.map((j) => ({ ...j, failedAt: j.failedAt.toISOString() })),
    deadJobCount: jobs.reduce((n, j) => n + j.dead, 0),
    rejected: rejected.map((r) => ({
      id: r.id.toString(),
      topic: r.topic,
      receivedAt: r.receivedAt.toISOString(),
      code: r.rejectCode ?? "",
      reason: r.rejectReason ?? "",
    })),
    backfills: backfills.map((b) => ({
      id: b.id,
      resource: b.resource,
      status: b.status,
      importedObjects: b.importedObjects,
      // Shopify's objectCount counts every JSONL record (orders and their line items), so the
      // bar follows records read; the text also names the orders or customers imported.
      importedLines: b.importedLines,
      totalObjects: b.totalObjects,
      error: b.error,
      startedAt: b.startedAt.toISOString(),
      finishedAt: iso(b.finishedAt),
    })),
    imports: imports.map((i) => ({
      id: i.id,
      fileName: i.fileName,
      status: i.status,
      totalRows: i.totalRows,
      acceptedRows: i.acceptedRows,
      rejectedRows: i.rejectedRows,
      orders: i.orders,
      processedOrders: i.processedOrders,
      error: i.error,
      startedAt: i.startedAt.toISOString(),
      finishedAt: iso(i.finishedAt),
    })),
    /** Profiles' match keys being derived again after an update of the matching (null: they are current). */
    identityRekey,
    /** true while a backfill, an import or a re-key is in progress: the page polls while it is */
    active: backfills.some((b) => isActive(b.status)) || imports.some((i) => isActive(i.status)) || identityRekey !== null,
  };
}

export type DataSyncReport = Awaited<ReturnType<typeof getDataSyncReport>>;

/**
 * The "Start backfill" button: starts a backfill of every resource, refused (ValidationError on
 * the `backfill` field) while one is already in progress. Two simultaneous clicks still start one
 * backfill: startBackfill is serialised per shop.
 */
export async function requestBackfill({ shop }: { shop: string }) {
  if ((await countActiveBackfillRuns({ shop })) > 0) {
    throw new ValidationError({ backfill: ["A backfill is already running; wait for it to finish."] }, "A backfill is already running");
  }
  const runs = await startBackfill({ shop });
  return { runIds: runs.map((r) => r.id) };
}
