/**
 * The one path every order takes into Wafa — webhook, backfill or CSV import: store it (newest
 * version wins), store its refunds, and enqueue the `order-stored` step for each order whose row
 * changed, in one transaction. Downstream steps (profiles, points) hang off `order-stored`.
 */
import type { Prisma } from "@prisma/client";
import type pg from "pg";
import prisma from "../db.server";
import { insertRefunds, upsertOrders, type Origin } from "../models/order.server";
import { upsertCustomers } from "../models/customer.server";
import type { RawDb } from "../models/sql.server";
import { DEFAULT_MAX_ATTEMPTS, enqueueJobs } from "../jobs/queue.server";
import { insertRefundsWithClient, storeOrdersByCopy } from "../models/copy-store.server";
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

function orderStoredChunks(shop: string, gids: string[]) {
  const sorted = [...gids].sort();
  const chunks: Array<Record<string, unknown>> = [];
  for (let i = 0; i < sorted.length; i += ORDER_STORED_CHUNK) chunks.push({ shop, orderGids: sorted.slice(i, i + ORDER_STORED_CHUNK) });
  return chunks;
}

/**
 * The same step for imports of many orders (CSV history, bulk backfills): COPY staging on a pg
 * client whose transaction the caller holds, and the order-stored jobs in that transaction.
 */
export async function storeOrdersWithClient(
  client: pg.PoolClient,
  { shop, orders, refunds = [], origin }: { shop: string; orders: OrderRecord[]; refunds?: RefundRecord[]; origin: Origin },
) {
  const writtenOrders = await storeOrdersByCopy(client, { shop, orders, origin });
  const newRefunds = await insertRefundsWithClient(client, { shop, refunds, origin });
  const touched = new Set(writtenOrders);
  const fresh = new Set(newRefunds);
  for (const r of refunds) if (fresh.has(r.refundGid)) touched.add(r.orderGid);
  const specs = orderStoredChunks(shop, [...touched]).map((payload) => ({ identifier: "order-stored", payload, max_attempts: DEFAULT_MAX_ATTEMPTS }));
  if (specs.length) {
    await client.query("select graphile_worker.add_jobs(array(select json_populate_recordset(null::graphile_worker.job_spec, $1::json)))", [JSON.stringify(specs)]);
  }
  return { writtenOrders, newRefunds };
}

export function storeOrders(input: { shop: string; orders: OrderRecord[]; refunds?: RefundRecord[]; origin: Origin }) {
  return prisma.$transaction((tx) => storeOrdersInTransaction(tx, input));
}

export async function storeCustomersInTransaction(tx: RawDb, input: { shop: string; customers: CustomerRecord[]; origin: Origin }) {
  return upsertCustomers(tx, input);
}
