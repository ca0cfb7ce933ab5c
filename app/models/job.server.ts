/**
 * Read-only views of graphile-worker's queue for one shop. A job belongs to a shop when its
 * payload names the shop, or (process-webhook jobs, payload {receiptId}) when its receipt does.
 * A job whose attempts reached max_attempts is dead-lettered: it stays in the table, never runs again.
 */
import { Prisma } from "@prisma/client";
import prisma from "../db.server";

const shopJobs = (shop: string) => Prisma.sql`
  from graphile_worker.jobs j
  join graphile_worker._private_jobs p on p.id = j.id
  left join "WebhookReceipt" r on r.id = case when p.payload->>'receiptId' ~ '^[0-9]+$' then (p.payload->>'receiptId')::bigint end
  where (p.payload->>'shop' = ${shop} or r.shop = ${shop})`;

export interface JobTaskCounts {
  task: string;
  waiting: number;
  retrying: number;
  dead: number;
}

/** Jobs of the shop still in the queue by task: waiting to run, retrying after a failure, dead-lettered. */
export async function countJobsByTask({ shop }: { shop: string }): Promise<JobTaskCounts[]> {
  const rows = await prisma.$queryRaw<Array<{ task: string; waiting: bigint; retrying: bigint; dead: bigint }>>(Prisma.sql`
    select j.task_identifier as task,
           count(*) filter (where j.attempts < j.max_attempts) as waiting,
           count(*) filter (where j.attempts > 0 and j.attempts < j.max_attempts) as retrying,
           count(*) filter (where j.attempts >= j.max_attempts) as dead
    ${shopJobs(shop)}
    group by j.task_identifier
    order by j.task_identifier`);
  return rows.map((r) => ({ task: r.task, waiting: Number(r.waiting), retrying: Number(r.retrying), dead: Number(r.dead) }));
}

export interface DeadJob {
  id: string;
  task: string;
  attempts: number;
  lastError: string | null;
  failedAt: Date;
  receiptId: string | null;
  topic: string | null;
}

/** Dead-lettered jobs of the shop with their last error, most recent first. */
export async function listDeadJobs({ shop, take = 50 }: { shop: string; take?: number }): Promise<DeadJob[]> {
  const rows = await prisma.$queryRaw<Array<{ id: string; task: string; attempts: number; last_error: string | null; updated_at: Date; receipt_id: string | null; topic: string | null }>>(Prisma.sql`
    select j.id::text as id, j.task_identifier as task, j.attempts, j.last_error, j.updated_at, r.id::text as receipt_id, r.topic
    ${shopJobs(shop)}
      and j.attempts >= j.max_attempts
    order by j.updated_at desc, j.id desc
    limit ${take}`);
  return rows.map((r) => ({
    id: r.id,
    task: r.task,
    attempts: r.attempts,
    lastError: r.last_error,
    failedAt: r.updated_at,
    receiptId: r.receipt_id,
    topic: r.topic,
  }));
}
