/**
 * Identity upkeep that runs apart from the work that needs it: re-keying a shop whose stored keys
 * are older than the code's (a deploy that bumped IDENTITY_KEYS_VERSION). Resumable and idempotent:
 * a retried job continues after the last page its pass committed, or finds the keys current.
 */
import type { TaskList } from "graphile-worker";
import { IDENTITY_REKEY_JOB, rekeyShop } from "../services/resolve-identity.server";

export const identityTasks: TaskList = {
  [IDENTITY_REKEY_JOB]: async (payload) => {
    await rekeyShop({ shop: (payload as { shop: string }).shop });
  },
};
