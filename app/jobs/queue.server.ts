/**
 * Enqueueing durable jobs (graphile-worker, in PostgreSQL). A job is added with SQL inside the
 * caller's transaction, so "record it and enqueue its work" commits or rolls back as one.
 * Jobs are retried with exponential backoff up to `maxAttempts`; a job that exhausts them stays
 * in graphile_worker's jobs table with its last error: the dead-letter state the Data sync page lists.
 */
import type { Prisma, PrismaClient } from "@prisma/client";
import prisma from "../db.server";
import type { RawDb } from "../models/sql.server";

export type JobName =
  | "process-webhook"
  | "store-order"
  | "store-customer"
  | "order-stored"
  | "customer-stored"
  | "run-backfill"
  | "import-backfill-result"
  | "process-import"
  | "identity-rekey"
  | `loyalty-${string}`
  | `reservation-${string}`
  | `customer-merge-${string}`;

export interface EnqueueOptions {
  /** at most one pending job per key (graphile-worker job_key) */
  jobKey?: string;
  maxAttempts?: number;
  runAt?: Date;
  queueName?: string;
  priority?: number;
}

type Db = PrismaClient | Prisma.TransactionClient;

export const DEFAULT_MAX_ATTEMPTS = 12;

export async function enqueueJob(db: Db, name: JobName, payload: Record<string, unknown>, options: EnqueueOptions = {}) {
  await db.$executeRaw`select graphile_worker.add_job(
    identifier => ${name}::text,
    payload => ${JSON.stringify(payload)}::json,
    queue_name => ${options.queueName ?? null}::text,
    run_at => ${options.runAt ?? null}::timestamptz,
    max_attempts => ${options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS}::int,
    job_key => ${options.jobKey ?? null}::text,
    priority => ${options.priority ?? null}::int
  )`;
}

/** Adds many jobs of one kind in one statement (graphile_worker.add_jobs). */
export async function enqueueJobs(db: RawDb, name: JobName, payloads: Array<Record<string, unknown>>, options: { maxAttempts?: number } = {}) {
  if (payloads.length === 0) return;
  const specs = payloads.map((payload) => ({
    identifier: name,
    payload,
    max_attempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
  }));
  await db.$executeRaw`select graphile_worker.add_jobs(array(select json_populate_recordset(null::graphile_worker.job_spec, ${JSON.stringify(specs)}::json)))`;
}

export { prisma as defaultDb };
