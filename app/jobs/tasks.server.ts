/**
 * Every durable job Wafa runs, by name. Handlers are idempotent: graphile-worker delivers at least
 * once (a worker killed mid-job leaves the job to be retried after its lock expires).
 */
import type { TaskList } from "graphile-worker";
import { processWebhookReceipts } from "../services/process-webhook.server";
import { markReceiptFailed } from "../models/webhook-receipt.server";
import { runCustomerStoredSteps, runOrderStoredSteps } from "../services/order-stored.server";
import { advanceBackfill, endBackfillRun, importBackfillResult } from "../services/backfill.server";
import { checkImportProcessed } from "../services/import-orders.server";
import { offlineGraphql } from "../services/offline-admin.server";
import type { AdminGraphql } from "../shopify/graphql-client";
import { ledgerTasks } from "./ledger-tasks.server";
import { loyaltyTasks } from "./loyalty-tasks.server";
import { reservationTasks } from "./reservation-tasks.server";
import { customerMergeTasks } from "./customer-merge-tasks.server";
import { identityTasks } from "./identity-tasks.server";


type BackfillJob = { shop: string; runId: string; poll?: number };

/** Runs a backfill step; a shop that uninstalled cancels its run, the last failed attempt fails it. */
async function backfillStep(payload: unknown, helpers: { job: { attempts: number; max_attempts: number } }, step: (job: BackfillJob, graphql: AdminGraphql) => Promise<void>) {
  const job = payload as BackfillJob;
  const graphql = await offlineGraphql(job.shop);
  if (!graphql) return endBackfillRun({ shop: job.shop, runId: job.runId, status: "CANCELLED", error: "The shop is not installed." });
  try {
    await step(job, graphql);
  } catch (error) {
    if (helpers.job.attempts >= helpers.job.max_attempts) {
      await endBackfillRun({ shop: job.shop, runId: job.runId, error: (error as Error).message }).catch(() => {});
    }
    throw error;
  }
}

export const taskList: TaskList = {
  "process-webhook": async (payload, helpers) => {
    const { receiptId, receiptIds } = payload as { receiptId: string; receiptIds?: string[] };
    const ids = (receiptIds ?? [receiptId]).map((id) => BigInt(id));
    const failures = await processWebhookReceipts(ids);
    for (const [id, error] of failures) {
      // Visible on the Data sync page while the job retries, and after it gives up.
      await markReceiptFailed(id, `attempt ${helpers.job.attempts}: ${error.message}`).catch(() => {});
    }
    if (failures.size === 0) return;
    if (ids.length === 1) throw [...failures.values()][0];
    // A job of several deliveries: each failed one continues as its own job (its own retries and
    // dead letter, named by its receipt), the others are done. Same transaction-free step as
    // retrying: if this process dies here, this job runs again and the job keys prevent doubles.
    for (const id of failures.keys()) {
      await helpers.addJob("process-webhook", { shop: (payload as { shop?: string }).shop, receiptId: id.toString() }, { jobKey: `receipt:${id}`, maxAttempts: helpers.job.max_attempts });
    }
  },
  "order-stored": async (payload) => {
    const { shop, orderGids } = payload as { shop: string; orderGids: string[] };
    await runOrderStoredSteps({ shop, orderGids });
  },
  "customer-stored": async (payload) => {
    const { shop, customerGids } = payload as { shop: string; customerGids: string[] };
    await runCustomerStoredSteps({ shop, customerGids });
  },
  "run-backfill": (payload, helpers) =>
    backfillStep(payload, helpers, (job, graphql) => advanceBackfill({ shop: job.shop, runId: job.runId, poll: job.poll ?? 0, graphql })),
  "import-backfill-result": (payload, helpers) =>
    backfillStep(payload, helpers, (job, graphql) => importBackfillResult({ shop: job.shop, runId: job.runId, graphql })),
  "process-import": async (payload) => {
    const { shop, importRunId } = payload as { shop: string; importRunId: string };
    await checkImportProcessed({ shop, importRunId });
  },
  ...ledgerTasks,
  ...loyaltyTasks,
  ...reservationTasks,
  ...customerMergeTasks,
  ...identityTasks,
};
