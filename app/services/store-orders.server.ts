/**
 * The one path every order takes into Wafa — webhook, backfill or CSV import: store it (newest
 * version wins), store its refunds, and enqueue the `order-stored` step for each order whose row
 * changed, in one transaction. Downstream steps (profiles, points) hang off `order-stored`.
 */
import type { Prisma } from "@prisma/client";
import prisma from "../db.server";
import { insertRefunds, upsertOrders, type Origin } from "../models/order.server";
import { upsertCustomers } from "../models/customer.server";
import { enqueueJobs } from "../jobs/queue.server";
import type { CustomerRecord, OrderRecord, RefundRecord } from "../shopify/webhook-payloads";

type Tx = Prisma.TransactionClient;

const ORDER_STORED_CHUNK = 500;

export async function storeOrdersInTransaction(
  tx: Tx,
  { shop, orders, refunds = [], origin }: { shop: string; orders: OrderRecord[]; refunds?: RefundRecord[]; origin: Origin },
) {
  const writtenOrders = await upsertOrders(tx, { shop, orders, origin });
  const newRefunds = await insertRefunds(tx, { shop, refunds, origin });
  const touched = new Set(writtenOrders);
  for (const r of refunds) if (newRefunds.includes(r.refundGid)) touched.add(r.orderGid);
  // One job per 500 changed orders (not one per order): the downstream steps take a list.
  const gids = [...touched].sort();
  const chunks: Array<Record<string, unknown>> = [];
  for (let i = 0; i < gids.length; i += ORDER_STORED_CHUNK) chunks.push({ shop, orderGids: gids.slice(i, i + ORDER_STORED_CHUNK) });
  await enqueueJobs(tx, "order-stored", chunks);
  return { writtenOrders, newRefunds };
}

export function storeOrders(input: { shop: string; orders: OrderRecord[]; refunds?: RefundRecord[]; origin: Origin }) {
  return prisma.$transaction((tx) => storeOrdersInTransaction(tx, input));
}

export async function storeCustomersInTransaction(tx: Tx, input: { shop: string; customers: CustomerRecord[]; origin: Origin }) {
  return upsertCustomers(tx, input);
}
