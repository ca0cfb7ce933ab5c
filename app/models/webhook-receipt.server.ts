import { Prisma } from "@prisma/client";
import prisma, { pool } from "../db.server";
import { createGroupCommit } from "../group-commit.server";
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

type AcceptedInput = ReceiptInput & { rawPayload: string };

/** Deliveries recorded in one statement at most; a larger backlog is split over several. */
export const MAX_RECEIPT_BATCH = 200;
/**
 * Statements in flight at once from one process. One: the next batch forms while one commits.
 * Two made batches half as big for the same deliveries, each paying its own job, commit and
 * NOTIFY (bench:ingest, alternating runs: ack 1,288-1,348/s with one, 1,122-1,149/s with two).
 */
const MAX_IN_FLIGHT = 1;

/**
 * Records an accepted delivery and enqueues its processing job in ONE transaction, and resolves
 * only once that transaction has committed (the caller answers 200 after it). A redelivery — same
 * webhook id, or same event id for the topic — inserts nothing and so enqueues nothing. Returns the
 * new receipt id, or null for a duplicate.
 *
 * Group commit (app/group-commit.server.ts): deliveries that arrive while earlier ones are being
 * written are recorded together, in one statement with one `process-webhook` job per shop listing
 * its receipts. Under load that turns a commit + job + NOTIFY per delivery into one per batch; one
 * unusable payload cannot fail its neighbours.
 */
export const recordAcceptedReceipt: (input: AcceptedInput) => Promise<bigint | null> = createGroupCommit({
  maxBatch: MAX_RECEIPT_BATCH,
  maxInFlight: MAX_IN_FLIGHT,
  writeMany: insertReceipts,
  writeOne: async (input: AcceptedInput) => (await insertReceipts([input]))[0],
});

/**
 * One statement: the receipts (ON CONFLICT DO NOTHING: duplicates, also within the batch, insert
 * nothing) and, for each shop with new receipts, one process-webhook job naming them. The payload
 * is spliced into the JSON document as the raw body itself (already parsed once by
 * authenticate.webhook, so it is valid JSON): PostgreSQL parses it once, nothing escapes it twice.
 * Returns, for each input, its new receipt id or null (a duplicate).
 */
async function insertReceipts(inputs: AcceptedInput[]): Promise<Array<bigint | null>> {
  const parts = inputs.map((input, ord) => {
    const meta = JSON.stringify({
      ord,
      shop: input.shop,
      topic: input.topic,
      webhookId: input.webhookId,
      eventId: input.eventId,
      apiVersion: input.apiVersion,
      triggeredAt: input.triggeredAt?.toISOString() ?? null,
      payloadDigest: input.payloadDigest,
      payloadBytes: input.payloadBytes,
    });
    return `${meta.slice(0, -1)},"payload":${input.rawPayload}}`;
  });
  const result = await pool.query<{ ord: number; id: string }>({
    name: "record-accepted-receipts",
    text: `
      with input as (
        select * from json_to_recordset($1::json) as x(
          ord int, shop text, topic text, "webhookId" text, "eventId" text, "apiVersion" text,
          "triggeredAt" timestamp, "payloadDigest" text, "payloadBytes" int, payload json)
      ), receipt as (
        insert into "WebhookReceipt" (shop, topic, "webhookId", "eventId", "apiVersion", "triggeredAt", "payloadDigest", "payloadBytes", payload, status)
        select shop, topic, "webhookId", "eventId", "apiVersion", "triggeredAt", "payloadDigest", "payloadBytes", payload, 'ACCEPTED'::"ReceiptStatus"
        from input order by ord
        on conflict do nothing
        returning id, shop, "webhookId"
      ), job as (
        select graphile_worker.add_job('process-webhook',
                 json_build_object('shop', shop, 'receiptId', min(id)::text, 'receiptIds', json_agg(id::text order by id)),
                 max_attempts => $2::int) as added
        from receipt group by shop
      )
      select i.ord, r.id::text
      from receipt r
      join input i on i.shop = r.shop and i."webhookId" = r."webhookId"
      where (select count(*) from job) >= 0`,
    values: [`[${parts.join(",")}]`, DEFAULT_MAX_ATTEMPTS],
  });
  const ids: Array<bigint | null> = inputs.map(() => null);
  // The same webhook id twice in one batch joins both inputs to the one row: the first is recorded.
  const seen = new Set<string>();
  for (const row of result.rows.sort((a, b) => a.ord - b.ord)) {
    if (seen.has(row.id)) continue;
    seen.add(row.id);
    ids[row.ord] = BigInt(row.id);
  }
  return ids;
}

/** Records an authentic delivery that can never be processed, with the reason, once per webhook id. */
export async function recordRejectedReceipt(input: ReceiptInput & { payload?: unknown; code: string; reason: string }) {
  await prisma.$executeRaw(Prisma.sql`
    insert into "WebhookReceipt" (shop, topic, "webhookId", "eventId", "apiVersion", "triggeredAt", "payloadDigest", "payloadBytes", payload, status, "rejectCode", "rejectReason")
    values (${input.shop}, ${input.topic}, ${input.webhookId}, ${input.eventId}, ${input.apiVersion}, ${input.triggeredAt},
            ${input.payloadDigest}, ${input.payloadBytes}, ${input.payload === undefined ? null : JSON.stringify(input.payload)}::json,
            'REJECTED'::"ReceiptStatus", ${input.code}, ${input.reason})
    on conflict do nothing`);
}

export function getReceipt({ shop, id }: { shop: string; id: bigint }) {
  return prisma.webhookReceipt.findFirst({ where: { shop, id } });
}

/** Receipts' states without their payloads: most jobs only need to see they are already processed. */
export async function getReceiptStates(ids: bigint[]) {
  const result = await pool.query<{ id: string; shop: string; topic: string; status: string; processed: boolean }>({
    name: "receipt-states",
    text: `select id::text, shop, topic, status, "processedAt" is not null as processed from "WebhookReceipt" where id = any($1::bigint[]) order by "WebhookReceipt".id`,
    values: [ids.map(String)],
  });
  return new Map(result.rows.map(({ id, ...state }) => [BigInt(id), state]));
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
