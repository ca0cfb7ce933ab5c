/**
 * The job workers: run inside `npm start` / `npm run demo`, or alone with `npm run worker` so web
 * and workers scale independently. Retries back off exponentially (graphile-worker: about
 * exp(attempt) seconds); a job that fails `max_attempts` times stays in graphile_worker.jobs
 * with its last error — the dead-letter state shown on the Data sync page.
 */
import { run, Logger, type Runner } from "graphile-worker";
import { env } from "../env.server";
import { taskList } from "./tasks.server";

const logger = new Logger((scope) => (level, message) => {
  if (level === "error" || level === "warning") console.error(`[worker${scope.label ? `:${scope.label}` : ""}] ${message}`);
});

export async function startJobWorkers(options: { concurrency?: number; pollInterval?: number } = {}): Promise<Runner> {
  return run({
    connectionString: env.DATABASE_URL,
    concurrency: options.concurrency ?? env.WORKER_CONCURRENCY,
    pollInterval: options.pollInterval ?? 1000,
    noHandleSignals: true,
    taskList,
    logger,
  });
}
