/**
 * The durable poll of a Shopify customer merge's job (customerMergeJobStatus), for merges that
 * outlive the merchant's request. Idempotent: applying a completed merge checks the request's status.
 */
import type { TaskList } from "graphile-worker";
import { offlineGraphql } from "../services/offline-admin.server";
import { advanceCustomerMerge, CUSTOMER_MERGE_POLL_JOB, MAX_JOB_POLLS, nextPollDelayMs } from "../services/merge-shopify-customers.server";

export const customerMergeTasks: TaskList = {
  [CUSTOMER_MERGE_POLL_JOB]: async (payload, helpers) => {
    const { shop, id } = payload as { shop: string; id: string };
    const graphql = await offlineGraphql(shop);
    if (!graphql) return; // uninstalled: the request stays RUNNING, as Shopify last reported it
    const row = await advanceCustomerMerge({ shop, id, graphql });
    if (row.status !== "RUNNING" || row.polls >= MAX_JOB_POLLS) return;
    // Not done yet: look again later (a new job; this one ends successfully).
    await helpers.addJob(CUSTOMER_MERGE_POLL_JOB, { shop, id }, { runAt: new Date(Date.now() + nextPollDelayMs(row.polls)), maxAttempts: 10 });
  },
};
