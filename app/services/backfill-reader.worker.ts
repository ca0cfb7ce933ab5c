/**
 * The worker thread of readInWorkerThread (backfill-reader.server.ts): downloadAndRead of the
 * result file, its batches posted back with their encoded COPY text handed over, not copied.
 * Loaded from source through tsx, so it is not part of the server build.
 */
import { parentPort, workerData } from "node:worker_threads";
import { downloadAndRead, type BackfillReaderOutput, type FromReaderThread, type ReaderThreadData, type ToReaderThread } from "./backfill-reader.server";

const port = parentPort!;
const send = (message: FromReaderThread, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

function buffersOf(output: BackfillReaderOutput): ArrayBuffer[] {
  if (output.kind !== "batch" || !output.orders) return [];
  const buffers = new Set<ArrayBuffer>();
  for (const chunk of [...output.orders.orderRows, ...output.orders.lineRows]) buffers.add(chunk.buffer as ArrayBuffer);
  return [...buffers];
}

const { url, options } = workerData as ReaderThreadData;
send({ kind: "ready" });
const reading = downloadAndRead(url, options, {
  output: (output) => send(output, buffersOf(output)),
  failed: (error) => send({ kind: "error", name: error.name, message: error.message }),
});
port.on("message", (message: ToReaderThread) => {
  if (message.kind === "taken") reading.taken();
});
