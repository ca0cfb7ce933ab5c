import { runOnce, Logger } from "graphile-worker";
import prisma from "~/db.server";
import { taskList } from "~/jobs/tasks.server";

const silent = new Logger(() => () => {});

/**
 * Runs every job that is due, including the ones those jobs enqueue, until none is due. With
 * `horizonMs`, also waits for jobs scheduled that far ahead (an import re-checking its progress a
 * second later), so a test sees the finished state. Jobs that failed and wait for a retry are left.
 */
export async function drainJobs(options: { horizonMs?: number; timeoutMs?: number } = {}): Promise<void> {
  const horizon = options.horizonMs ?? 0;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    await runOnce({ connectionString: process.env.DATABASE_URL!, taskList, logger: silent });
    const [next] = await prisma.$queryRaw<Array<{ wait_ms: number | null }>>`
      select (extract(epoch from min(run_at) - now()) * 1000)::float8 as wait_ms
      from graphile_worker.jobs
      where attempts = 0 and locked_at is null and run_at <= now() + make_interval(secs => ${horizon / 1000})`;
    if (next.wait_ms === null || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next.wait_ms ?? 0) + 10));
  }
}
