/**
 * CSV import of order history from another POS (#3 item 5), used by the admin upload page and by
 * `npm run import:orders`. The file is read twice as a stream (digest, then rows), so memory stays
 * bounded whatever its size (CsvRecordReader: a chunk of text at a time). Orders are stored through
 * the step every order takes (origin IMPORT), the path webhook orders take, in batches (COPY:
 * storeOrdersWithClient); rejected rows are recorded with row number and reason.
 *
 * The same file (sha256) is one ImportRun per shop: importing it again changes nothing.
 * Run states: RUNNING while the file is read, PENDING while its orders' processing jobs run,
 * COMPLETED when they are done (process-import checks), FAILED when the file cannot be read.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { pipeline } from "node:stream/promises";
import { Prisma } from "@prisma/client";
import prisma, { pool, withPgTransaction } from "../db.server";
import { enqueueJob } from "../jobs/queue.server";
import { NotFoundError } from "../domain/errors";
import {
  findOrderConflict,
  ImportHeaderError,
  OrderRowGrouper,
  parseImportRow,
  resolveColumns,
  toImportedOrderFields,
  type ImportContext,
  type ImportedOrder,
  type Rejection,
} from "../domain/order-import";
import { CsvRecordReader } from "../domain/csv-records";
import { storeOrdersWithClient } from "./store-orders.server";
import { shouldRefreshStatistics } from "../models/statistics.server";
import { OrderBatchEncoder, refreshOrderKeyStatistics, type EncodedOrders } from "../models/copy-store.server";

export const IMPORT_BATCH_ORDERS = 2000;
/** A RUNNING import not updated for this long was abandoned (its process died); it may be taken over. */
const STALE_AFTER_MS = 2 * 60_000;

export interface ImportOrdersInput {
  shop: string;
  filePath: string;
  fileName: string;
  /** file header -> documented column, e.g. { "Invoice No": "order_id" } */
  columnMapping?: Record<string, string>;
  /** the CLI may import for a shop that has not installed Wafa yet (recorded NOT_INSTALLED) */
  allowUninstalledShop?: boolean;
  batchOrders?: number;
}

export interface ImportOrdersResult {
  runId: string;
  duplicate: boolean;
  status: string;
  totalRows: number;
  acceptedRows: number;
  rejectedRows: number;
  orders: number;
  error: string | null;
}

async function digestFile(filePath: string): Promise<string> {
  const hash = crypto.createHash("sha256");
  await pipeline(fs.createReadStream(filePath), hash);
  return hash.digest("hex");
}

/**
 * The file's records, a chunk's worth at a time (the reader's arrays are handed on synchronously,
 * so the per-row loop does not pay an await per row).
 */
async function* csvRecordChunks(filePath: string): AsyncGenerator<string[][]> {
  const reader = new CsvRecordReader();
  for await (const chunk of fs.createReadStream(filePath, { encoding: "utf8", highWaterMark: 1 << 20 })) {
    const records = reader.push(chunk as string);
    if (records.length) yield records;
  }
  const last = reader.end();
  if (last.length) yield last;
}

/** The first valid currency in the file's first rows: a shop Wafa has never seen gets it as its currency. */
async function sniffCurrency(filePath: string, mapping: Record<string, string>): Promise<string | null> {
  let columns: Map<string, number> | null = null;
  let seen = 0;
  for await (const records of csvRecordChunks(filePath)) {
    for (const record of records) {
      if (!columns) {
        columns = resolveColumns(record, mapping);
        if (!columns.has("currency")) return null;
        continue;
      }
      const value = (record[columns.get("currency")!] ?? "").trim().toUpperCase();
      if (/^[A-Z]{3}$/.test(value)) return value;
      if (++seen >= 1000) return null;
    }
  }
  return null;
}

async function ensureShop(input: ImportOrdersInput) {
  const existing = await prisma.shop.findUnique({ where: { shop: input.shop } });
  if (existing) return existing;
  if (!input.allowUninstalledShop) throw new NotFoundError("Shop", input.shop);
  const currency = await sniffCurrency(input.filePath, input.columnMapping ?? {});
  if (!currency) throw new ImportHeaderError("The shop is new to Wafa and the file has no currency column with a valid code to take its currency from.");
  await prisma.shop.upsert({ where: { shop: input.shop }, create: { shop: input.shop, installState: "NOT_INSTALLED", currency }, update: {} });
  return prisma.shop.findUniqueOrThrow({ where: { shop: input.shop } });
}

const toResult = (run: Prisma.ImportRunGetPayload<object>, duplicate: boolean): ImportOrdersResult => ({
  runId: run.id,
  duplicate,
  status: run.status,
  totalRows: run.totalRows,
  acceptedRows: run.acceptedRows,
  rejectedRows: run.rejectedRows,
  orders: run.orders,
  error: run.error,
});

/** Claims the run for this file, or returns the existing one when the file was (or is being) imported. */
async function claimRun(shop: string, fileName: string, fileDigest: string, columnMapping: Record<string, string>) {
  const fresh = { status: "RUNNING" as const, fileName, columnMapping, totalRows: 0, acceptedRows: 0, rejectedRows: 0, orders: 0, processedOrders: 0, error: null, finishedAt: null, startedAt: new Date() };
  const inserted = await prisma.$queryRaw<Array<{ id: string }>>`
    insert into "ImportRun" (id, shop, "fileName", "fileDigest", status, "columnMapping", "updatedAt")
    values (${crypto.randomUUID()}, ${shop}, ${fileName}, ${fileDigest}, 'RUNNING'::"RunStatus", ${JSON.stringify(columnMapping)}::jsonb, now())
    on conflict (shop, "fileDigest") do nothing
    returning id`;
  if (inserted[0]) return { run: await prisma.importRun.findUniqueOrThrow({ where: { id: inserted[0].id } }), claimed: true };
  const existing = await prisma.importRun.findUniqueOrThrow({ where: { shop_fileDigest: { shop, fileDigest } } });
  const abandoned = existing.status === "RUNNING" && Date.now() - existing.updatedAt.getTime() > STALE_AFTER_MS;
  if (existing.status !== "FAILED" && !abandoned) return { run: existing, claimed: false };
  // A failed or abandoned import of this file starts over; stored orders are upserts, so nothing doubles.
  const taken = await prisma.importRun.updateMany({ where: { id: existing.id, updatedAt: existing.updatedAt }, data: fresh });
  if (taken.count !== 1) return { run: await prisma.importRun.findUniqueOrThrow({ where: { id: existing.id } }), claimed: false };
  await prisma.importRejection.deleteMany({ where: { importRunId: existing.id } });
  return { run: await prisma.importRun.findUniqueOrThrow({ where: { id: existing.id } }), claimed: true };
}

/**
 * Imports a CSV file of order lines for a shop; returns when the file has been read and its
 * orders stored (their processing continues in jobs: see waitForImportProcessed / process-import).
 */
export async function importOrdersFile(input: ImportOrdersInput): Promise<ImportOrdersResult> {
  const { shop, filePath } = input;
  const mapping = input.columnMapping ?? {};
  const shopRecord = await ensureShop(input);
  const fileDigest = await digestFile(filePath);
  const { run, claimed } = await claimRun(shop, input.fileName, fileDigest, mapping);
  if (!claimed) return toResult(run, true);

  const context: ImportContext = { defaultCurrency: shopRecord.currency, timezone: shopRecord.timezone };
  const batchOrders = input.batchOrders ?? IMPORT_BATCH_ORDERS;
  const counts = { totalRows: 0, acceptedRows: 0, rejectedRows: 0, orders: 0 };
  // The batch's orders, encoded for COPY as each is closed (the records are never kept).
  const newBatch = () => new OrderBatchEncoder(shop, "IMPORT");
  let orders = newBatch();
  let acceptedInBatch = 0;
  let rejections: Rejection[] = [];
  const rejectedRowNumbers = new Set<number>();
  let batches = 0;

  const reject = (list: Rejection[]) => {
    for (const r of list) {
      rejections.push(r);
      rejectedRowNumbers.add(r.rowNumber);
    }
  };

  // Writing batches overlaps with reading and parsing the next one: up to two batches are in
  // flight on two connections (PostgreSQL merges one while COPY streams the other). Batches hold
  // disjoint orders (rows of an order are adjacent in the file), so their order of commit does not
  // matter; the run's counters only add up (totalRows keeps the highest row count reached).
  const MAX_BATCHES_IN_FLIGHT = 2;
  const writing: Array<Promise<void>> = [];
  const flush = async () => {
    const batch = orders.finish();
    const batchRejections = rejections;
    const rejectedRows = rejectedRowNumbers.size;
    const accepted = acceptedInBatch;
    const totalRows = counts.totalRows;
    orders = newBatch();
    rejections = [];
    rejectedRowNumbers.clear();
    acceptedInBatch = 0;
    if (writing.length >= MAX_BATCHES_IN_FLIGHT) await writing.shift();
    const written = writeBatch(batch, batchRejections, { rejectedRows, accepted, totalRows });
    // Handled here so a failure while the next batch is being read is not an unhandled
    // rejection; awaiting it later still throws it.
    written.catch(() => {});
    writing.push(written);
  };

  const writeBatch = async (
    batch: EncodedOrders,
    batchRejections: Rejection[],
    { rejectedRows, accepted, totalRows }: { rejectedRows: number; accepted: number; totalRows: number },
  ) => {
    // Plain pg on one connection: the orders go in by COPY (storeOrdersWithClient), with the
    // batch's rejections and the run's counters in the same transaction.
    await withPgTransaction(async (client) => {
      if (batch.orderGids.length) await storeOrdersWithClient(client, { shop, orders: batch, origin: "IMPORT" });
      if (batchRejections.length) {
        await client.query(
          `insert into "ImportRejection" ("importRunId", "rowNumber", code, reason)
           select $1, r."rowNumber", r.code, r.reason from json_to_recordset($2::json) as r("rowNumber" int, code text, reason text)
           on conflict do nothing`,
          [run.id, JSON.stringify(batchRejections.map((r) => ({ rowNumber: r.rowNumber, code: r.code, reason: r.reason.slice(0, 500) })))],
        );
      }
      await client.query(
        `update "ImportRun" set "totalRows" = greatest("totalRows", $2), "acceptedRows" = "acceptedRows" + $3, "rejectedRows" = "rejectedRows" + $4,
                orders = orders + $5, "updatedAt" = now() where id = $1`,
        [run.id, totalRows, accepted, rejectedRows, batch.orderGids.length],
      );
    });
    counts.acceptedRows += accepted;
    counts.rejectedRows += rejectedRows;
    counts.orders += batch.orderGids.length;
    // In the background: the next batches need not wait for ANALYZE of millions of rows.
    if (shouldRefreshStatistics(++batches)) void refreshOrderKeyStatistics(pool);
  };

  /**
   * Adds a finished order to the batch; true when the batch is full. An order is closed once per
   * file (OrderRowGrouper rejects its rows anywhere else), so a batch never holds it twice.
   */
  const closeOrder = (order: ImportedOrder): boolean => {
    const conflict = findOrderConflict(order);
    if (conflict) {
      reject(order.rows.map((r) => ({ rowNumber: r.rowNumber, code: "ORDER_CONFLICT" as const, reason: conflict })));
    } else {
      orders.add(toImportedOrderFields(order));
      acceptedInBatch += order.rows.length;
    }
    return orders.size >= batchOrders || rejections.length >= 5000;
  };

  try {
    let columns: ReturnType<typeof resolveColumns> | null = null;
    const grouper = new OrderRowGrouper();
    let recordIndex = 0;
    for await (const records of csvRecordChunks(filePath)) {
      for (const record of records) {
        recordIndex++;
        if (!columns) {
          columns = resolveColumns(record, mapping);
          continue;
        }
        // Row numbers as a spreadsheet shows them: the header is row 1.
        const rowNumber = recordIndex;
        counts.totalRows++;
        const parsed = parseImportRow(record, columns, rowNumber, context);
        if (!parsed.ok) {
          reject(parsed.rejections);
          continue;
        }
        const { done, rejection } = grouper.push(parsed.row);
        if (rejection) reject([rejection]);
        if (done && closeOrder(done)) await flush();
      }
    }
    if (!columns) throw new ImportHeaderError("The file is empty: it has no header row.");
    const last = grouper.finish();
    if (last) closeOrder(last);
    await flush();
    while (writing.length) await writing.shift();
  } catch (error) {
    await Promise.allSettled(writing);
    const message = error instanceof ImportHeaderError || (error as { code?: string }).code?.startsWith?.("CSV_")
      ? (error as Error).message
      : `The import stopped: ${(error as Error).message}`;
    await prisma.importRun.update({ where: { id: run.id }, data: { status: "FAILED", error: message.slice(0, 2000), finishedAt: new Date() } });
    if (!(error instanceof ImportHeaderError) && !(error as { code?: string }).code?.startsWith?.("CSV_")) throw error;
    return toResult(await prisma.importRun.findUniqueOrThrow({ where: { id: run.id } }), false);
  }

  await prisma.$transaction(async (tx) => {
    const done = counts.orders === 0;
    await tx.importRun.update({ where: { id: run.id }, data: done ? { status: "COMPLETED", finishedAt: new Date() } : { status: "PENDING" } });
    if (!done) await enqueueJob(tx, "process-import", { shop, importRunId: run.id }, { jobKey: `import-check:${run.id}` });
  });
  return toResult(await prisma.importRun.findUniqueOrThrow({ where: { id: run.id } }), false);
}

/**
 * The process-import job: counts the imported orders whose order-stored step is still queued for
 * the shop; records progress, and completes the run when none is left (re-checks every second).
 * Jobs that exhausted their retries count as done-with-failure, named in the run's error.
 */
export async function checkImportProcessed({ shop, importRunId }: { shop: string; importRunId: string }): Promise<boolean> {
  const run = await prisma.importRun.findFirst({ where: { id: importRunId, shop } });
  if (!run || run.status !== "PENDING") return true;
  const [row] = await prisma.$queryRaw<Array<{ waiting: bigint; dead: bigint }>>`
    select count(*) filter (where j.attempts < j.max_attempts) as waiting,
           count(*) filter (where j.attempts >= j.max_attempts) as dead
    from graphile_worker.jobs j
    join graphile_worker._private_jobs p on p.id = j.id
    cross join lateral json_array_elements_text(p.payload->'orderGids') as gid
    where j.task_identifier = 'order-stored'
      and p.payload->>'shop' = ${shop}
      and gid like 'gid://wafa/ImportedOrder/%'`;
  const waiting = Number(row.waiting);
  const dead = Number(row.dead);
  const processedOrders = Math.max(0, run.orders - waiting - dead);
  if (waiting > 0) {
    await prisma.$transaction(async (tx) => {
      await tx.importRun.update({ where: { id: run.id }, data: { processedOrders } });
      await enqueueJob(tx, "process-import", { shop, importRunId }, { jobKey: `import-check:${importRunId}`, runAt: new Date(Date.now() + 1000) });
    });
    return false;
  }
  await prisma.importRun.update({
    where: { id: run.id },
    data: { status: "COMPLETED", processedOrders, finishedAt: new Date(), ...(dead ? { error: `${dead} orders failed processing; see Data sync` } : {}) },
  });
  return true;
}

export function getImportRun({ shop, id }: { shop: string; id: string }) {
  return prisma.importRun.findFirst({ where: { shop, id } });
}

/** Rejected rows in file order, a page at a time (a bad file can have millions). */
export function listImportRejections({ shop, importRunId, skip = 0, take = 100 }: { shop: string; importRunId: string; skip?: number; take?: number }) {
  return prisma.importRejection.findMany({
    where: { importRunId, importRun: { shop } },
    orderBy: [{ rowNumber: "asc" }, { code: "asc" }],
    skip,
    take,
  });
}

export function listRecentImportRuns({ shop, take = 5 }: { shop: string; take?: number }) {
  return prisma.importRun.findMany({ where: { shop }, orderBy: { startedAt: "desc" }, take });
}
