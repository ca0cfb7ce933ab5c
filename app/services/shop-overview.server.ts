import prisma from "../db.server";
import { requireShop } from "../models/shop.server";

/** The numbers on the admin home page, counted from the shop's stored data. */
export async function getShopOverview({ shop }: { shop: string }) {
  const record = await requireShop({ shop });
  const [customerCount, channelCounts, lastReceipt] = await Promise.all([
    prisma.customer.count({ where: { shop, deletedAt: null } }),
    prisma.order.groupBy({ by: ["channel"], where: { shop }, _count: { _all: true } }),
    prisma.webhookReceipt.findFirst({ where: { shop }, orderBy: { receivedAt: "desc" }, select: { receivedAt: true } }),
  ]);
  const count = (channel: "ONLINE" | "POS") => channelCounts.find((c) => c.channel === channel)?._count._all ?? 0;
  return {
    name: record.name ?? shop,
    currency: record.currency,
    countryCode: record.countryCode,
    timezone: record.timezone,
    installedAt: record.installedAt?.toISOString() ?? null,
    customerCount,
    orderCount: count("ONLINE") + count("POS"),
    onlineOrderCount: count("ONLINE"),
    posOrderCount: count("POS"),
    lastEventAt: lastReceipt?.receivedAt.toISOString() ?? null,
  };
}
