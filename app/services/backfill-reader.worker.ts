/**
 * The worker thread of readInWorkerThread (backfill-reader.server.ts): a BackfillBatchReader fed
 * the bytes the import downloads, its batches posted back with their encoded COPY text handed
 * over, not copied. Loaded from source through tsx, so it is not part of the server build.
 */
import { parentPort, workerData } from "node:worker_threads";
import { BackfillBatchReader, type BackfillReaderOptions, type BackfillReaderOutput, type FromReaderThread, type ToReaderThread } from "./backfill-reader.server";


const port = parentPort!;
const send = (message: FromReaderThread, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

function buffersOf(output: BackfillReaderOutput): ArrayBuffer[] {
  if (output.kind !== "batch" || !output.orders) return [];
  const buffers = new Set<ArrayBuffer>();
  for (const chunk of [...output.orders.orderRows, ...output.orders.lineRows]) buffers.add(chunk.buffer as ArrayBuffer);
  return [...buffers];
}

const reader = new BackfillBatchReader(workerData as BackfillReaderOptions, (output) => send(output, buffersOf(output)));
let failed = false;

port.on("message", (message: ToReaderThread) => {
  if (failed) return;
  try {
    if (message.kind === "bytes") {
      reader.push(message.bytes);
      send({ kind: "read", bytes: message.bytes.byteLength });
    } else {
      reader.end();
    }
  } catch (error) {
    failed = true;
    send({ kind: "error", name: (error as Error).name, message: (error as Error).message });
  }
});

send({ kind: "ready" });
