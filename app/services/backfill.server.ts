/**
 * Historical backfill through bulk operations (#3 item 4): on install and on demand, one
 * BackfillRun per resource (customers; orders with line items and refunds).
 *
 * run-backfill job       starts the bulk query, then re-checks it with backoff (the polling
 *                        fallback); the bulk_operations/finish webhook makes the check immediate.
 * import-backfill-result streams the JSONL and stores it in batches through the same path as
 *                        webhooks. `importedLines` is the checkpoint, written in the same
 *                        transaction as each batch, so a crash resumes after the last whole batch
 *                        and nothing is stored twice.
 * Both jobs of a run share one named queue, so they never run concurrently.
 */
import type { Prisma, PrismaClient } from "@prisma/client";
import prisma, { pool, withPgTransaction } from "../db.server";
import { enqueueJob } from "../jobs/queue.server";
import { getShop } from "../models/shop.server";
import type { AdminGraphql } from "../shopify/graphql-client";
import { getBulkOperation, getRefundDetails, startBulkQuery, type BackfillResource } from "../shopify/bulk-operations";
import { toRefundRecordFromGraphql } from "../shopify/bulk-records";
import { readBackfillBatches, type BackfillReaderOutput } from "./backfill-reader.server";
import { storeCustomersInTransaction, storeOrdersWithClient } from "./store-orders.server";
import { refreshOrderKeyStatistics } from "../models/copy-store.server";
import { enqueueCustomerStored } from "./order-stored.server";
import { refreshLoadStatistics, shouldRefreshStatistics } from "../models/statistics.server";
import type { RefundRecord } from "../shopify/webhook-payloads";

export const BACKFILL_RESOURCES: BackfillResource[] = ["customers", "orders"];
/** Lines per transaction: large enough to amortise the commit, small enough to keep memory flat. */
export const DEFAULT_BATCH_LINES = 4000;
/** Polling fallback: seconds before each re-check of a running bulk operation (the last repeats). */
export const POLL_DELAYS_SECONDS = [1, 2, 5, 10, 30, 60, 120, 300];

type Db = PrismaClient | Prisma.TransactionClient;

const queueOf = (runId: string) => `backfill:${runId}`;

function enqueueCheck(db: Db, shop: string, runId: string, poll: number, delaySeconds: number) {
  return enqueueJob(db, "run-backfill", { shop, runId, poll }, {
    jobKey: `backfill-check:${runId}`,
    queueName: queueOf(runId),
    runAt: new Date(Date.now() + delaySeconds * 1000),
  });
}

function enqueueImport(db: Db, shop: string, runId: string) {
  return enqueueJob(db, "import-backfill-result", { shop, runId }, { jobKey: `backfill-import:${runId}`, queueName: queueOf(runId) });
}

/**
 * Starts a backfill of every resource that has none in progress; returns the runs in progress.
 * Serialised per shop (advisory lock), so parallel install hooks start one backfill, not two.
 */
export async function startBackfill({ shop }: { shop: string }) {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${`backfill:${shop}`}))`;
    const active = await tx.backfillRun.findMany({ where: { shop, status: { in: ["PENDING", "RUNNING"] } } });
    const runs = [...active];
    for (const resource of BACKFILL_RESOURCES) {
      if (active.some((r) => r.resource === resource)) continue;
      const run = await tx.backfillRun.create({ data: { shop, resource, status: "PENDING" } });
      await enqueueJob(tx, "run-backfill", { shop, runId: run.id, poll: 0 }, { jobKey: `backfill-check:${run.id}`, queueName: queueOf(run.id) });
      runs.push(run);
    }
    return runs;
  });
}

/** The latest run of each resource, for the admin's progress bars. */
export async function listLatestBackfillRuns({ shop }: { shop: string }) {
  const runs = await prisma.backfillRun.findMany({ where: { shop }, orderBy: { startedAt: "desc" }, take: 20 });
  return BACKFILL_RESOURCES.map((resource) => runs.find((r) => r.resource === resource)).filter((r) => r != null);
}

/** Ends a run that cannot finish (operation failed, retries exhausted, shop uninstalled). */
export async function endBackfillRun({ shop, runId, status = "FAILED", error }: { shop: string; runId: string; status?: "FAILED" | "CANCELLED"; error: string }) {
  await prisma.backfillRun.updateMany({
    where: { id: runId, shop, status: { in: ["PENDING", "RUNNING"] } },
    data: { status, error: error.slice(0, 2000), finishedAt: new Date() },
  });
}

const failRun = (shop: string, runId: string, error: string) => endBackfillRun({ shop, runId, error });

/**
 * The run-backfill job: start the bulk operation if the run has none, otherwise check it; when it
 * completed, record its result URL and enqueue the import in one transaction.
 */
export async function advanceBackfill({ shop, runId, poll, graphql }: { shop: string; runId: string; poll: number; graphql: AdminGraphql }) {
  const run = await prisma.backfillRun.findFirst({ where: { id: runId, shop } });
  if (!run || (run.status !== "PENDING" && run.status !== "RUNNING")) return;
  if (run.resultUrl) {
    await enqueueImport(prisma, shop, runId);
    return;
  }
  if (!run.bulkOperationId) {
    const { id } = await startBulkQuery(graphql, run.resource as BackfillResource);
    await prisma.$transaction(async (tx) => {
      await tx.backfillRun.update({ where: { id: runId }, data: { bulkOperationId: id, status: "RUNNING" } });
      await enqueueCheck(tx, shop, runId, 1, POLL_DELAYS_SECONDS[0]);
    });
    return;
  }
  const operation = await getBulkOperation(graphql, run.bulkOperationId);
  if (!operation) return failRun(shop, runId, `Shopify no longer knows bulk operation ${run.bulkOperationId}.`);
  switch (operation.status) {
    case "COMPLETED": {
      if (!operation.url || operation.objectCount === 0) {
        await prisma.backfillRun.update({ where: { id: runId }, data: { status: "COMPLETED", totalObjects: 0, finishedAt: new Date() } });
        return;
      }
      await prisma.$transaction(async (tx) => {
        await tx.backfillRun.update({ where: { id: runId }, data: { resultUrl: operation.url, totalObjects: operation.objectCount } });
        await enqueueImport(tx, shop, runId);
      });
      return;
    }
    case "FAILED":
    case "CANCELED":
    case "CANCELING":
    case "EXPIRED":
      return failRun(shop, runId, `Bulk operation ${operation.status.toLowerCase()}${operation.errorCode ? `: ${operation.errorCode}` : ""}.`);
    default: {
      const next = poll + 1;
      await enqueueCheck(prisma, shop, runId, next, POLL_DELAYS_SECONDS[Math.min(next, POLL_DELAYS_SECONDS.length) - 1]);
    }
  }
}

/**
 * bulk_operations/finish: check the run now instead of at its next poll (the payload has no
 * result URL; the check reads it). An operation Wafa did not start is ignored.
 */
export async function handleBulkOperationFinished({ shop, bulkOperationId }: { shop: string; bulkOperationId: string; status: string }): Promise<void> {
  const run = await prisma.backfillRun.findFirst({ where: { shop, bulkOperationId } });
  if (!run || (run.status !== "PENDING" && run.status !== "RUNNING")) return;
  await enqueueCheck(prisma, shop, run.id, 0, 0);
}

export class BackfillCheckpointMovedError extends Error {
  constructor(runId: string) {
    super(`Backfill run ${runId} was advanced by another worker; this import stops.`);
    this.name = "BackfillCheckpointMovedError";
  }
}

interface ImportOptions {
  batchLines?: number;
  /** where lines are parsed and encoded (by default a worker thread from READER_THREAD_FROM_OBJECTS objects) */
  readIn?: "worker-thread" | "this-thread";
  /** called after each committed batch (tests use it to kill the import between batches) */
  afterBatch?: (progress: { importedLines: number }) => Promise<void> | void;
}

/**
 * From how many objects a result is read in a worker thread. Starting one (loading its
 * TypeScript) was measured at 0.35-0.5 s, and the thread saves about a sixth of an import's
 * time: it pays from some 75,000 objects (30,000 orders with their line items).
 */
export const READER_THREAD_FROM_OBJECTS = 100_000;
/**
 * The import-backfill-result job: streams the result file, skipping the lines a previous attempt
 * committed, and stores whole objects in batches. Objects that cannot be mapped are skipped and
 * counted (the run's `error` says how many and why); they never block the rest.
 *
 * Three things run at once on a large file: the reader (a worker thread) parses, maps and encodes
 * batch n+1, this thread sends batch n to PostgreSQL, and PostgreSQL stores it.
 */
export async function importBackfillResult(
  { shop, runId, graphql }: { shop: string; runId: string; graphql: AdminGraphql },
  options: ImportOptions = {},
) {
  const run = await prisma.backfillRun.findFirst({ where: { id: runId, shop } });
  if (!run || !run.resultUrl || (run.status !== "RUNNING" && run.status !== "PENDING")) return;
  const resource = run.resource as BackfillResource;
  const batchLines = options.batchLines ?? DEFAULT_BATCH_LINES;
  const fallbackCurrency = (await getShop({ shop }))?.currency ?? "USD";
  /** the checkpoint the next batch starts from (batches in flight included) */
  let committed = run.importedLines;
  let importedObjects = run.importedObjects;
  // Refund lines come from the regular API (getRefundDetails, 50 a query), read while the batch is
  // still being parsed: a query starts as soon as the reader has 50 refunds (at most two in
  // flight, so a refund-heavy file does not burst the shop's API rate limit), and the batch's
  // write waits for the last one only, not for all of them one after another. Never inside a
  // transaction (no network while one is open).
  let refundFetches: Promise<unknown[]>[] = [];
  let refundQueries: Promise<unknown> = Promise.resolve();
  let refundQueriesBefore: Promise<unknown> = Promise.resolve();
  const fetchRefunds = (ids: string[]) => {
    // Each query starts once the one two before it has ended (whatever its outcome).
    const fetch = refundQueriesBefore.then(() => getRefundDetails(graphql, ids));
    refundQueriesBefore = refundQueries;
    refundQueries = fetch.catch(() => {});
    // Awaited by the batch's write; handled here so an import failing first leaves no unhandled rejection.
    fetch.catch(() => {});
    refundFetches.push(fetch);
  };
  let batches = 0;
  // Orders: the last batch in flight, and the order GIDs it holds: a batch that shares one with it
  // waits for it to finish first (a Shopify file never repeats an object; this keeps a malformed
  // one from two transactions waiting on each other).
  let previous: { done: Promise<void>; orderGids: Set<string> } | null = null;

  const commit = async (batch: Extract<BackfillReaderOutput, { kind: "batch" }>) => {
    const batchRefundFetches = refundFetches;
    refundFetches = [];
    const from = committed;
    const checkpoint = {
      importedLines: batch.endLine,
      importedObjects: importedObjects + batch.objects,
      ...(batch.skipped ? { error: `${batch.skipped} objects skipped; last: ${batch.lastSkipReason}` } : {}),
    };
    committed = batch.endLine;
    importedObjects += batch.objects;
    const afterCommit = async () => {
      if (shouldRefreshStatistics(++batches)) void (resource === "orders" ? refreshOrderKeyStatistics(pool) : refreshLoadStatistics(resource));
      await options.afterBatch?.({ importedLines: batch.endLine });
    };

    if (resource === "customers") {
      await prisma.$transaction(
        async (tx) => {
          if (batch.customers.length) {
            const customerGids = await storeCustomersInTransaction(tx, { shop, customers: batch.customers, origin: "BACKFILL" });
            await enqueueCustomerStored(tx, { shop, customerGids });
          }
          const moved = await tx.backfillRun.updateMany({ where: { id: runId, importedLines: from }, data: checkpoint });
          if (moved.count !== 1) throw new BackfillCheckpointMovedError(runId);
        },
        { timeout: 120_000 },
      );
      await afterCommit();
      return;
    }

    const orderGids = new Set(batch.orders?.orderGids ?? []);
    const before = previous;
    if (before && [...orderGids].some((gid) => before.orderGids.has(gid))) await before.done;
    const done = (async () => {
      // The batch's refunds, read before its transaction opens.
      const refunds: RefundRecord[] = [];
      if (batchRefundFetches.length) {
        const currencyOf = new Map(batch.refundOrderCurrencies);
        for (const raw of (await Promise.all(batchRefundFetches)).flat()) {
          const orderGid = (raw as { order?: { id?: string } }).order?.id ?? "";
          refunds.push(toRefundRecordFromGraphql(raw, currencyOf.get(orderGid) ?? fallbackCurrency));
        }
      }
      // Orders go in by COPY (storeOrdersWithClient) on one pg connection, with the checkpoint in
      // the same transaction. The checkpoint moves only after the previous batch committed (and
      // its afterBatch returned): a crash or failure anywhere leaves the checkpoint at the end of
      // the last batch whose predecessors are all committed, and this batch rolls back with it.
      await withPgTransaction(async (client) => {
        if (batch.orders) await storeOrdersWithClient(client, { shop, orders: batch.orders, refunds, origin: "BACKFILL" });
        if (before) await before.done;
        const moved = await client.query(
          `update "BackfillRun" set "importedLines" = $3, "importedObjects" = $4, error = coalesce($5, error), "updatedAt" = now()
           where id = $1 and "importedLines" = $2`,
          [runId, from, checkpoint.importedLines, checkpoint.importedObjects, checkpoint.error ?? null],
        );
        if (moved.rowCount !== 1) throw new BackfillCheckpointMovedError(runId);
      });
      await afterCommit();
    })();
    // Handled here so a failure while the next batch is read is not an unhandled rejection;
    // awaiting it (the next batch, or the end of the import) still throws it.
    done.catch(() => {});
    previous = { done, orderGids };
    // At most two batches in flight: wait for the one before this before taking the next.
    if (before) await before.done;
  };

  const readIn = options.readIn ?? ((run.totalObjects ?? 0) >= READER_THREAD_FROM_OBJECTS ? "worker-thread" : "this-thread");
  // Asked for explicitly (tests), a reader thread that does not start is an error; chosen by size, it only costs time.
  const thread = { use: readIn === "worker-thread", required: options.readIn !== undefined };
  let lines = committed;
  try {
    for await (const output of readBackfillBatches(run.resultUrl, { shop, resource, skipLines: committed, batchLines }, thread)) {
      if (output.kind === "refunds") fetchRefunds(output.gids);
      else if (output.kind === "batch") await commit(output);
      else lines = output.lines;
    }
  } catch (error) {
    // The job's retry starts from the checkpoint: let the batch in flight end (commit or roll
    // back) first, so the retry does not race it.
    await (previous as { done: Promise<void> } | null)?.done.catch(() => {});
    throw error;
  }
  // The run is complete only once its last batch has committed.
  if (previous) await (previous as { done: Promise<void> }).done;
  await prisma.backfillRun.updateMany({
    where: { id: runId, status: { in: ["PENDING", "RUNNING"] } },
    data: { status: "COMPLETED", finishedAt: new Date(), totalObjects: Math.max(run.totalObjects ?? 0, lines) },
  });
}
