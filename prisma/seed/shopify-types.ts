/**
 * The subset of Shopify's REST / webhook payload shapes (API 2026-10) that the demo generator
 * writes. Field names and string-typed amounts follow Shopify's JSON exactly.
 */

export interface ShopifyMoney {
  amount: string;
  currency_code: string;
}

export interface ShopifyMoneySet {
  shop_money: ShopifyMoney;
  presentment_money: ShopifyMoney;
}

export interface ShopifyAddress {
  first_name: string | null;
  last_name: string | null;
  name: string | null;
  company: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  province: string | null;
  province_code: string | null;
  country: string | null;
  country_code: string | null;
  zip: string | null;
  phone: string | null;
}

export interface ShopifyCustomerAddress extends ShopifyAddress {
  id: number;
  customer_id: number;
  country_name: string | null;
  default: boolean;
}

export interface ShopifyMarketingConsent {
  state: "subscribed" | "not_subscribed" | "unsubscribed";
  opt_in_level: "single_opt_in" | null;
  consent_updated_at: string | null;
}

export interface ShopifySmsMarketingConsent extends ShopifyMarketingConsent {
  consent_collected_from: "SHOPIFY" | "OTHER";
}

/** customers/create and customers/update payload. */
export interface ShopifyCustomer {
  id: number;
  admin_graphql_api_id: string;
  email: string | null;
  phone: string | null;
  first_name: string | null;
  last_name: string | null;
  created_at: string;
  updated_at: string;
  state: "disabled" | "invited" | "enabled" | "declined";
  note: string | null;
  verified_email: boolean;
  multipass_identifier: null;
  tax_exempt: boolean;
  tags: string;
  currency: string;
  tax_exemptions: string[];
  email_marketing_consent: ShopifyMarketingConsent | null;
  sms_marketing_consent: ShopifySmsMarketingConsent | null;
  addresses: ShopifyCustomerAddress[];
  default_address: ShopifyCustomerAddress | null;
}

/** The customer object embedded in an order payload. */
export type ShopifyOrderCustomer = Omit<ShopifyCustomer, "addresses">;

export interface ShopifyTaxLine {
  price: string;
  rate: number;
  title: string;
  price_set: ShopifyMoneySet;
  channel_liable: boolean;
}

export interface ShopifyDiscountAllocation {
  amount: string;
  amount_set: ShopifyMoneySet;
  discount_application_index: number;
}

export interface ShopifyLineItem {
  id: number;
  admin_graphql_api_id: string;
  product_id: number;
  variant_id: number;
  sku: string;
  title: string;
  variant_title: string | null;
  name: string;
  vendor: string;
  quantity: number;
  current_quantity: number;
  fulfillable_quantity: number;
  price: string;
  price_set: ShopifyMoneySet;
  total_discount: string;
  total_discount_set: ShopifyMoneySet;
  discount_allocations: ShopifyDiscountAllocation[];
  tax_lines: ShopifyTaxLine[];
  taxable: boolean;
  requires_shipping: boolean;
  gift_card: boolean;
  fulfillment_status: "fulfilled" | null;
}

export interface ShopifyShippingLine {
  id: number;
  title: string;
  code: string;
  source: string;
  price: string;
  price_set: ShopifyMoneySet;
  discounted_price: string;
  discounted_price_set: ShopifyMoneySet;
  discount_allocations: ShopifyDiscountAllocation[];
  tax_lines: ShopifyTaxLine[];
}

export interface ShopifyDiscountCode {
  code: string;
  amount: string;
  type: "percentage" | "fixed_amount";
}

export interface ShopifyDiscountApplication {
  type: "discount_code";
  code: string;
  title: string;
  description: string | null;
  value: string;
  value_type: "percentage" | "fixed_amount";
  allocation_method: "across";
  target_selection: "all";
  target_type: "line_item";
}

export interface ShopifyRefundLineItem {
  id: number;
  line_item_id: number;
  quantity: number;
  restock_type: "return" | "cancel" | "no_restock";
  location_id: number | null;
  subtotal: string;
  subtotal_set: ShopifyMoneySet;
  total_tax: string;
  total_tax_set: ShopifyMoneySet;
}

export interface ShopifyTransaction {
  id: number;
  admin_graphql_api_id: string;
  order_id: number;
  parent_id: null;
  kind: "refund";
  status: "success";
  gateway: string;
  amount: string;
  currency: string;
  created_at: string;
  processed_at: string;
  location_id: number | null;
}

export interface ShopifyOrderAdjustment {
  id: number;
  order_id: number;
  refund_id: number;
  amount: string;
  amount_set: ShopifyMoneySet;
  tax_amount: string;
  tax_amount_set: ShopifyMoneySet;
  kind: "shipping_refund";
  reason: string;
}

/** Also the refunds/create payload. */
export interface ShopifyRefund {
  id: number;
  admin_graphql_api_id: string;
  order_id: number;
  created_at: string;
  processed_at: string;
  note: string | null;
  restock: boolean;
  user_id: number | null;
  refund_line_items: ShopifyRefundLineItem[];
  transactions: ShopifyTransaction[];
  order_adjustments: ShopifyOrderAdjustment[];
}

export interface ShopifyNoteAttribute {
  name: string;
  value: string;
}

/** orders/create (and orders/updated) payload. */
export interface ShopifyOrder {
  id: number;
  admin_graphql_api_id: string;
  name: string;
  number: number;
  order_number: number;
  email: string | null;
  contact_email: string | null;
  phone: string | null;
  created_at: string;
  updated_at: string;
  processed_at: string;
  closed_at: string | null;
  cancelled_at: string | null;
  cancel_reason: "customer" | "inventory" | "declined" | "fraud" | "other" | null;
  test: boolean;
  confirmed: boolean;
  currency: string;
  presentment_currency: string;
  taxes_included: boolean;
  tax_exempt: boolean;
  financial_status: "paid" | "partially_refunded" | "refunded";
  fulfillment_status: "fulfilled" | null;
  source_name: "web" | "pos";
  location_id: number | null;
  user_id: number | null;
  device_id: number | null;
  customer_locale: string;
  buyer_accepts_marketing: boolean;
  total_line_items_price: string;
  total_line_items_price_set: ShopifyMoneySet;
  total_discounts: string;
  total_discounts_set: ShopifyMoneySet;
  subtotal_price: string;
  subtotal_price_set: ShopifyMoneySet;
  total_shipping_price_set: ShopifyMoneySet;
  total_tax: string;
  total_tax_set: ShopifyMoneySet;
  total_price: string;
  total_price_set: ShopifyMoneySet;
  total_outstanding: string;
  current_subtotal_price: string;
  current_subtotal_price_set: ShopifyMoneySet;
  current_total_discounts: string;
  current_total_discounts_set: ShopifyMoneySet;
  current_total_tax: string;
  current_total_tax_set: ShopifyMoneySet;
  current_total_price: string;
  current_total_price_set: ShopifyMoneySet;
  tax_lines: ShopifyTaxLine[];
  discount_codes: ShopifyDiscountCode[];
  discount_applications: ShopifyDiscountApplication[];
  payment_gateway_names: string[];
  note: string | null;
  note_attributes: ShopifyNoteAttribute[];
  tags: string;
  customer: ShopifyOrderCustomer | null;
  billing_address: ShopifyAddress | null;
  shipping_address: ShopifyAddress | null;
  shipping_lines: ShopifyShippingLine[];
  line_items: ShopifyLineItem[];
  refunds: ShopifyRefund[];
}

export interface ShopifyLocation {
  id: number;
  admin_graphql_api_id: string;
  name: string;
  address1: string;
  address2: string | null;
  city: string;
  zip: string;
  province: string | null;
  country: string;
  country_code: string;
  phone: string;
  active: boolean;
  legacy: boolean;
  created_at: string;
  updated_at: string;
}

export interface ShopifyVariant {
  id: number;
  admin_graphql_api_id: string;
  product_id: number;
  title: string;
  price: string;
  sku: string;
  position: number;
  option1: string;
  taxable: boolean;
  barcode: string;
  inventory_policy: "deny";
  requires_shipping: boolean;
  created_at: string;
  updated_at: string;
}

export interface ShopifyProduct {
  id: number;
  admin_graphql_api_id: string;
  title: string;
  body_html: string;
  vendor: string;
  product_type: string;
  handle: string;
  status: "active";
  tags: string;
  created_at: string;
  updated_at: string;
  published_at: string;
  options: { name: string; position: number; values: string[] }[];
  variants: ShopifyVariant[];
}

export interface ShopifyShop {
  id: number;
  admin_graphql_api_id: string;
  name: string;
  email: string;
  domain: string;
  myshopify_domain: string;
  country: string;
  country_code: string;
  country_name: string;
  currency: string;
  enabled_presentment_currencies: string[];
  money_format: string;
  iana_timezone: string;
  timezone: string;
  primary_locale: string;
  taxes_included: boolean;
  plan_name: string;
  created_at: string;
  updated_at: string;
}
