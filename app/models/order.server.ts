import { Prisma } from "@prisma/client";
import prisma from "../db.server";
import type { OrderRecord, RefundRecord } from "../shopify/webhook-payloads";
import { insertRows, upsertNewer } from "./sql.server";

type Tx = Prisma.TransactionClient;
export type Origin = "WEBHOOK" | "BACKFILL" | "IMPORT";

/**
 * Stores orders (newest version wins, compared on Shopify's updated_at) with their lines; lines
 * are replaced only for orders whose row was written. Returns the order GIDs written.
 */
export async function upsertOrders(tx: Tx, { shop, orders, origin }: { shop: string; orders: OrderRecord[]; origin: Origin }) {
  if (orders.length === 0) return [];
  // One row per order: with duplicates in a batch the newest must be the one offered.
  const newest = new Map<string, OrderRecord>();
  for (const o of orders) {
    const seen = newest.get(o.orderGid);
    if (!seen || seen.shopifyUpdatedAt <= o.shopifyUpdatedAt) newest.set(o.orderGid, o);
  }
  const batch = [...newest.values()];
  const written = await upsertNewer(
    tx,
    "Order",
    batch.map(({ lines: _lines, ...o }) => ({ shop, ...o, origin, updatedAt: new Date() })),
    { key: ["shop", "orderGid"], versionColumn: "shopifyUpdatedAt" },
  );
  const writtenGids = written.map((r) => r.orderGid);
  if (writtenGids.length === 0) return [];
  const writtenSet = new Set(writtenGids);
  await tx.$executeRaw`delete from "OrderLine" where shop = ${shop} and "orderGid" = any(${writtenGids}::text[])`;
  const lines = batch
    .filter((o) => writtenSet.has(o.orderGid))
    .flatMap((o) => o.lines.map((l) => ({ shop, orderGid: o.orderGid, ...l })));
  await insertRows(tx, "OrderLine", lines, { conflictDoNothing: true });
  return writtenGids;
}

/** Stores refunds once each (a refund never changes after it is created). Returns the refund GIDs that were new. */
export async function insertRefunds(tx: Tx, { shop, refunds, origin }: { shop: string; refunds: RefundRecord[]; origin: Origin }) {
  if (refunds.length === 0) return [];
  const inserted = await upsertNewer(
    tx,
    "Refund",
    refunds.map(({ lines: _lines, ...r }) => ({ shop, ...r, origin })),
    { key: ["shop", "refundGid"], doNothing: true },
  );
  const insertedSet = new Set(inserted.map((r) => r.refundGid));
  const lines = refunds
    .filter((r) => insertedSet.has(r.refundGid))
    .flatMap((r) => r.lines.map((l) => ({ shop, refundGid: r.refundGid, ...l })));
  await insertRows(tx, "RefundLine", lines, { conflictDoNothing: true });
  return [...insertedSet];
}

export async function getOrder({ shop, orderGid }: { shop: string; orderGid: string }) {
  const order = await prisma.order.findUnique({ where: { shop_orderGid: { shop, orderGid } } });
  if (!order) return null;
  return { ...order, lines: await prisma.orderLine.findMany({ where: { shop, orderGid }, orderBy: { lineGid: "asc" } }) };
}

/** A shop's orders with their lines, by order id (for checks and exports of small shops). */
export async function listOrdersWithLines({ shop }: { shop: string }) {
  const orders = await prisma.order.findMany({ where: { shop }, orderBy: { orderGid: "asc" } });
  const lines = await prisma.orderLine.findMany({ where: { shop }, orderBy: [{ orderGid: "asc" }, { lineGid: "asc" }] });
  const byOrder = new Map<string, typeof lines>();
  for (const l of lines) byOrder.set(l.orderGid, [...(byOrder.get(l.orderGid) ?? []), l]);
  return orders.map((o) => ({ ...o, lines: byOrder.get(o.orderGid) ?? [] }));
}

export function countOrders({ shop }: { shop: string }) {
  return prisma.order.count({ where: { shop } });
}
