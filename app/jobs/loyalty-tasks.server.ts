/**
 * Durable loyalty jobs (expiry, birthdays, tiers, Shopify metafield sync) and their schedule.
 * Every handler is idempotent: each ledger entry it writes carries its business event's key.
 */
import type { TaskList } from "graphile-worker";

export const loyaltyTasks: TaskList = {};

/** graphile-worker crontab lines for the loyalty jobs (https://worker.graphile.org/docs/cron). */
export const loyaltyCrontab = "";
