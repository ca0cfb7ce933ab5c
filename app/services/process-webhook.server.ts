/**
 * Processes accepted webhook receipts. Idempotent: a receipt is marked processed in the same
 * transaction as its effects, and every effect is itself an upsert or insert-if-absent, so a job
 * that runs twice (a worker killed after commit, before acknowledging) changes nothing the second time.
 *
 * One process-webhook job names the receipts recorded together by one statement (group commit in
 * webhook-receipt.server). Orders, refunds and customers are stored in batches: a job also stores
 * up to BATCH_SIZE other pending receipts of the same shop, in one transaction; jobs whose
 * receipts a batch already stored find them processed and end.
 */
import { refreshStaleStatisticsSoon } from "../models/statistics.server";
import type pg from "pg";
import prisma, { withPgTransaction } from "../db.server";
import { rawDb } from "../models/sql.server";
import { getReceiptStates, markReceiptProcessed, requireReceiptById } from "../models/webhook-receipt.server";
import { markShopUninstalled, updateShopScopes } from "../models/shop.server";
import { markCustomerDeleted } from "../models/customer.server";
import { storeCustomersInTransaction, storeOrdersWithClient } from "./store-orders.server";
import { enqueueCustomerStored } from "./order-stored.server";
import { redactCustomer, redactShop } from "./redact.server";
import { handleBulkOperationFinished } from "./backfill.server";
import {
  customerDeletePayload,
  customerPayload,
  orderPayload,
  refundPayload,
  toCustomerRecord,
  toGid,
  toOrderRecord,
  toRefundRecord,
} from "../shopify/webhook-payloads";

export const BATCH_SIZE = 250;
/** What storing a batch writes and checks (the order lines' foreign key looks up "Order"). */
const STORED_TABLES = ["WebhookReceipt", "Order", "OrderLine", "Refund", "RefundLine", "Customer"] as const;
const BATCHED_TOPICS = ["orders/create", "orders/updated", "orders/cancelled", "refunds/create", "customers/create", "customers/update"];

type PendingReceipt = { id: bigint; topic: string; payload: unknown };

/**
 * Stores a batch of pending order/refund/customer receipts of one shop: the job's own receipts
 * (`ownIds`) first. Its own rows are locked with a wait (if another batch holds one, that batch's
 * outcome is seen: committed = processed, rolled back = ours to do); up to `limit` in all are
 * filled up with other pending receipts of the shop claimed with SKIP LOCKED, so concurrent
 * batches never wait on each other. A receipt whose payload does not parse is left out of the
 * batch (unprocessed). Returns the own receipts that did not parse, with the reason.
 *
 * On a pg client of its own, not Prisma: the batch's payloads and rows travel in a few large
 * statements, and Prisma 6 compiles each statement with its parameters in WebAssembly (see
 * rawDb); the orders go in by COPY (storeOrdersWithClient), as an import's do.
 */
async function storeReceiptBatch(shop: string, ownIds: bigint[], limit: number): Promise<Map<bigint, Error>> {
  return withPgTransaction(async (client) => {
    // "order by" names the column qualified: bare `id` would be the output's id::text, sorted as
    // text ("1000" before "997") and, for the pending scan, by sorting every pending receipt of the
    // shop with its payload instead of reading the first few from the (shop, id) index.
    const receipts = async (sql: string, params: unknown[]) =>
      (await client.query<{ id: string; topic: string; payload: unknown }>(sql, params)).rows.map((r) => ({ ...r, id: BigInt(r.id) }));
    const own = await receipts(
      `select id::text, topic, payload from "WebhookReceipt"
       where id = any($1::bigint[]) and "processedAt" is null and status = 'ACCEPTED'
       order by "WebhookReceipt".id for update`,
      [ownIds.map(String)],
    );
    if (own.length === 0) return new Map<bigint, Error>();
    const others =
      limit > own.length
        ? await receipts(
            `select id::text, topic, payload from "WebhookReceipt"
             where shop = $1 and status = 'ACCEPTED' and "processedAt" is null and id <> all($2::bigint[])
               and topic = any($3::text[])
             order by "WebhookReceipt".id limit $4 for update skip locked`,
            [shop, ownIds.map(String), BATCHED_TOPICS, limit - own.length],
          )
        : [];
    const failed = await storeReceipts(client, shop, [...own, ...others]);
    const ownSet = new Set(ownIds);
    return new Map([...failed].filter(([id]) => ownSet.has(id)));
  });
}

async function storeReceipts(client: pg.PoolClient, shop: string, receipts: PendingReceipt[]): Promise<Map<bigint, Error>> {
  const currency = (await client.query<{ currency: string }>(`select currency from "Shop" where shop = $1`, [shop])).rows[0]?.currency ?? "USD";
  const orders = [];
  const refunds = [];
  const customers = [];
  const stored: bigint[] = [];
  const failed = new Map<bigint, Error>();
  for (const r of receipts) {
    try {
      if (r.topic.startsWith("orders/")) {
        const order = orderPayload.parse(r.payload);
        const record = toOrderRecord(order);
        orders.push(record);
        for (const refund of order.refunds ?? []) refunds.push(toRefundRecord(refund, record.currency));
      } else if (r.topic === "refunds/create") {
        refunds.push(toRefundRecord(refundPayload.parse(r.payload), currency));
      } else {
        customers.push(toCustomerRecord(customerPayload.parse(r.payload)));
      }
      stored.push(r.id);
    } catch (error) {
      failed.set(r.id, error as Error);
    }
  }
  // A stable order of rows keeps concurrent batches from deadlocking on the same orders.
  orders.sort((a, b) => (a.orderGid < b.orderGid ? -1 : a.orderGid > b.orderGid ? 1 : 0));
  customers.sort((a, b) => (a.customerGid < b.customerGid ? -1 : a.customerGid > b.customerGid ? 1 : 0));
  await storeOrdersWithClient(client, { shop, orders, refunds, origin: "WEBHOOK" });
  if (customers.length) {
    const db = rawDb(client);
    const customerGids = await storeCustomersInTransaction(db, { shop, customers, origin: "WEBHOOK" });
    await enqueueCustomerStored(db, { shop, customerGids });
  }
  if (stored.length) {
    await client.query(`update "WebhookReceipt" set "processedAt" = now(), "failedAt" = null, "failureReason" = null where id = any($1::bigint[])`, [stored.map(String)]);
  }
  return failed;
}

/** Processes one accepted receipt; throws its failure (the job retries it, then dead-letters it). */
export async function processWebhookReceipt(receiptId: bigint, options: { batchSize?: number } = {}): Promise<void> {
  const [failure] = (await processWebhookReceipts([receiptId], options)).values();
  if (failure) throw failure;
}

/**
 * Processes the receipts of one process-webhook job (the deliveries recorded together by one
 * statement). Returns the receipts that failed, with their errors; the others are processed.
 */
export async function processWebhookReceipts(receiptIds: bigint[], options: { batchSize?: number } = {}): Promise<Map<bigint, Error>> {
  const failures = new Map<bigint, Error>();
  const states = await getReceiptStates(receiptIds);
  const batched = new Map<string, bigint[]>();
  const single: bigint[] = [];
  for (const [id, state] of states) {
    if (state.processed || state.status !== "ACCEPTED") continue;
    if (BATCHED_TOPICS.includes(state.topic)) batched.set(state.shop, [...(batched.get(state.shop) ?? []), id]);
    else single.push(id);
  }
  const batchSize = options.batchSize ?? BATCH_SIZE;
  if (batched.size) refreshStaleStatisticsSoon(STORED_TABLES);
  for (const [shop, ids] of batched) {
    let failed: Map<bigint, Error>;
    try {
      failed = await storeReceiptBatch(shop, ids, Math.max(batchSize, ids.length));
    } catch (error) {
      if (batchSize === 1 && ids.length === 1) {
        failures.set(ids[0], error as Error);
        continue;
      }
      // Something in the batch failed: store each own receipt alone, so one bad neighbour cannot
      // hold the others back (and a receipt's own failure is reported for it).
      failed = new Map();
      for (const id of ids) {
        try {
          for (const [fid, e] of await storeReceiptBatch(shop, [id], 1)) failed.set(fid, e);
        } catch (e) {
          failed.set(id, e as Error);
        }
      }
    }
    for (const [id, e] of failed) failures.set(id, e);
  }
  for (const id of single) {
    try {
      await processOtherTopic(id, states.get(id)!);
    } catch (error) {
      failures.set(id, error as Error);
    }
  }
  return failures;
}

async function processOtherTopic(receiptId: bigint, { shop, topic }: { shop: string; topic: string }): Promise<void> {
  const receipt = await requireReceiptById(receiptId);
  const payload = receipt.payload as unknown;

  switch (topic) {
    case "customers/delete": {
      const deleted = customerDeletePayload.parse(payload);
      await prisma.$transaction(async (tx) => {
        await markCustomerDeleted(tx, { shop, customerGid: deleted.admin_graphql_api_id ?? toGid("Customer", deleted.id)!, at: receipt.triggeredAt ?? receipt.receivedAt });
        await markReceiptProcessed(tx, receiptId);
      });
      return;
    }
    case "app/uninstalled": {
      await prisma.$transaction(async (tx) => {
        await tx.session.deleteMany({ where: { shop } });
        await markReceiptProcessed(tx, receiptId);
      });
      await markShopUninstalled({ shop });
      return;
    }
    case "app/scopes_update": {
      const current = (payload as { current: string[] }).current.join(",");
      await prisma.$transaction(async (tx) => {
        await tx.session.updateMany({ where: { shop }, data: { scope: current } });
        await markReceiptProcessed(tx, receiptId);
      });
      await updateShopScopes({ shop, scopes: current });
      return;
    }
    case "bulk_operations/finish": {
      const finished = payload as { admin_graphql_api_id: string; status: string };
      await handleBulkOperationFinished({ shop, bulkOperationId: finished.admin_graphql_api_id, status: finished.status });
      await prisma.$transaction((tx) => markReceiptProcessed(tx, receiptId));
      return;
    }
    case "customers/redact": {
      const body = payload as { customer: { id: number | string }; orders_to_redact?: Array<number | string> };
      await prisma.$transaction(async (tx) => {
        await redactCustomer(tx, {
          shop,
          customerGid: toGid("Customer", String(body.customer.id))!,
          orderGids: (body.orders_to_redact ?? []).map((o) => toGid("Order", String(o))!),
        });
        await markReceiptProcessed(tx, receiptId);
      });
      return;
    }
    case "shop/redact": {
      await prisma.$transaction(async (tx) => {
        await redactShop(tx, { shop, keepReceiptId: receiptId });
        await markReceiptProcessed(tx, receiptId);
      });
      return;
    }
    case "customers/data_request": {
      // The merchant is shown the request on the Data sync page; the export itself belongs to
      // the privacy issue. Recording it processed here means: received and listed.
      await prisma.$transaction((tx) => markReceiptProcessed(tx, receiptId));
      return;
    }
    default:
      throw new Error(`No processing for topic ${topic}`);
  }
}
