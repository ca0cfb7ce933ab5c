import prisma from "../db.server";
import { formatAmountMinor } from "../domain/money";
import { requireShop } from "../models/shop.server";

/**
 * A Shopify customer's purchases across channels, from stored orders (cancelled orders excluded,
 * refunds subtracted). Unified profiles (#4) widen this from one customer record to the person.
 */
export async function getCustomerOrderSummary({ shop, customerGid }: { shop: string; customerGid: string }) {
  const record = await requireShop({ shop });
  const [byChannel, refunded, last] = await Promise.all([
    prisma.order.groupBy({ by: ["channel"], where: { shop, customerGid, cancelledAt: null }, _count: { _all: true }, _sum: { totalMinor: true } }),
    prisma.$queryRaw<Array<{ refunded: bigint | null }>>`
      select sum(r."amountMinor") as refunded from "Refund" r
      join "Order" o on o.shop = r.shop and o."orderGid" = r."orderGid"
      where o.shop = ${shop} and o."customerGid" = ${customerGid} and o."cancelledAt" is null`,
    prisma.order.findFirst({ where: { shop, customerGid }, orderBy: { shopifyCreatedAt: "desc" }, select: { shopifyCreatedAt: true } }),
  ]);
  const count = (c: "ONLINE" | "POS") => byChannel.find((r) => r.channel === c)?._count._all ?? 0;
  const gross = byChannel.reduce((sum, r) => sum + (r._sum.totalMinor ?? 0n), 0n);
  const net = gross - (refunded[0]?.refunded ?? 0n);
  return {
    orderCount: count("ONLINE") + count("POS"),
    onlineOrderCount: count("ONLINE"),
    posOrderCount: count("POS"),
    totalSpentMinor: net.toString(),
    currency: record.currency,
    totalSpent: `${formatAmountMinor(net, record.currency)} ${record.currency}`,
    lastOrderAt: last?.shopifyCreatedAt.toISOString() ?? null,
  };
}
