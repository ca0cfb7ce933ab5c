/**
 * Processes one accepted webhook receipt. Idempotent: the receipt is marked processed in the same
 * transaction as its effects, and every effect is itself an upsert or insert-if-absent, so a job
 * that runs twice (a worker killed after commit, before acknowledging) changes nothing the second time.
 */
import prisma from "../db.server";
import { markReceiptProcessed, requireReceiptById } from "../models/webhook-receipt.server";
import { markShopUninstalled, updateShopScopes } from "../models/shop.server";
import { markCustomerDeleted } from "../models/customer.server";
import { storeCustomersInTransaction, storeOrdersInTransaction } from "./store-orders.server";
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
import { getShop } from "../models/shop.server";

export async function processWebhookReceipt(receiptId: bigint): Promise<void> {
  const receipt = await requireReceiptById(receiptId);
  if (receipt.processedAt || receipt.status !== "ACCEPTED") return;
  const { shop, topic } = receipt;
  const payload = receipt.payload as unknown;

  switch (topic) {
    case "orders/create":
    case "orders/updated":
    case "orders/cancelled": {
      const order = orderPayload.parse(payload);
      const record = toOrderRecord(order);
      const refunds = (order.refunds ?? []).map((r) => toRefundRecord(r, record.currency));
      await prisma.$transaction(async (tx) => {
        await storeOrdersInTransaction(tx, { shop, orders: [record], refunds, origin: "WEBHOOK" });
        await markReceiptProcessed(tx, receiptId);
      });
      return;
    }
    case "refunds/create": {
      const shopRecord = await getShop({ shop });
      const refund = toRefundRecord(refundPayload.parse(payload), shopRecord?.currency ?? "USD");
      await prisma.$transaction(async (tx) => {
        await storeOrdersInTransaction(tx, { shop, orders: [], refunds: [refund], origin: "WEBHOOK" });
        await markReceiptProcessed(tx, receiptId);
      });
      return;
    }
    case "customers/create":
    case "customers/update": {
      const record = toCustomerRecord(customerPayload.parse(payload));
      await prisma.$transaction(async (tx) => {
        await storeCustomersInTransaction(tx, { shop, customers: [record], origin: "WEBHOOK" });
        await markReceiptProcessed(tx, receiptId);
      });
      return;
    }
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
