/**
 * The reading half of a backfill import (importBackfillResult): the result file's bytes in,
 * batches ready to store out. Lines are parsed, regrouped into objects, mapped to Wafa's records
 * and, for orders, encoded as the COPY text storeOrdersByCopy sends. That is most of an import's
 * CPU, so a large import does it in a worker thread (readInWorkerThread) while the importing
 * thread only moves bytes: downloaded ones to the reader, encoded ones to PostgreSQL. One class
 * does the work in either thread (BackfillBatchReader, no I/O); readBackfillBatches downloads the
 * file into it and hands its batches over in file order.
 */
import { Worker } from "node:worker_threads";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { JsonlLineSplitter, openBulkResult, REFUNDS_PER_QUERY, type BackfillResource } from "../shopify/bulk-operations";
import { BulkObjectAssembler, toCustomerRecordFromBulk, toOrderRecordFromBulk, type AssembledObject } from "../shopify/bulk-records";
import { OrderBatchEncoder, type EncodedOrders } from "../models/copy-store.server";
import type { CustomerRecord } from "../shopify/webhook-payloads";

export interface BackfillReaderOptions {
  shop: string;
  resource: BackfillResource;
  /** lines a previous attempt committed: skipped (a checkpoint always ends before a root object) */
  skipLines: number;
  /** a batch ends at the first object boundary after this many lines */
  batchLines: number;
}

export type BackfillReaderOutput =
  /** refunds to read with the regular API, REFUNDS_PER_QUERY at a time, before their batch */
  | { kind: "refunds"; gids: string[] }
  | {
      kind: "batch";
      /** the checkpoint once this batch is stored: the file's lines up to here are in it */
      endLine: number;
      /** objects mapped into this batch */
      objects: number;
      customers: CustomerRecord[];
      orders: EncodedOrders | null;
      /** the currency of each order in the batch that has refunds */
      refundOrderCurrencies: Array<[orderGid: string, currency: string]>;
      /** objects that could not be mapped so far in this attempt, and why the last one */
      skipped: number;
      lastSkipReason: string;
    }
  | { kind: "end"; lines: number };

/** Bytes in, batches out (through `emit`, in file order). Throws on a line that is not JSON or not in Shopify's order. */
export class BackfillBatchReader {
  private readonly splitter = new JsonlLineSplitter();
  private readonly assembler = new BulkObjectAssembler();
  private lineNumber = 0;
  /** where the last batch emitted ends */
  private emittedTo: number;
  /** the first line of the object being assembled */
  private objectStart: number;
  private customers: CustomerRecord[] = [];
  /** the batch's orders, encoded as each is mapped (the records are never kept) */
  private orders: OrderBatchEncoder | null = null;
  private refundGids: string[] = [];
  private refundOrderCurrencies: Array<[string, string]> = [];
  private skipped = 0;
  private lastSkipReason = "";

  constructor(
    private readonly options: BackfillReaderOptions,
    private readonly emit: (output: BackfillReaderOutput) => void,
  ) {
    this.emittedTo = options.skipLines;
    this.objectStart = options.skipLines + 1;
  }

  push(bytes: Uint8Array): void {
    this.readLines(this.splitter.push(bytes));
  }

  end(): void {
    this.readLines(this.splitter.end());
    const last = this.assembler.finish();
    if (last) this.take(last, this.objectStart);
    this.emitBatch(this.lineNumber);
    this.emit({ kind: "end", lines: this.lineNumber });
  }

  private readLines(lines: string[]) {
    const { skipLines, batchLines } = this.options;
    for (const text of lines) {
      const lineNumber = ++this.lineNumber;
      if (lineNumber <= skipLines) continue;
      const done = this.assembler.push(JSON.parse(text) as Record<string, unknown>);
      if (!done) continue;
      // Mapped as each object completes: the parsed JSON dies young, so the garbage collector
      // never copies it into the old generation.
      const start = this.objectStart;
      this.objectStart = lineNumber;
      this.take(done, start);
      // The line just read starts the next object: the batch ends on the line before it.
      if (lineNumber - 1 - this.emittedTo >= batchLines) this.emitBatch(lineNumber - 1);
    }
  }

  /**
   * Maps an object (its first line `start`) into the batch. Objects that cannot be mapped are
   * skipped and counted; they never block the rest. A second version of an order already in the
   * batch (never in Shopify's files) ends the batch before it: a batch holds an order once.
   */
  private take(object: AssembledObject, start: number) {
    try {
      if (this.options.resource === "customers") {
        this.customers.push(toCustomerRecordFromBulk(object.line));
        return;
      }
      const { order, refundGids } = toOrderRecordFromBulk(object.line, object.children);
      if (this.orders?.has(order.orderGid)) this.emitBatch(start - 1);
      (this.orders ??= new OrderBatchEncoder(this.options.shop, "BACKFILL")).add(order);
      if (refundGids.length) this.refundOrderCurrencies.push([order.orderGid, order.currency]);
      for (const gid of refundGids) {
        this.refundGids.push(gid);
        if (this.refundGids.length === REFUNDS_PER_QUERY) this.emitRefunds();
      }
    } catch (error) {
      this.skipped++;
      this.lastSkipReason = `${String(object.line.id ?? "?")}: ${(error as Error).message.slice(0, 300)}`;
    }
  }

  private emitRefunds() {
    this.emit({ kind: "refunds", gids: this.refundGids });
    this.refundGids = [];
  }

  private emitBatch(endLine: number) {
    if (endLine <= this.emittedTo) return;
    if (this.refundGids.length) this.emitRefunds();
    const objects = this.customers.length + (this.orders?.size ?? 0);
    const orders = this.orders?.finish() ?? null;
    this.emit({
      kind: "batch",
      endLine,
      objects,
      customers: this.customers,
      orders,
      refundOrderCurrencies: this.refundOrderCurrencies,
      skipped: this.skipped,
      lastSkipReason: this.lastSkipReason,
    });
    this.emittedTo = endLine;
    this.customers = [];
    this.orders = null;
    this.refundOrderCurrencies = [];
  }
}

/** What a reader tells the import besides its outputs. */
interface BackfillReaderEvents {
  output(output: BackfillReaderOutput): void;
  /** pushed bytes were read (pendingBytes went down) */
  progressed(): void;
  failed(error: Error): void;
}

/** A reader in this thread or another: push bytes, end, and close when done or given up. */
interface BackfillReading {
  push(bytes: Uint8Array): void;
  end(): void;
  /** bytes pushed and not read yet (the import stops downloading above a bound) */
  pendingBytes(): number;
  close(): Promise<void>;
}

/** The reader in the importing thread (small imports, or when a worker thread cannot start). */
function readInThisThread(options: BackfillReaderOptions, events: BackfillReaderEvents): BackfillReading {
  const reader = new BackfillBatchReader(options, (output) => events.output(output));
  let failed = false;
  const guard = (fn: () => void) => {
    if (failed) return;
    try {
      fn();
    } catch (error) {
      failed = true;
      events.failed(error as Error);
    }
  };
  return {
    push: (bytes) => guard(() => reader.push(bytes)),
    end: () => guard(() => reader.end()),
    pendingBytes: () => 0,
    close: async () => {},
  };
}

/** Messages to and from the reader thread (backfill-reader.worker.ts). */
export type ToReaderThread = { kind: "bytes"; bytes: Uint8Array } | { kind: "end" };
export type FromReaderThread = BackfillReaderOutput | { kind: "ready" } | { kind: "read"; bytes: number } | { kind: "error"; name: string; message: string };

/** The directory holding app/, found from this module (a source file, or the server build in build/). */
function projectRoot(): string {
  const here = fileURLToPath(import.meta.url);
  for (let dir = path.dirname(here); ; ) {
    if (fs.existsSync(path.join(dir, "app", "services", "backfill-reader.worker.ts"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`app/services/backfill-reader.worker.ts not found above ${here}`);
    dir = parent;
  }
}

/** How long a reader thread may take to start (load its TypeScript). */
const THREAD_START_TIMEOUT_MS = 20_000;

/**
 * The reader in a worker thread. Resolves once the thread has loaded (its TypeScript through
 * tsx, as `npm start` loads the app's scripts), or rejects if it cannot start. Downloaded chunks
 * are copied into buffers of their own and handed over (a download's chunk can share its memory
 * with others); encoded batches come back the same way, never copied.
 */
async function readInWorkerThread(options: BackfillReaderOptions, events: BackfillReaderEvents): Promise<BackfillReading> {
  const root = projectRoot();
  const tsx = pathToFileURL(path.join(root, "node_modules", "tsx", "dist", "esm", "api", "index.mjs")).href;
  const entry = pathToFileURL(path.join(root, "app", "services", "backfill-reader.worker.ts")).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(code, { eval: true, workerData: options });
  await new Promise<void>((resolve, reject) => {
    const settle = (error?: Error) => {
      clearTimeout(timer);
      worker.off("message", onReady).off("error", settle).off("exit", onExit);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => settle(); // its first message is "ready"
    const onExit = (code: number) => settle(new Error(`the backfill reader thread exited with code ${code} while starting`));
    const timer = setTimeout(() => settle(new Error("the backfill reader thread did not start in time")), THREAD_START_TIMEOUT_MS);
    worker.on("message", onReady).on("error", settle).on("exit", onExit);
  }).catch(async (error: Error) => {
    await worker.terminate();
    throw error;
  });

  let pushed = 0;
  let read = 0;
  let finished = false;
  const fail = (error: Error) => {
    if (finished) return;
    finished = true;
    events.failed(error);
  };
  worker.on("message", (message: FromReaderThread) => {
    if (finished) return;
    switch (message.kind) {
      case "read":
        read += message.bytes;
        events.progressed();
        return;
      case "error":
        fail(Object.assign(new Error(message.message), { name: message.name }));
        return;
      case "ready":
        return;
      case "end":
        finished = true;
        events.output(message);
        return;
      default:
        events.output(message);
    }
  });
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`the backfill reader thread exited with code ${code}`)));
  const post = (message: ToReaderThread, transfer: ArrayBuffer[] = []) => worker.postMessage(message, transfer);
  return {
    push(bytes) {
      const own = bytes.slice();
      pushed += own.byteLength;
      post({ kind: "bytes", bytes: own }, [own.buffer as ArrayBuffer]);
    },
    end: () => post({ kind: "end" }),
    pendingBytes: () => pushed - read,
    async close() {
      finished = true;
      await worker.terminate();
    },
  };
}

/** Downloaded bytes the reader may have waiting: the download pauses above this. */
const MAX_PENDING_BYTES = 16 << 20;

/** Wakes whoever waits for something to change (several waiters at once). */
class Changes {
  private waiters: Array<() => void> = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  fire() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * The outputs of a BackfillBatchReader over the file at `url`, in file order, the last one "end".
 * The download runs ahead of the caller but pauses while the reader has 16 MB waiting or two
 * batches wait here, so memory stays flat. Batches the reader finished before a failure (a
 * malformed line, a broken download) are still handed over; then the failure is thrown. In a
 * worker thread when `thread` says so; a thread that does not start is an error when `required`,
 * else the file is read in this thread.
 */
export async function* readBackfillBatches(
  url: string,
  options: BackfillReaderOptions,
  thread: { use: boolean; required: boolean },
): AsyncGenerator<BackfillReaderOutput> {
  const outputs: BackfillReaderOutput[] = [];
  const changes = new Changes();
  let failure: Error | null = null;
  const fail = (error: Error) => {
    failure ??= error;
    changes.fire();
  };
  const events: BackfillReaderEvents = {
    output: (output) => {
      outputs.push(output);
      changes.fire();
    },
    progressed: () => changes.fire(),
    failed: fail,
  };
  let reading: BackfillReading | null = null;
  if (thread.use) {
    reading = await readInWorkerThread(options, events).catch((error: Error) => {
      if (thread.required) throw error;
      console.warn(`backfill of ${options.shop}: reading in this thread, the reader thread did not start (${error.message})`);
      return null;
    });
  }
  const reader = reading ?? readInThisThread(options, events);
  const body = (
    await openBulkResult(url).catch(async (error: Error) => {
      await reader.close();
      throw error;
    })
  ).getReader();
  const waitingBatches = () => outputs.reduce((n, o) => n + (o.kind === "batch" ? 1 : 0), 0);
  const download = (async () => {
    for (;;) {
      while (!failure && (reader.pendingBytes() > MAX_PENDING_BYTES || waitingBatches() >= 2)) await changes.wait();
      if (failure) return;
      const { done, value } = await body.read();
      if (failure) return;
      if (done) return reader.end();
      reader.push(value);
    }
  })().catch(fail);

  try {
    for (;;) {
      while (!outputs.length && !failure) await changes.wait();
      const output = outputs.shift();
      if (!output) throw failure;
      changes.fire();
      yield output;
      if (output.kind === "end") return;
    }
  } finally {
    // The caller stopped (done, failed, or gave up): stop the download and the reader.
    fail(new Error("the backfill import stopped reading"));
    await body.cancel().catch(() => {});
    await download;
    await reader.close();
  }
}
