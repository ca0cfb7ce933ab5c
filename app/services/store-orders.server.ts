/**
 * The one path every order takes into Wafa — webhook, backfill or CSV import: store it (newest
 * version wins), store its refunds, and enqueue the `order-stored` step for each order whose row
 * changed, in one transaction. Downstream steps (profiles, points) hang off `order-stored`.
 */
import type pg from "pg";
import { withPgTransaction } from "../db.server";
import type { Origin } from "../models/order.server";
import { upsertCustomers } from "../models/customer.server";
import type { RawDb } from "../models/sql.server";
import { DEFAULT_MAX_ATTEMPTS } from "../jobs/queue.server";
import { insertRefundsWithClient, storeOrdersByCopy, type EncodedOrders } from "../models/copy-store.server";
import type { CustomerRecord, OrderRecord, RefundRecord } from "../shopify/webhook-payloads";

const ORDER_STORED_CHUNK = 500;

function orderStoredChunks(shop: string, gids: string[]) {
  const sorted = [...gids].sort();
  const chunks: Array<Record<string, unknown>> = [];
  for (let i = 0; i < sorted.length; i += ORDER_STORED_CHUNK) chunks.push({ shop, orderGids: sorted.slice(i, i + ORDER_STORED_CHUNK) });
  return chunks;
}

/**
 * The step itself, on a pg client whose transaction the caller holds: orders by COPY (straight in,
 * or merged through staging tables with the newest-wins rule when some are stored already),
 * refunds once each, and the order-stored jobs (one per 500 changed orders) in that transaction.
 * Webhook batches, backfills and CSV imports all come through here.
 */
export async function storeOrdersWithClient(
  client: pg.PoolClient,
  { shop, orders, refunds = [], origin }: { shop: string; orders: OrderRecord[] | EncodedOrders; refunds?: RefundRecord[]; origin: Origin },
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

/** Stores orders and refunds in a transaction of their own, as every path does (storeOrdersWithClient). */
export function storeOrders(input: { shop: string; orders: OrderRecord[]; refunds?: RefundRecord[]; origin: Origin }) {
  return withPgTransaction((client) => storeOrdersWithClient(client, input));
}

export async function storeCustomersInTransaction(tx: RawDb, input: { shop: string; customers: CustomerRecord[]; origin: Origin }) {
  return upsertCustomers(tx, input);
}
