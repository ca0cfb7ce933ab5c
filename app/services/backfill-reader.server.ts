/**
 * The reading half of a backfill import (importBackfillResult): the result file's bytes in,
 * batches ready to store out. Lines are parsed, regrouped into objects, mapped to Wafa's records
 * and, for orders, encoded as the COPY text storeOrdersByCopy sends. That is most of an import's
 * CPU, so a large import downloads and reads the file in a worker thread (readInWorkerThread)
 * while the importing thread only sends the encoded batches to PostgreSQL. One class does the
 * reading in either thread (BackfillBatchReader, no I/O); readBackfillBatches hands its batches
 * over in file order.
 */
import type { IncomingMessage } from "node:http";
import { Worker } from "node:worker_threads";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DOWNLOAD_IDLE_TIMEOUT_MS, JsonlLineSplitter, openBulkResult, REFUNDS_PER_QUERY, type BackfillResource } from "../shopify/bulk-operations";
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
  failed(error: Error): void;
}

/** A reader downloading the file in this thread or another: told when the import takes a batch, closed when done or given up. */
interface BackfillReading {
  /** the import took one of the batches handed over: the reader may read on */
  taken(): void;
  close(): Promise<void>;
}

/**
 * Batches handed over and not yet taken above which a reader stops reading (its download pauses,
 * held back by the connection): memory stays flat while PostgreSQL is the slower side.
 */
export const MAX_BATCHES_AHEAD = 2;

/**
 * Downloads the file at `url` into a BackfillBatchReader, pausing while MAX_BATCHES_AHEAD of its
 * batches wait to be taken. Used in the reader thread and, for small imports, in the importing
 * thread. `failed` is called once, with the first error (a bad line, a broken download).
 */
export function downloadAndRead(url: string, options: BackfillReaderOptions, events: BackfillReaderEvents): BackfillReading {
  let ahead = 0;
  let done = false;
  let response: IncomingMessage | null = null;
  const fail = (error: Error) => {
    if (done) return;
    done = true;
    response?.destroy();
    events.failed(error);
  };
  // Held back, the download is not idle: its timeout waits until it reads again.
  const hold = () => {
    response?.pause();
    response?.socket?.setTimeout(0);
  };
  const reader = new BackfillBatchReader(options, (output) => {
    if (output.kind === "batch" && ++ahead >= MAX_BATCHES_AHEAD) hold();
    events.output(output);
  });
  openBulkResult(url).then(
    (opened) => {
      response = opened;
      if (done) {
        opened.destroy();
        return;
      }
      opened.on("data", (chunk: Buffer) => {
        if (done) return;
        try {
          reader.push(chunk);
        } catch (error) {
          fail(error as Error);
        }
      });
      opened.on("end", () => {
        if (done) return;
        try {
          reader.end();
          done = true;
        } catch (error) {
          fail(error as Error);
        }
      });
      opened.on("error", (error) => fail(new Error(`Downloading the bulk operation result failed: ${error.message}`)));
      if (ahead >= MAX_BATCHES_AHEAD) hold();
    },
    (error: Error) => fail(error),
  );
  return {
    taken() {
      if (--ahead >= MAX_BATCHES_AHEAD || done || !response?.isPaused()) return;
      response.socket?.setTimeout(DOWNLOAD_IDLE_TIMEOUT_MS);
      response.resume();
    },
    async close() {
      done = true;
      response?.destroy();
    },
  };
}

/** Messages to and from the reader thread (backfill-reader.worker.ts). */
export interface ReaderThreadData {
  url: string;
  options: BackfillReaderOptions;
}
export type ToReaderThread = { kind: "taken" };
export type FromReaderThread = BackfillReaderOutput | { kind: "ready" } | { kind: "error"; name: string; message: string };

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
 * downloadAndRead in a worker thread. Resolves once the thread has loaded (its TypeScript through
 * tsx, as `npm start` loads the app's scripts), or rejects if it cannot start. The thread
 * downloads the file itself: the bytes never cross threads, only the encoded batches come back,
 * handed over, not copied.
 */
async function readInWorkerThread(url: string, options: BackfillReaderOptions, events: BackfillReaderEvents): Promise<BackfillReading> {
  const root = projectRoot();
  const tsx = pathToFileURL(path.join(root, "node_modules", "tsx", "dist", "esm", "api", "index.mjs")).href;
  const entry = pathToFileURL(path.join(root, "app", "services", "backfill-reader.worker.ts")).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(code, { eval: true, workerData: { url, options } satisfies ReaderThreadData });
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

  let finished = false;
  const fail = (error: Error) => {
    if (finished) return;
    finished = true;
    events.failed(error);
  };
  worker.on("message", (message: FromReaderThread) => {
    if (finished) return;
    switch (message.kind) {
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
  return {
    taken: () => worker.postMessage({ kind: "taken" } satisfies ToReaderThread),
    async close() {
      finished = true;
      await worker.terminate();
    },
  };
}

/** Wakes whoever waits for something to change. */
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
 * The download runs ahead of the caller but pauses while MAX_BATCHES_AHEAD batches wait here, so
 * memory stays flat. Batches the reader finished before a failure (a malformed line, a broken
 * download) are still handed over; then the failure is thrown. In a worker thread when `thread`
 * says so; a thread that does not start is an error when `required`, else the file is read in
 * this thread.
 */
export async function* readBackfillBatches(
  url: string,
  options: BackfillReaderOptions,
  thread: { use: boolean; required: boolean },
): AsyncGenerator<BackfillReaderOutput> {
  const outputs: BackfillReaderOutput[] = [];
  const changes = new Changes();
  let failure: Error | null = null;
  const events: BackfillReaderEvents = {
    output: (output) => {
      outputs.push(output);
      changes.fire();
    },
    failed: (error) => {
      failure ??= error;
      changes.fire();
    },
  };
  let reading: BackfillReading | null = null;
  if (thread.use) {
    reading = await readInWorkerThread(url, options, events).catch((error: Error) => {
      if (thread.required) throw error;
      console.warn(`backfill of ${options.shop}: reading in this thread, the reader thread did not start (${error.message})`);
      return null;
    });
  }
  const reader = reading ?? downloadAndRead(url, options, events);
  try {
    for (;;) {
      while (!outputs.length && !failure) await changes.wait();
      const output = outputs.shift();
      if (!output) throw failure;
      if (output.kind === "batch") reader.taken();
      yield output;
      if (output.kind === "end") return;
    }
  } finally {
    // The caller stopped (done, failed, or gave up): stop the download and the reader.
    await reader.close();
  }
}
