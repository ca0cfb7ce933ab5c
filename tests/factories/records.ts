/**
 * Stored-record factories (what the ingestion pipeline hands to storeOrders / the identity
 * resolver), for tests that start after ingestion.
 */
import type { CustomerRecord, OrderRecord } from "~/shopify/webhook-payloads";

let nextId = 1;

/** A paid POS order without a customer, one line; every field can be overridden. */
export function orderRecord(overrides: Partial<OrderRecord> = {}, options: { startsAt?: number; spacingMs?: number } = {}): OrderRecord {
  const id = nextId++;
  const at = new Date((options.startsAt ?? Date.UTC(2026, 0, 1)) + id * (options.spacingMs ?? 3_600_000));
  return {
    orderGid: `gid://shopify/Order/${id}`, name: `#${id}`, channel: "POS", sourceName: "pos", locationGid: "gid://shopify/Location/1", branchName: null,
    shopifyCreatedAt: at, processedAt: at, shopifyUpdatedAt: at, cancelledAt: null, cancelReason: null, financialStatus: "paid", currency: "SAR",
    subtotalMinor: 10000, discountsMinor: 0, shippingMinor: 0, taxMinor: 0, totalMinor: 10000, taxesIncluded: true, discountCodes: [], gateways: ["cash"],
    customerGid: null, email: null, phone: null, firstName: null, lastName: null, address1: null, address2: null, city: null, province: null, zip: null,
    countryCode: null, tags: [],
    lines: [{ lineGid: `gid://shopify/LineItem/${id}`, productGid: "gid://shopify/Product/1", variantGid: null, sku: "OUD-1", title: "Oud", variantTitle: null, quantity: 1, priceMinor: 10000, discountMinor: 0, giftCard: false }],
    ...overrides,
  };
}

export function customerRecord(overrides: Partial<CustomerRecord> & { customerGid: string }): CustomerRecord {
  return {
    email: null, phone: null, firstName: null, lastName: null, address1: null, address2: null, city: null, province: null, zip: null, countryCode: null,
    tags: [], state: "enabled", note: null, shopifyCreatedAt: new Date("2026-01-01T00:00:00Z"), shopifyUpdatedAt: new Date("2026-01-01T00:00:00Z"),
    ...overrides,
  };
}
