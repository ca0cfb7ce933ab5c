/**
 * Group commit: items that arrive while earlier ones are being written are written together, in
 * one statement, and each caller is answered only once its batch has committed. An idle process
 * writes each item at once (no timer, no added latency); under load a batch pays one round trip,
 * one statement and one commit for all its items. Every item keeps its own outcome: a batch that
 * fails for any reason other than the database being unreachable is retried one item per
 * statement, so no item fails because of a neighbour.
 *
 * Used by webhook receipts (models/webhook-receipt.server.ts) and redemptions
 * (services/redemption-group.server.ts).
 */
import { isConnectionError } from "./db.server";

export interface GroupCommitOptions<I, O> {
  /** Items in one statement at most; a longer queue is split over several. */
  maxBatch: number;
  /** Batch statements in flight at once from this process (each holds a pooled connection). */
  maxInFlight: number;
  /** Writes a batch of two or more in one statement; results in input order. */
  writeMany: (items: I[]) => Promise<O[]>;
  /** Writes one item on its own (a batch of one, or a failed batch's items one by one). */
  writeOne: (item: I) => Promise<O>;
}

interface Waiting<I, O> {
  item: I;
  resolve: (result: O) => void;
  reject: (error: unknown) => void;
}

/** A function that writes an item through the group commit and resolves with its result. */
export function createGroupCommit<I, O>(options: GroupCommitOptions<I, O>): (item: I) => Promise<O> {
  const waiting: Array<Waiting<I, O>> = [];
  let inFlight = 0;

  async function writeBatch(batch: Array<Waiting<I, O>>) {
    if (batch.length === 1) {
      const [only] = batch;
      await options.writeOne(only.item).then(only.resolve, only.reject);
      return;
    }
    let results: O[];
    try {
      results = await options.writeMany(batch.map((w) => w.item));
    } catch (error) {
      if (isConnectionError(error)) {
        for (const w of batch) w.reject(error);
        return;
      }
      // Nothing of the batch was written (one statement): each goes again on its own.
      for (const w of batch) await options.writeOne(w.item).then(w.resolve, w.reject);
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i]));
  }

  function pump() {
    while (inFlight < options.maxInFlight && waiting.length) {
      const batch = waiting.splice(0, options.maxBatch);
      inFlight++;
      void writeBatch(batch).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  return (item: I) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      pump();
    });
}
