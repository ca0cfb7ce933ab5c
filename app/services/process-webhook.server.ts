/**
 * Processes one accepted webhook receipt. Idempotent: the receipt is marked processed in the same
 * transaction as its effects, and every effect is itself an upsert or insert-if-absent, so a job
 * that runs twice (a worker killed after commit, before acknowledging) changes nothing the second time.
 *
 * Orders, refunds and customers are stored in batches: the job of one receipt also stores up to
 * BATCH_SIZE other pending receipts of the same shop, in one transaction. Every receipt keeps its
 * own durable job; the jobs of receipts already stored by a batch find them processed and end.
 */
import type { Prisma } from "@prisma/client";
import prisma from "../db.server";
import { getReceiptState, markReceiptProcessed, requireReceiptById } from "../models/webhook-receipt.server";
import { markShopUninstalled, updateShopScopes } from "../models/shop.server";
import { markCustomerDeleted } from "../models/customer.server";
import { storeCustomersInTransaction, storeOrdersInTransaction } from "./store-orders.server";
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
const BATCHED_TOPICS = ["orders/create", "orders/updated", "orders/cancelled", "refunds/create", "customers/create", "customers/update"];

type PendingReceipt = { id: bigint; topic: string; payload: unknown };

/**
 * Stores a batch of pending order/refund/customer receipts of one shop, the receipt `ownId`
 * first. Its own row is locked with a wait (if another batch holds it, that batch's outcome is
 * seen: committed = processed, rolled back = ours to do); the others are claimed with SKIP LOCKED,
 * so concurrent batches never wait on each other. A receipt whose payload does not parse is left
 * out of the batch for its own job to fail visibly. Returns false if the own receipt failed to parse.
 */
async function storeReceiptBatch(shop: string, ownId: bigint, limit: number): Promise<boolean> {
  return prisma.$transaction(
    async (tx) => {
      const own = await tx.$queryRaw<PendingReceipt[]>`
        select id, topic, payload from "WebhookReceipt"
        where id = ${ownId} and "processedAt" is null and status = 'ACCEPTED' for update`;
      if (own.length === 0) return true;
      const others =
        limit > 1
          ? await tx.$queryRaw<PendingReceipt[]>`
              select id, topic, payload from "WebhookReceipt"
              where shop = ${shop} and status = 'ACCEPTED' and "processedAt" is null and id <> ${ownId}
                and topic = any(${BATCHED_TOPICS}::text[])
              order by id limit ${limit - 1} for update skip locked`
          : [];
      return storeReceipts(tx, shop, ownId, [...own, ...others]);
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
}

async function storeReceipts(tx: Prisma.TransactionClient, shop: string, ownId: bigint, receipts: PendingReceipt[]): Promise<boolean> {
  const currency = (await tx.shop.findUnique({ where: { shop }, select: { currency: true } }))?.currency ?? "USD";
  const orders = [];
  const refunds = [];
  const customers = [];
  const stored: bigint[] = [];
  let ownParsed = true;
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
    } catch {
      if (r.id === ownId) ownParsed = false;
    }
  }
  // A stable order of rows keeps concurrent batches from deadlocking on the same orders.
  orders.sort((a, b) => (a.orderGid < b.orderGid ? -1 : a.orderGid > b.orderGid ? 1 : 0));
  customers.sort((a, b) => (a.customerGid < b.customerGid ? -1 : a.customerGid > b.customerGid ? 1 : 0));
  await storeOrdersInTransaction(tx, { shop, orders, refunds, origin: "WEBHOOK" });
  if (customers.length) {
    const customerGids = await storeCustomersInTransaction(tx, { shop, customers, origin: "WEBHOOK" });
    await enqueueCustomerStored(tx, { shop, customerGids });
  }
  if (stored.length) await tx.$executeRaw`update "WebhookReceipt" set "processedAt" = now(), "failedAt" = null, "failureReason" = null where id = any(${stored}::bigint[])`;
  return ownParsed;
}

export async function processWebhookReceipt(receiptId: bigint, options: { batchSize?: number } = {}): Promise<void> {
  const state = await getReceiptState(receiptId);
  if (!state || state.processed || state.status !== "ACCEPTED") return;
  const { shop, topic } = state;

  if (BATCHED_TOPICS.includes(topic)) {
    const batchSize = options.batchSize ?? BATCH_SIZE;
    let ownParsed: boolean;
    try {
      ownParsed = await storeReceiptBatch(shop, receiptId, batchSize);
    } catch (error) {
      if (batchSize === 1) throw error;
      // Something in the batch failed: store this receipt alone, so one bad neighbour cannot
      // hold it back (and the failure, if it is this receipt's own, is reported for it).
      ownParsed = await storeReceiptBatch(shop, receiptId, 1);
    }
    if (!ownParsed) {
      // Raise the parse error for this receipt, with its fields, for the Data sync page.
      const { payload } = await requireReceiptById(receiptId);
      if (topic.startsWith("orders/")) orderPayload.parse(payload);
      else if (topic === "refunds/create") refundPayload.parse(payload);
      else customerPayload.parse(payload);
    }
    return;
  }

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
