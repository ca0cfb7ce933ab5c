import prisma from "../db.server";

export type Origin = "WEBHOOK" | "BACKFILL" | "IMPORT";

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
