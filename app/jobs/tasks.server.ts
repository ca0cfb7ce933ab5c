/**
 * Every durable job Wafa runs, by name. Handlers are idempotent: graphile-worker delivers at least
 * once (a worker killed mid-job leaves the job to be retried after its lock expires).
 */
import type { TaskList } from "graphile-worker";
import { processWebhookReceipt } from "../services/process-webhook.server";
import { markReceiptFailed } from "../models/webhook-receipt.server";
import { runOrderStoredSteps } from "../services/order-stored.server";

export const taskList: TaskList = {
  "process-webhook": async (payload, helpers) => {
    const receiptId = BigInt((payload as { receiptId: string }).receiptId);
    try {
      await processWebhookReceipt(receiptId);
    } catch (error) {
      // Visible on the Data sync page while the job retries, and after it gives up.
      await markReceiptFailed(receiptId, `attempt ${helpers.job.attempts}: ${(error as Error).message}`).catch(() => {});
      throw error;
    }
  },
  "order-stored": async (payload) => {
    const { shop, orderGid } = payload as { shop: string; orderGid: string };
    await runOrderStoredSteps({ shop, orderGid });
  },
};
