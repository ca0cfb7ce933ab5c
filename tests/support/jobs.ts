import { runOnce, Logger } from "graphile-worker";
import { taskList } from "~/jobs/tasks.server";

const silent = new Logger(() => () => {});

/** Runs every job that is due, including the ones those jobs enqueue, until the queue is empty. */
export async function drainJobs(): Promise<void> {
  await runOnce({ connectionString: process.env.DATABASE_URL!, taskList, logger: silent });
}
