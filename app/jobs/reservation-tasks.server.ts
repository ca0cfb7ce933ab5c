/**
 * Durable jobs of point reservations (releasing expired ones and their discount codes).
 * Every handler is idempotent: settling and releasing carry the reservation's keys.
 */
import type { TaskList } from "graphile-worker";
import { listShopsWithExpiredReservations, releaseExpiredReservations } from "../services/reserve-points.server";

export const reservationTasks: TaskList = {
  /** Fans out one job per shop with work, so one slow shop (Shopify deletes) does not hold up the rest. */
  "reservation-release-expired": async (_payload, helpers) => {
    for (const shop of await listShopsWithExpiredReservations()) {
      await helpers.addJob("reservation-release-expired-shop", { shop }, { jobKey: `reservation-release-expired:${shop}`, maxAttempts: 5 });
    }
  },
  "reservation-release-expired-shop": async (payload) => {
    await releaseExpiredReservations({ shop: (payload as { shop: string }).shop });
  },
};

/**
 * Every minute: an expired reservation gives its points back within a minute of its grace period
 * (EXPIRY_GRACE_MS) ending (https://worker.graphile.org/docs/cron).
 */
export const reservationCrontab = "* * * * * reservation-release-expired";
