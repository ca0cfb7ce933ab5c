import type { Prisma } from "@prisma/client";
import prisma from "../db.server";
import type { CustomerRecord } from "../shopify/webhook-payloads";
import { upsertNewer, type RawDb } from "./sql.server";
import type { Origin } from "./order.server";

type Tx = Prisma.TransactionClient;

/** Stores customers, newest version wins; a deleted customer stays deleted. Returns GIDs written. */
export async function upsertCustomers(tx: RawDb, { shop, customers, origin }: { shop: string; customers: CustomerRecord[]; origin: Origin }) {
  const newest = new Map<string, CustomerRecord>();
  for (const c of customers) {
    const seen = newest.get(c.customerGid);
    if (!seen || seen.shopifyUpdatedAt <= c.shopifyUpdatedAt) newest.set(c.customerGid, c);
  }
  const written = await upsertNewer(
    tx,
    "Customer",
    [...newest.values()].map((c) => ({ shop, ...c, origin, updatedAt: new Date() })),
    { key: ["shop", "customerGid"], versionColumn: "shopifyUpdatedAt" },
  );
  return written.map((r) => r.customerGid);
}

/**
 * customers/delete: the record is kept as a tombstone without personal data, so a late
 * customers/update cannot bring it back (its deletedAt wins over any updated_at).
 */
export async function markCustomerDeleted(tx: Tx, { shop, customerGid, at }: { shop: string; customerGid: string; at: Date }) {
  await tx.$executeRaw`
    insert into "Customer" (shop, "customerGid", "shopifyUpdatedAt", "deletedAt", origin, tags, "updatedAt")
    values (${shop}, ${customerGid}, 'infinity'::timestamp, ${at}, 'WEBHOOK'::"RecordOrigin", '{}', now())
    on conflict (shop, "customerGid") do update set
      "deletedAt" = coalesce("Customer"."deletedAt", excluded."deletedAt"), "shopifyUpdatedAt" = 'infinity'::timestamp,
      email = null, phone = null, "firstName" = null, "lastName" = null, address1 = null, address2 = null,
      city = null, province = null, zip = null, note = null, "updatedAt" = now()`;
}

export function getCustomer({ shop, customerGid }: { shop: string; customerGid: string }) {
  return prisma.customer.findUnique({ where: { shop_customerGid: { shop, customerGid } } });
}
