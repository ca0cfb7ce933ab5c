/**
 * Webhook payloads as Shopify sends them (API 2026-10, REST-shaped JSON), parsed with zod at the
 * edge and turned into Wafa's records. Only what Wafa keeps is required; everything else may be
 * absent or null without failing the parse. Money becomes minor units of the order's currency.
 */
import { z } from "zod";
import { parseAmountMinor } from "../domain/money";

const id = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String);
const str = z.string().nullish().transform((v) => (v === "" || v == null ? null : v));
const money = z.union([z.string(), z.number()]).transform(String);
const isoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "must be an ISO date").transform((v) => new Date(v));

const address = z
  .object({
    first_name: str,
    last_name: str,
    address1: str,
    address2: str,
    city: str,
    province: str,
    zip: str,
    country_code: str,
    phone: str,
  })
  .partial()
  .nullish();

const customerRef = z
  .object({
    id,
    admin_graphql_api_id: str,
    email: str,
    phone: str,
    first_name: str,
    last_name: str,
    default_address: address,
  })
  .partial({ admin_graphql_api_id: true, email: true, phone: true, first_name: true, last_name: true, default_address: true })
  .nullish();

const moneySet = z.object({ shop_money: z.object({ amount: money, currency_code: z.string() }) }).partial().nullish();

const lineItem = z.object({
  id,
  admin_graphql_api_id: str,
  product_id: id.nullish(),
  variant_id: id.nullish(),
  sku: str,
  title: z.string().default(""),
  variant_title: str,
  quantity: z.number().int(),
  price: money,
  total_discount: money.nullish(),
  discount_allocations: z.array(z.object({ amount: money })).nullish(),
  gift_card: z.boolean().nullish(),
});

const refundLineItem = z.object({
  id,
  line_item_id: id,
  quantity: z.number().int(),
  subtotal: money.nullish(),
  subtotal_set: moneySet,
});

export const refundPayload = z.object({
  id,
  admin_graphql_api_id: str,
  order_id: id,
  created_at: isoDate,
  refund_line_items: z.array(refundLineItem).default([]),
  transactions: z.array(z.object({ amount: money, kind: z.string().nullish(), status: z.string().nullish() })).default([]),
});

export const orderPayload = z.object({
  id,
  admin_graphql_api_id: str,
  name: str,
  created_at: isoDate,
  updated_at: isoDate,
  processed_at: isoDate.nullish(),
  cancelled_at: isoDate.nullish(),
  cancel_reason: str,
  financial_status: str,
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code"),
  subtotal_price: money,
  total_discounts: money.nullish(),
  total_tax: money.nullish(),
  total_price: money,
  total_shipping_price_set: moneySet,
  taxes_included: z.boolean().nullish(),
  source_name: str,
  location_id: id.nullish(),
  email: str,
  contact_email: str,
  phone: str,
  customer: customerRef,
  billing_address: address,
  shipping_address: address,
  line_items: z.array(lineItem).default([]),
  discount_codes: z.array(z.object({ code: z.string() })).nullish(),
  payment_gateway_names: z.array(z.string()).nullish(),
  tags: z.union([z.string(), z.array(z.string())]).nullish(),
  refunds: z.array(refundPayload).nullish(),
});

export const customerPayload = z.object({
  id,
  admin_graphql_api_id: str,
  email: str,
  phone: str,
  first_name: str,
  last_name: str,
  created_at: isoDate.nullish(),
  updated_at: isoDate,
  state: str,
  note: str,
  tags: z.union([z.string(), z.array(z.string())]).nullish(),
  default_address: address,
});

export const customerDeletePayload = z.object({ id, admin_graphql_api_id: str });

export type OrderPayload = z.infer<typeof orderPayload>;
export type RefundPayload = z.infer<typeof refundPayload>;
export type CustomerPayload = z.infer<typeof customerPayload>;

export const toGid = (type: string, numericId: string | null | undefined) => (numericId ? `gid://shopify/${type}/${numericId}` : null);

const toTags = (tags: string | string[] | null | undefined) =>
  (Array.isArray(tags) ? tags : (tags ?? "").split(",")).map((t) => t.trim()).filter(Boolean);

/** Amounts Shopify writes with more decimals than the currency has are rounded half-even. */
const minor = (amount: string | null | undefined, currency: string) =>
  amount == null ? 0 : parseAmountMinor(amount, currency, { rounding: "HALF_EVEN", allowNegative: true });

export interface OrderRecord {
  orderGid: string;
  name: string | null;
  channel: "ONLINE" | "POS";
  sourceName: string | null;
  locationGid: string | null;
  branchName: string | null;
  shopifyCreatedAt: Date;
  processedAt: Date | null;
  shopifyUpdatedAt: Date;
  cancelledAt: Date | null;
  cancelReason: string | null;
  financialStatus: string | null;
  currency: string;
  subtotalMinor: number;
  discountsMinor: number;
  shippingMinor: number;
  taxMinor: number;
  totalMinor: number;
  taxesIncluded: boolean;
  discountCodes: string[];
  gateways: string[];
  customerGid: string | null;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  province: string | null;
  zip: string | null;
  countryCode: string | null;
  tags: string[];
  lines: Array<{
    lineGid: string;
    productGid: string | null;
    variantGid: string | null;
    sku: string | null;
    title: string;
    variantTitle: string | null;
    quantity: number;
    priceMinor: number;
    discountMinor: number;
    /** A gift card sold on the order: money changing form, not a purchase, so it earns no points. */
    giftCard: boolean;
  }>;
}

/** Online or POS: Shopify POS writes source_name "pos" on the orders it creates. */
export function toChannel(sourceName: string | null | undefined): "ONLINE" | "POS" {
  return sourceName === "pos" ? "POS" : "ONLINE";
}

export function toOrderRecord(order: OrderPayload): OrderRecord {
  const currency = order.currency;
  const contact = order.billing_address ?? order.shipping_address ?? order.customer?.default_address ?? null;
  const place = order.shipping_address ?? order.billing_address ?? order.customer?.default_address ?? null;
  return {
    orderGid: order.admin_graphql_api_id ?? toGid("Order", order.id)!,
    name: order.name,
    channel: toChannel(order.source_name),
    sourceName: order.source_name,
    locationGid: toGid("Location", order.location_id ?? null),
    branchName: null,
    shopifyCreatedAt: order.created_at,
    processedAt: order.processed_at ?? null,
    shopifyUpdatedAt: order.updated_at,
    cancelledAt: order.cancelled_at ?? null,
    cancelReason: order.cancel_reason,
    financialStatus: order.financial_status,
    currency,
    subtotalMinor: minor(order.subtotal_price, currency),
    discountsMinor: minor(order.total_discounts, currency),
    shippingMinor: minor(order.total_shipping_price_set?.shop_money?.amount, currency),
    taxMinor: minor(order.total_tax, currency),
    totalMinor: minor(order.total_price, currency),
    taxesIncluded: order.taxes_included ?? false,
    discountCodes: (order.discount_codes ?? []).map((d) => d.code),
    gateways: order.payment_gateway_names ?? [],
    customerGid: order.customer ? (order.customer.admin_graphql_api_id ?? toGid("Customer", order.customer.id)) : null,
    email: order.email ?? order.contact_email ?? order.customer?.email ?? null,
    phone: order.phone ?? contact?.phone ?? order.customer?.phone ?? null,
    firstName: contact?.first_name ?? order.customer?.first_name ?? null,
    lastName: contact?.last_name ?? order.customer?.last_name ?? null,
    address1: place?.address1 ?? null,
    address2: place?.address2 ?? null,
    city: place?.city ?? null,
    province: place?.province ?? null,
    zip: place?.zip ?? null,
    countryCode: place?.country_code ?? null,
    tags: toTags(order.tags),
    lines: order.line_items.map((line) => ({
      lineGid: line.admin_graphql_api_id ?? toGid("LineItem", line.id)!,
      productGid: toGid("Product", line.product_id ?? null),
      variantGid: toGid("ProductVariant", line.variant_id ?? null),
      sku: line.sku,
      title: line.title,
      variantTitle: line.variant_title,
      quantity: line.quantity,
      priceMinor: minor(line.price, currency),
      discountMinor: line.discount_allocations?.length
        ? line.discount_allocations.reduce((sum, d) => sum + minor(d.amount, currency), 0)
        : minor(line.total_discount, currency),
      giftCard: line.gift_card ?? false,
    })),
  };
}

export interface RefundRecord {
  refundGid: string;
  orderGid: string;
  shopifyCreatedAt: Date;
  amountMinor: number;
  linesSubtotalMinor: number;
  currency: string;
  lines: Array<{ lineGid: string; orderLineGid: string; quantity: number; subtotalMinor: number }>;
}

export function toRefundRecord(refund: RefundPayload, fallbackCurrency: string): RefundRecord {
  const currency =
    refund.refund_line_items.find((l) => l.subtotal_set?.shop_money?.currency_code)?.subtotal_set?.shop_money?.currency_code ?? fallbackCurrency;
  const lines = refund.refund_line_items.map((line) => ({
    lineGid: toGid("RefundLineItem", line.id)!,
    orderLineGid: toGid("LineItem", line.line_item_id)!,
    quantity: line.quantity,
    subtotalMinor: minor(line.subtotal ?? line.subtotal_set?.shop_money?.amount, currency),
  }));
  return {
    refundGid: refund.admin_graphql_api_id ?? toGid("Refund", refund.id)!,
    orderGid: toGid("Order", refund.order_id)!,
    shopifyCreatedAt: refund.created_at,
    amountMinor: refund.transactions
      .filter((t) => (t.kind ?? "refund") === "refund" && (t.status == null || t.status === "success"))
      .reduce((sum, t) => sum + minor(t.amount, currency), 0),
    linesSubtotalMinor: lines.reduce((sum, l) => sum + l.subtotalMinor, 0),
    currency,
    lines,
  };
}

export interface CustomerRecord {
  customerGid: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  province: string | null;
  zip: string | null;
  countryCode: string | null;
  tags: string[];
  state: string | null;
  note: string | null;
  shopifyCreatedAt: Date | null;
  shopifyUpdatedAt: Date;
}

export function toCustomerRecord(customer: CustomerPayload): CustomerRecord {
  const a = customer.default_address;
  return {
    customerGid: customer.admin_graphql_api_id ?? toGid("Customer", customer.id)!,
    email: customer.email,
    phone: customer.phone ?? a?.phone ?? null,
    firstName: customer.first_name ?? a?.first_name ?? null,
    lastName: customer.last_name ?? a?.last_name ?? null,
    address1: a?.address1 ?? null,
    address2: a?.address2 ?? null,
    city: a?.city ?? null,
    province: a?.province ?? null,
    zip: a?.zip ?? null,
    countryCode: a?.country_code ?? null,
    tags: toTags(customer.tags),
    state: customer.state,
    note: customer.note,
    shopifyCreatedAt: customer.created_at ?? null,
    shopifyUpdatedAt: customer.updated_at,
  };
}
