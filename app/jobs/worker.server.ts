/**
 * The job workers: run inside `npm start` / `npm run demo`, or alone with `npm run worker` so web
 * and workers scale independently. Retries back off exponentially (graphile-worker: about
 * exp(attempt) seconds); a job that fails `max_attempts` times stays in graphile_worker.jobs
 * with its last error — the dead-letter state shown on the Data sync page.
 */
import { run, Logger, type Runner } from "graphile-worker";
import { env } from "../env.server";
import { taskList } from "./tasks.server";
import { ledgerCrontab } from "./ledger-tasks.server";
import { loyaltyCrontab } from "./loyalty-tasks.server";
import { reservationCrontab } from "./reservation-tasks.server";
import { enqueueStaleIdentityRekeys } from "../services/resolve-identity.server";

const logger = new Logger((scope) => (level, message) => {
  if (level === "error" || level === "warning") console.error(`[worker${scope.label ? `:${scope.label}` : ""}] ${message}`);
});

/**
 * WORKER_TASKS=a,b (optional): this process runs only those jobs — e.g. a worker dedicated to
 * backfills, so a long queue of downstream steps never holds a new shop's backfill back.
 */
function selectedTasks() {
  const names = (process.env.WORKER_TASKS ?? "").split(",").map((n) => n.trim()).filter(Boolean);
  if (!names.length) return taskList;
  const unknown = names.filter((n) => !(n in taskList));
  if (unknown.length) throw new Error(`WORKER_TASKS names unknown jobs: ${unknown.join(", ")} (known: ${Object.keys(taskList).join(", ")})`);
  return Object.fromEntries(names.map((n) => [n, taskList[n]]));
}

export async function startJobWorkers(options: { concurrency?: number; pollInterval?: number } = {}): Promise<Runner> {
  const runner = await run({
    connectionString: env.DATABASE_URL,
    concurrency: options.concurrency ?? env.WORKER_CONCURRENCY,
    pollInterval: options.pollInterval ?? 1000,
    noHandleSignals: true,
    taskList: selectedTasks(),
    crontab: [ledgerCrontab, loyaltyCrontab, reservationCrontab].filter(Boolean).join("\n"),
    logger,
    // Fetch and lock jobs in groups and mark them done in groups: most jobs here take a
    // millisecond or two, so one round trip per job to get it and one to complete it would be
    // most of the cost (https://worker.graphile.org/docs/performance#batching).
    preset: {
      worker: {
        localQueue: { size: Math.max(16, (options.concurrency ?? env.WORKER_CONCURRENCY) * 4), refetchDelay: { durationMs: 100 } },
        completeJobBatchDelay: 0,
        failJobBatchDelay: 0,
      },
    },
  });
  // Shops whose identity keys this deploy made stale are re-keyed from now, not from their first
  // identity work (after run: it installs graphile-worker's schema). Job keys make it once per shop
  // however many workers start.
  await enqueueStaleIdentityRekeys().catch((error: Error) => console.error(`[worker] enqueueing identity re-keys: ${error.message}`));
  return runner;
}
