/**
 * Durable loyalty jobs (expiry, birthdays, tiers, Shopify metafield sync) and their schedule.
 * Every handler is idempotent: each ledger entry it writes carries its business event's key.
 * A cron tick fans out one job per shop with a job key, so a slow shop never holds up the others
 * and ticks never pile up: while a shop's job waits, the next tick replaces it instead of adding one.
 */
import type { JobHelpers, TaskList } from "graphile-worker";
import { pool } from "../db.server";
import { awardBirthdayBonuses } from "../services/award-loyalty-bonuses.server";
import { expirePoints } from "../services/expire-points.server";
import { offlineGraphql } from "../services/offline-admin.server";
import { recalculateTiers } from "../services/recalculate-tiers.server";
import { listShopsToSync, syncLoyaltyMetafields } from "../services/sync-loyalty-metafields.server";

/** Installed shops that ever saved a program: the only ones with loyalty work. */
async function listLoyaltyShops(): Promise<string[]> {
  const { rows } = await pool.query<{ shop: string }>(
    `select s.shop from "Shop" s
      where s."installState" = 'INSTALLED' and exists (select 1 from "LoyaltySettingsVersion" v where v.shop = s.shop)`,
  );
  return rows.map((row) => row.shop);
}

async function fanOut(helpers: JobHelpers, shops: string[], task: string) {
  for (const shop of shops) {
    // One queue per shop for the ledger jobs: they run one after another, never two at once.
    await helpers.addJob(task, { shop }, { jobKey: `${task}:${shop}`, queueName: `loyalty-jobs:${shop}`, maxAttempts: 8 });
  }
}

const shopOf = (payload: unknown) => (payload as { shop: string }).shop;

export const loyaltyTasks: TaskList = {
  "loyalty-expire-sweep": async (_payload, helpers) => fanOut(helpers, await listLoyaltyShops(), "loyalty-expire-points"),
  "loyalty-expire-points": async (payload) => {
    await expirePoints({ shop: shopOf(payload) });
  },
  "loyalty-birthday-sweep": async (_payload, helpers) => fanOut(helpers, await listLoyaltyShops(), "loyalty-birthday-bonuses"),
  "loyalty-birthday-bonuses": async (payload) => {
    await awardBirthdayBonuses({ shop: shopOf(payload) });
  },
  "loyalty-tiers-sweep": async (_payload, helpers) => fanOut(helpers, await listLoyaltyShops(), "loyalty-recalculate-tiers"),
  /** Every wallet of a shop (daily), or `profileIds` (after their orders earned or were refunded). */
  "loyalty-recalculate-tiers": async (payload) => {
    const { shop, profileIds } = payload as { shop: string; profileIds?: string[] };
    await recalculateTiers({ shop, profileIds });
  },
  "loyalty-sync-sweep": async (_payload, helpers) => {
    for (const shop of await listShopsToSync()) {
      // Its own queue: waiting on Shopify's rate limit must not delay the shop's ledger jobs.
      await helpers.addJob("loyalty-sync-metafields", { shop }, { jobKey: `loyalty-sync-metafields:${shop}`, queueName: `loyalty-sync:${shop}`, maxAttempts: 8 });
    }
  },
  "loyalty-sync-metafields": async (payload) => {
    const shop = shopOf(payload);
    const graphql = await offlineGraphql(shop);
    if (!graphql) return; // uninstalled: nothing can be written, and nothing is lost (the requests stay)
    await syncLoyaltyMetafields({ shop, graphql });
  },
};

/**
 * graphile-worker crontab lines for the loyalty jobs (https://worker.graphile.org/docs/cron).
 * - Expiry and pending -> available: hourly, so "available points" in Shopify lag by an hour at most.
 * - Birthdays: hourly; each shop's job acts once per local day, soon after its own midnight.
 * - Tiers: daily (the window slides by a day); orders also recompute their profiles' tiers at once.
 * - Metafields: every minute, for shops with wallets waiting.
 */
export const loyaltyCrontab = [
  "5 * * * * loyalty-expire-sweep",
  "10 * * * * loyalty-birthday-sweep",
  "30 2 * * * loyalty-tiers-sweep",
  "* * * * * loyalty-sync-sweep",
].join("\n");
