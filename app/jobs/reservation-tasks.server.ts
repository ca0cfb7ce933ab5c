/**
 * Durable jobs of point reservations (releasing expired ones and their discount codes).
 * Every handler is idempotent: settling and releasing carry the reservation's keys.
 */
import type { TaskList } from "graphile-worker";

export const reservationTasks: TaskList = {};

/** graphile-worker crontab lines for reservation jobs (https://worker.graphile.org/docs/cron). */
export const reservationCrontab = "";
