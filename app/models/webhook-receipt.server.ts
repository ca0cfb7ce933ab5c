import { Prisma } from "@prisma/client";
import prisma, { pool } from "../db.server";
import { DEFAULT_MAX_ATTEMPTS } from "../jobs/queue.server";

export interface ReceiptInput {
  shop: string;
  topic: string;
  webhookId: string;
  eventId: string | null;
  apiVersion: string | null;
  triggeredAt: Date | null;
  payloadDigest: string;
  payloadBytes: number;
}

/**
 * Records an accepted delivery and enqueues its processing job in ONE statement (one
 * transaction). A redelivery — same webhook id, or same event id for the topic — inserts nothing
 * and so enqueues nothing. Returns the new receipt id, or null for a duplicate.
 */
export async function recordAcceptedReceipt(input: ReceiptInput & { rawPayload: string }): Promise<bigint | null> {
  // The hottest statement in the app (every webhook): plain pg with a named, prepared statement.
  const result = await pool.query<{ id: string }>({
    name: "record-accepted-receipt",
    text: `
      with receipt as (
        insert into "WebhookReceipt" (shop, topic, "webhookId", "eventId", "apiVersion", "triggeredAt", "payloadDigest", "payloadBytes", payload, status)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, 'ACCEPTED'::"ReceiptStatus")
        on conflict do nothing
        returning id
      )
      select id::text, (select graphile_worker.add_job('process-webhook', json_build_object('receiptId', id::text),
                         max_attempts => $10::int, job_key => 'receipt:' || id::text)) is not null as queued
      from receipt`,
    values: [
      input.shop,
      input.topic,
      input.webhookId,
      input.eventId,
      input.apiVersion,
      input.triggeredAt,
      input.payloadDigest,
      input.payloadBytes,
      input.rawPayload,
      DEFAULT_MAX_ATTEMPTS,
    ],
  });
  return result.rows[0] ? BigInt(result.rows[0].id) : null;
}

/** Records an authentic delivery that can never be processed, with the reason, once per webhook id. */
export async function recordRejectedReceipt(input: ReceiptInput & { payload?: unknown; code: string; reason: string }) {
  await prisma.$executeRaw(Prisma.sql`
    insert into "WebhookReceipt" (shop, topic, "webhookId", "eventId", "apiVersion", "triggeredAt", "payloadDigest", "payloadBytes", payload, status, "rejectCode", "rejectReason")
    values (${input.shop}, ${input.topic}, ${input.webhookId}, ${input.eventId}, ${input.apiVersion}, ${input.triggeredAt},
            ${input.payloadDigest}, ${input.payloadBytes}, ${input.payload === undefined ? null : JSON.stringify(input.payload)}::jsonb,
            'REJECTED'::"ReceiptStatus", ${input.code}, ${input.reason})
    on conflict do nothing`);
}

export function getReceipt({ shop, id }: { shop: string; id: bigint }) {
  return prisma.webhookReceipt.findFirst({ where: { shop, id } });
}

/** A receipt's state without its payload: most jobs only need to see it is already processed. */
export async function getReceiptState(id: bigint) {
  const result = await pool.query<{ shop: string; topic: string; status: string; processed: boolean }>({
    name: "receipt-state",
    text: `select shop, topic, status, "processedAt" is not null as processed from "WebhookReceipt" where id = $1`,
    values: [id.toString()],
  });
  return result.rows[0] ?? null;
}

export async function requireReceiptById(id: bigint) {
  return prisma.webhookReceipt.findUniqueOrThrow({ where: { id } });
}

export async function markReceiptProcessed(tx: Prisma.TransactionClient, id: bigint) {
  await tx.webhookReceipt.update({ where: { id }, data: { processedAt: new Date(), failedAt: null, failureReason: null } });
}

export async function markReceiptFailed(id: bigint, reason: string) {
  await prisma.webhookReceipt.update({ where: { id }, data: { failedAt: new Date(), failureReason: reason.slice(0, 2000) } });
}

export interface ReceiptTopicCounts {
  topic: string;
  accepted: number;
  processed: number;
  rejected: number;
  failed: number;
  lastReceivedAt: Date;
}

/**
 * Receipts of the shop by topic: accepted (all accepted deliveries), processed, rejected, and
 * failed (processing raised and has not succeeded since).
 */
export async function countReceiptsByTopic({ shop }: { shop: string }): Promise<ReceiptTopicCounts[]> {
  const rows = await prisma.$queryRaw<Array<{ topic: string; accepted: bigint; processed: bigint; rejected: bigint; failed: bigint; last_received_at: Date }>>`
    select topic,
           count(*) filter (where status = 'ACCEPTED') as accepted,
           count(*) filter (where "processedAt" is not null) as processed,
           count(*) filter (where status = 'REJECTED') as rejected,
           count(*) filter (where "failureReason" is not null and "processedAt" is null) as failed,
           max("receivedAt") as last_received_at
    from "WebhookReceipt"
    where shop = ${shop}
    group by topic
    order by topic`;
  return rows.map((r) => ({
    topic: r.topic,
    accepted: Number(r.accepted),
    processed: Number(r.processed),
    rejected: Number(r.rejected),
    failed: Number(r.failed),
    lastReceivedAt: r.last_received_at,
  }));
}

/** Accepted receipts whose processing failed and has not succeeded since, newest failure first. */
export function listFailedReceipts({ shop, take = 50 }: { shop: string; take?: number }) {
  return prisma.webhookReceipt.findMany({
    where: { shop, status: "ACCEPTED", processedAt: null, failureReason: { not: null } },
    orderBy: [{ failedAt: "desc" }, { id: "desc" }],
    take,
    select: { id: true, topic: true, receivedAt: true, failedAt: true, failureReason: true },
  });
}

/** Rejected deliveries (authentic but unusable), newest first. */
export function listRejectedReceipts({ shop, take = 50 }: { shop: string; take?: number }) {
  return prisma.webhookReceipt.findMany({
    where: { shop, status: "REJECTED" },
    orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
    take,
    select: { id: true, topic: true, receivedAt: true, rejectCode: true, rejectReason: true },
  });
}

export async function getLastReceivedAt({ shop }: { shop: string }): Promise<Date | null> {
  const last = await prisma.webhookReceipt.findFirst({ where: { shop }, orderBy: { receivedAt: "desc" }, select: { receivedAt: true } });
  return last?.receivedAt ?? null;
}
