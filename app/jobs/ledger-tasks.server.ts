/**
 * Ledger upkeep that must not depend on new orders arriving: wallets follow profile merges and
 * splits made from the admin (review queue, split), and events that waited for a reservation.
 */
import type { TaskList } from "graphile-worker";
import { followProfileEvents, listShopsWithPendingProfileEvents } from "../services/follow-profile-events.server";

export const ledgerTasks: TaskList = {
  "loyalty-follow-profiles-sweep": async (_payload, helpers) => {
    for (const shop of await listShopsWithPendingProfileEvents()) {
      await helpers.addJob("loyalty-follow-profiles", { shop }, { jobKey: `loyalty-follow-profiles:${shop}`, queueName: `loyalty:${shop}` });
    }
  },
  "loyalty-follow-profiles": async (payload) => {
    await followProfileEvents({ shop: (payload as { shop: string }).shop });
  },
};

/** Every minute: profile changes made outside the order pipeline reach the wallets within a minute. */
export const ledgerCrontab = "* * * * * loyalty-follow-profiles-sweep";
