import { Prisma } from "@prisma/client";
import prisma from "../db.server";
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
export async function recordAcceptedReceipt(input: ReceiptInput & { payload: unknown }): Promise<bigint | null> {
  const rows = await prisma.$queryRaw<Array<{ id: bigint }>>(Prisma.sql`
    with receipt as (
      insert into "WebhookReceipt" (shop, topic, "webhookId", "eventId", "apiVersion", "triggeredAt", "payloadDigest", "payloadBytes", payload, status)
      values (${input.shop}, ${input.topic}, ${input.webhookId}, ${input.eventId}, ${input.apiVersion}, ${input.triggeredAt},
              ${input.payloadDigest}, ${input.payloadBytes}, ${JSON.stringify(input.payload)}::jsonb, 'ACCEPTED'::"ReceiptStatus")
      on conflict do nothing
      returning id
    )
    select id, (select graphile_worker.add_job('process-webhook', json_build_object('receiptId', id::text),
                max_attempts => ${DEFAULT_MAX_ATTEMPTS}::int, job_key => 'receipt:' || id::text)) is not null as queued
    from receipt`);
  return rows[0]?.id ?? null;
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

export async function requireReceiptById(id: bigint) {
  return prisma.webhookReceipt.findUniqueOrThrow({ where: { id } });
}

export async function markReceiptProcessed(tx: Prisma.TransactionClient, id: bigint) {
  await tx.webhookReceipt.update({ where: { id }, data: { processedAt: new Date(), failedAt: null, failureReason: null } });
}

export async function markReceiptFailed(id: bigint, reason: string) {
  await prisma.webhookReceipt.update({ where: { id }, data: { failedAt: new Date(), failureReason: reason.slice(0, 2000) } });
}
