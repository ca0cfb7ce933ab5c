/**
 * Pure mapping from bulk operation JSONL (Admin GraphQL shapes, groupObjects: false) to Wafa's
 * records — the same OrderRecord/RefundRecord/CustomerRecord the webhooks produce, so every path
 * stores the same thing. No I/O here: unit-tested with exact values.
 */
import { z } from "zod";
import { parseAmountMinor } from "../domain/money";
import { toChannel, type CustomerRecord, type OrderRecord, type RefundRecord } from "./webhook-payloads";

/** The fields of a Refund read with `nodes(ids:)`, matching refundDetail below. */
export const BULK_REFUND_FIELDS =
  "id createdAt order { id } totalRefundedSet { shopMoney { amount currencyCode } } refundLineItems(first: 100) { nodes { id lineItem { id } quantity subtotalSet { shopMoney { amount currencyCode } } } }";

const str = z.string().nullish().transform((v) => (v === "" || v == null ? null : v));
const date = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "must be an ISO date").transform((v) => new Date(v));
const ref = z.object({ id: z.string() }).nullish();
const moneyBag = z.object({ shopMoney: z.object({ amount: z.string(), currencyCode: z.string() }) }).nullish();
const address = z
  .object({ firstName: str, lastName: str, address1: str, address2: str, city: str, province: str, zip: str, countryCodeV2: str, phone: str })
  .partial()
  .nullish();

export const bulkCustomer = z.object({
  id: z.string(),
  firstName: str,
  lastName: str,
  state: str,
  note: str,
  tags: z.array(z.string()).nullish(),
  createdAt: date.nullish(),
  updatedAt: date,
  defaultEmailAddress: z.object({ emailAddress: str }).nullish(),
  defaultPhoneNumber: z.object({ phoneNumber: str }).nullish(),
  defaultAddress: address,
});

const inlineRefund = z.object({ id: z.string(), createdAt: date.nullish(), totalRefundedSet: moneyBag });

export const bulkOrder = z.object({
  id: z.string(),
  name: str,
  createdAt: date,
  updatedAt: date,
  processedAt: date.nullish(),
  cancelledAt: date.nullish(),
  cancelReason: str,
  displayFinancialStatus: str,
  currencyCode: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code"),
  sourceName: str,
  retailLocation: ref,
  email: str,
  phone: str,
  taxesIncluded: z.boolean().nullish(),
  customer: ref,
  billingAddress: address,
  shippingAddress: address,
  subtotalPriceSet: moneyBag,
  totalDiscountsSet: moneyBag,
  totalShippingPriceSet: moneyBag,
  totalTaxSet: moneyBag,
  totalPriceSet: moneyBag,
  discountCodes: z.array(z.string()).nullish(),
  paymentGatewayNames: z.array(z.string()).nullish(),
  tags: z.array(z.string()).nullish(),
  refunds: z.array(inlineRefund).nullish(),
});

export const bulkLineItem = z.object({
  id: z.string(),
  sku: str,
  title: z.string().nullish().transform((v) => v ?? ""),
  variantTitle: str,
  quantity: z.number().int(),
  originalUnitPriceSet: moneyBag,
  discountAllocations: z.array(z.object({ allocatedAmountSet: moneyBag })).nullish(),
  product: ref,
  variant: ref,
  isGiftCard: z.boolean().nullish(),
  __parentId: z.string(),
});

export const refundDetail = z.object({
  id: z.string(),
  createdAt: date.nullish(),
  order: z.object({ id: z.string() }),
  totalRefundedSet: moneyBag,
  refundLineItems: z.object({
    nodes: z.array(z.object({ id: str, lineItem: z.object({ id: z.string() }), quantity: z.number().int(), subtotalSet: moneyBag })),
  }),
});

export type BulkOrder = z.infer<typeof bulkOrder>;
export type BulkLineItem = z.infer<typeof bulkLineItem>;

// ---------------------------------------------------------------------------------------------
// The same reading without zod for lines of exactly the shapes the schemas accept. A backfill
// reads millions of lines and zod's generic walk (with a copy of every nested object) was
// measured at a fifth of the worker's CPU. Each reader returns what the schema's parse returns,
// or NOT_PLAIN at the first value it does not recognise: the schema then decides (and words the
// error), so the fast path never accepts or rejects anything the schema would not.

const NOT_PLAIN = Symbol("not plain");
type Read<T> = T | typeof NOT_PLAIN;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function readStr(v: unknown): Read<string | null> {
  if (v === undefined || v === null || v === "") return null;
  return typeof v === "string" ? v : NOT_PLAIN;
}
function readDate(v: unknown): Read<Date> {
  if (typeof v !== "string") return NOT_PLAIN;
  const time = Date.parse(v); // parsed once (an import reads four dates per order)
  return Number.isNaN(time) ? NOT_PLAIN : new Date(time);
}
function readOptionalDate(v: unknown): Read<Date | null | undefined> {
  return v === undefined || v === null ? v : readDate(v);
}
function readRef(v: unknown): Read<{ id: string } | null | undefined> {
  if (v === undefined || v === null) return v;
  return isObject(v) && typeof v.id === "string" ? { id: v.id } : NOT_PLAIN;
}
function readMoney(v: unknown): Read<z.infer<typeof moneyBag>> {
  if (v === undefined || v === null) return v;
  if (!isObject(v) || !isObject(v.shopMoney)) return NOT_PLAIN;
  const { amount, currencyCode } = v.shopMoney;
  return typeof amount === "string" && typeof currencyCode === "string" ? { shopMoney: { amount, currencyCode } } : NOT_PLAIN;
}
function readStrings(v: unknown): Read<string[] | null | undefined> {
  if (v === undefined || v === null) return v;
  if (!Array.isArray(v)) return NOT_PLAIN;
  for (const item of v) if (typeof item !== "string") return NOT_PLAIN;
  return v as string[];
}
const ADDRESS_KEYS = ["firstName", "lastName", "address1", "address2", "city", "province", "zip", "countryCodeV2", "phone"] as const;
function readAddress(v: unknown): Read<z.infer<typeof address>> {
  if (v === undefined || v === null) return v;
  if (!isObject(v)) return NOT_PLAIN;
  const out: Record<string, string | null> = {};
  for (const key of ADDRESS_KEYS) {
    // .partial(): a key that is absent stays absent.
    if (!(key in v) || v[key] === undefined) continue;
    const value = readStr(v[key]);
    if (value === NOT_PLAIN) return NOT_PLAIN;
    out[key] = value;
  }
  return out;
}

const CURRENCY = /^[A-Z]{3}$/;

/** What bulkOrder.parse returns for `v`, or NOT_PLAIN. Exported for the test that holds it to that. */
export function readBulkOrderFast(v: unknown): Read<BulkOrder> {
  if (!isObject(v) || typeof v.id !== "string") return NOT_PLAIN;
  if (typeof v.currencyCode !== "string" || !CURRENCY.test(v.currencyCode)) return NOT_PLAIN;
  if (v.taxesIncluded !== undefined && v.taxesIncluded !== null && typeof v.taxesIncluded !== "boolean") return NOT_PLAIN;
  let refunds: BulkOrder["refunds"] = v.refunds as null | undefined;
  if (v.refunds !== undefined && v.refunds !== null) {
    if (!Array.isArray(v.refunds)) return NOT_PLAIN;
    refunds = [];
    for (const r of v.refunds) {
      if (!isObject(r) || typeof r.id !== "string") return NOT_PLAIN;
      const createdAt = readOptionalDate(r.createdAt);
      const totalRefundedSet = readMoney(r.totalRefundedSet);
      if (createdAt === NOT_PLAIN || totalRefundedSet === NOT_PLAIN) return NOT_PLAIN;
      refunds.push({ id: r.id, createdAt, totalRefundedSet });
    }
  }
  const order = {
    id: v.id,
    name: readStr(v.name),
    createdAt: readDate(v.createdAt),
    updatedAt: readDate(v.updatedAt),
    processedAt: readOptionalDate(v.processedAt),
    cancelledAt: readOptionalDate(v.cancelledAt),
    cancelReason: readStr(v.cancelReason),
    displayFinancialStatus: readStr(v.displayFinancialStatus),
    currencyCode: v.currencyCode,
    sourceName: readStr(v.sourceName),
    retailLocation: readRef(v.retailLocation),
    email: readStr(v.email),
    phone: readStr(v.phone),
    taxesIncluded: v.taxesIncluded as boolean | null | undefined,
    customer: readRef(v.customer),
    billingAddress: readAddress(v.billingAddress),
    shippingAddress: readAddress(v.shippingAddress),
    subtotalPriceSet: readMoney(v.subtotalPriceSet),
    totalDiscountsSet: readMoney(v.totalDiscountsSet),
    totalShippingPriceSet: readMoney(v.totalShippingPriceSet),
    totalTaxSet: readMoney(v.totalTaxSet),
    totalPriceSet: readMoney(v.totalPriceSet),
    discountCodes: readStrings(v.discountCodes),
    paymentGatewayNames: readStrings(v.paymentGatewayNames),
    tags: readStrings(v.tags),
    refunds,
  };
  for (const key in order) if (order[key as keyof typeof order] === NOT_PLAIN) return NOT_PLAIN;
  return order as BulkOrder;
}

/** What bulkLineItem.parse returns for `v`, or NOT_PLAIN. */
export function readBulkLineItemFast(v: unknown): Read<BulkLineItem> {
  if (!isObject(v) || typeof v.id !== "string" || typeof v.__parentId !== "string") return NOT_PLAIN;
  if (typeof v.quantity !== "number" || !Number.isSafeInteger(v.quantity)) return NOT_PLAIN;
  if (v.title !== undefined && v.title !== null && typeof v.title !== "string") return NOT_PLAIN;
  if (v.isGiftCard !== undefined && v.isGiftCard !== null && typeof v.isGiftCard !== "boolean") return NOT_PLAIN;
  let discountAllocations: BulkLineItem["discountAllocations"] = v.discountAllocations as null | undefined;
  if (v.discountAllocations !== undefined && v.discountAllocations !== null) {
    if (!Array.isArray(v.discountAllocations)) return NOT_PLAIN;
    discountAllocations = [];
    for (const d of v.discountAllocations) {
      const allocatedAmountSet = isObject(d) ? readMoney(d.allocatedAmountSet) : NOT_PLAIN;
      if (allocatedAmountSet === NOT_PLAIN) return NOT_PLAIN;
      discountAllocations.push({ allocatedAmountSet });
    }
  }
  const line = {
    id: v.id,
    sku: readStr(v.sku),
    title: (v.title as string | null | undefined) ?? "",
    variantTitle: readStr(v.variantTitle),
    quantity: v.quantity,
    originalUnitPriceSet: readMoney(v.originalUnitPriceSet),
    discountAllocations,
    product: readRef(v.product),
    variant: readRef(v.variant),
    isGiftCard: v.isGiftCard as boolean | null | undefined,
    __parentId: v.__parentId,
  };
  for (const key in line) if (line[key as keyof typeof line] === NOT_PLAIN) return NOT_PLAIN;
  return line as BulkLineItem;
}

function readBulkOrder(v: unknown): BulkOrder {
  const fast = readBulkOrderFast(v);
  return fast === NOT_PLAIN ? bulkOrder.parse(v) : fast;
}

function readBulkLineItem(v: unknown): BulkLineItem {
  const fast = readBulkLineItemFast(v);
  return fast === NOT_PLAIN ? bulkLineItem.parse(v) : fast;
}

const minor = (bag: z.infer<typeof moneyBag>, currency: string) =>
  bag?.shopMoney?.amount == null ? 0 : parseAmountMinor(bag.shopMoney.amount, currency, { rounding: "HALF_EVEN", allowNegative: true });

const lower = (v: string | null) => (v == null ? null : v.toLowerCase());

export function toCustomerRecordFromBulk(line: unknown): CustomerRecord {
  const c = bulkCustomer.parse(line);
  const a = c.defaultAddress;
  return {
    customerGid: c.id,
    email: c.defaultEmailAddress?.emailAddress ?? null,
    phone: c.defaultPhoneNumber?.phoneNumber ?? a?.phone ?? null,
    firstName: c.firstName ?? a?.firstName ?? null,
    lastName: c.lastName ?? a?.lastName ?? null,
    address1: a?.address1 ?? null,
    address2: a?.address2 ?? null,
    city: a?.city ?? null,
    province: a?.province ?? null,
    zip: a?.zip ?? null,
    countryCode: a?.countryCodeV2 ?? null,
    tags: c.tags ?? [],
    state: lower(c.state),
    note: c.note,
    shopifyCreatedAt: c.createdAt ?? null,
    shopifyUpdatedAt: c.updatedAt,
  };
}

/**
 * An order's line plus its lineItems lines. Values follow the webhook mapping: shop money,
 * lower-case statuses as the REST payloads write them, contact from billing then shipping.
 */
export function toOrderRecordFromBulk(orderLine: unknown, lineItemLines: unknown[]): { order: OrderRecord; refundGids: string[] } {
  const o = readBulkOrder(orderLine);
  const currency = o.currencyCode;
  const contact = o.billingAddress ?? o.shippingAddress ?? null;
  const place = o.shippingAddress ?? o.billingAddress ?? null;
  const order: OrderRecord = {
    orderGid: o.id,
    name: o.name,
    channel: toChannel(o.sourceName),
    sourceName: o.sourceName,
    locationGid: o.retailLocation?.id ?? null,
    branchName: null,
    shopifyCreatedAt: o.createdAt,
    processedAt: o.processedAt ?? null,
    shopifyUpdatedAt: o.updatedAt,
    cancelledAt: o.cancelledAt ?? null,
    cancelReason: lower(o.cancelReason),
    financialStatus: lower(o.displayFinancialStatus),
    currency,
    subtotalMinor: minor(o.subtotalPriceSet, currency),
    discountsMinor: minor(o.totalDiscountsSet, currency),
    shippingMinor: minor(o.totalShippingPriceSet, currency),
    taxMinor: minor(o.totalTaxSet, currency),
    totalMinor: minor(o.totalPriceSet, currency),
    taxesIncluded: o.taxesIncluded ?? false,
    discountCodes: o.discountCodes ?? [],
    gateways: o.paymentGatewayNames ?? [],
    customerGid: o.customer?.id ?? null,
    email: o.email,
    phone: o.phone ?? contact?.phone ?? null,
    firstName: contact?.firstName ?? null,
    lastName: contact?.lastName ?? null,
    address1: place?.address1 ?? null,
    address2: place?.address2 ?? null,
    city: place?.city ?? null,
    province: place?.province ?? null,
    zip: place?.zip ?? null,
    countryCode: place?.countryCodeV2 ?? null,
    tags: o.tags ?? [],
    lines: lineItemLines.map((raw) => {
      const line = readBulkLineItem(raw);
      return {
        lineGid: line.id,
        productGid: line.product?.id ?? null,
        variantGid: line.variant?.id ?? null,
        sku: line.sku,
        title: line.title,
        variantTitle: line.variantTitle,
        quantity: line.quantity,
        priceMinor: minor(line.originalUnitPriceSet, currency),
        discountMinor: (line.discountAllocations ?? []).reduce((sum, d) => sum + minor(d.allocatedAmountSet, currency), 0),
        giftCard: line.isGiftCard ?? false,
      };
    }),
  };
  return { order, refundGids: (o.refunds ?? []).map((r) => r.id) };
}

/** A refund read with `nodes(ids:)`: the money returned and the refunded lines' subtotal. */
export function toRefundRecordFromGraphql(raw: unknown, fallbackCurrency: string): RefundRecord {
  const r = refundDetail.parse(raw);
  const currency = r.totalRefundedSet?.shopMoney.currencyCode ?? fallbackCurrency;
  const lines = r.refundLineItems.nodes.map((l) => ({
    lineGid: l.id ?? `${r.id.replace("/Refund/", "/RefundLineItem/")}-${l.lineItem.id.split("/").pop()}`,
    orderLineGid: l.lineItem.id,
    quantity: l.quantity,
    subtotalMinor: minor(l.subtotalSet, currency),
  }));
  return {
    refundGid: r.id,
    orderGid: r.order.id,
    shopifyCreatedAt: r.createdAt ?? new Date(0),
    amountMinor: minor(r.totalRefundedSet, currency),
    linesSubtotalMinor: lines.reduce((sum, l) => sum + l.subtotalMinor, 0),
    currency,
    lines,
  };
}

export class BulkFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BulkFormatError";
  }
}

export interface AssembledObject {
  line: Record<string, unknown>;
  children: Array<Record<string, unknown>>;
}

/**
 * Regroups the flat JSONL into root objects with their children. Shopify writes each object's
 * children after it, before the next root object, so a root object is complete when the next
 * one starts (or the file ends): `push` returns the object the new line completed.
 */
export class BulkObjectAssembler {
  private current: AssembledObject | null = null;
  private ids = new Set<string>();

  push(line: Record<string, unknown>): AssembledObject | null {
    const parentId = line.__parentId;
    if (typeof parentId === "string") {
      if (!this.current || !this.ids.has(parentId)) {
        throw new BulkFormatError(`A line names parent ${parentId}, which is not the object being read.`);
      }
      this.current.children.push(line);
      if (typeof line.id === "string") this.ids.add(line.id);
      return null;
    }
    const done = this.current;
    this.current = { line, children: [] };
    this.ids = new Set(typeof line.id === "string" ? [line.id] : []);
    return done;
  }

  finish(): AssembledObject | null {
    const done = this.current;
    this.current = null;
    this.ids = new Set();
    return done;
  }
}
