/**
 * Shopify webhook payloads for tests, in the 2026-10 REST shape, with sensible SAR defaults.
 */
let seq = 5_000_000;
const nextId = () => ++seq;

export function orderPayload(overrides: Record<string, unknown> = {}) {
  const id = (overrides.id as number) ?? nextId();
  const lineId = nextId();
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id % 100000}`,
    created_at: "2026-11-01T10:00:00+03:00",
    updated_at: "2026-11-01T10:00:00+03:00",
    processed_at: "2026-11-01T10:00:00+03:00",
    cancelled_at: null,
    cancel_reason: null,
    financial_status: "paid",
    currency: "SAR",
    presentment_currency: "SAR",
    subtotal_price: "200.00",
    total_discounts: "0.00",
    total_tax: "26.09",
    total_price: "200.00",
    taxes_included: true,
    total_shipping_price_set: { shop_money: { amount: "0.00", currency_code: "SAR" } },
    source_name: "web",
    location_id: null,
    email: "mohammed@example.com",
    phone: null,
    customer: {
      id: 7001,
      admin_graphql_api_id: "gid://shopify/Customer/7001",
      email: "mohammed@example.com",
      first_name: "Mohammed",
      last_name: "Al-Qahtani",
      phone: "+966501234567",
    },
    billing_address: { first_name: "Mohammed", last_name: "Al-Qahtani", city: "Riyadh", country_code: "SA", phone: "0501234567" },
    shipping_address: { first_name: "Mohammed", last_name: "Al-Qahtani", address1: "Olaya St 12", city: "Riyadh", zip: "12211", country_code: "SA" },
    line_items: [
      {
        id: lineId,
        admin_graphql_api_id: `gid://shopify/LineItem/${lineId}`,
        product_id: 9001,
        variant_id: 9101,
        sku: "OUD-50",
        title: "Oud perfume",
        variant_title: "50 ml",
        quantity: 2,
        price: "100.00",
        total_discount: "0.00",
        discount_allocations: [],
      },
    ],
    discount_codes: [],
    payment_gateway_names: ["mada"],
    tags: "",
    refunds: [],
    ...overrides,
  };
}

export function refundPayload(order: { id: number; line_items: Array<{ id: number }> }, overrides: Record<string, unknown> = {}) {
  const id = nextId();
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Refund/${id}`,
    order_id: order.id,
    created_at: "2026-11-03T12:00:00+03:00",
    refund_line_items: [
      {
        id: nextId(),
        line_item_id: order.line_items[0].id,
        quantity: 1,
        subtotal: "100.00",
        subtotal_set: { shop_money: { amount: "100.00", currency_code: "SAR" } },
        total_tax: "13.04",
      },
    ],
    transactions: [{ amount: "100.00", kind: "refund", status: "success" }],
    ...overrides,
  };
}

export function customerPayload(overrides: Record<string, unknown> = {}) {
  const id = (overrides.id as number) ?? nextId();
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Customer/${id}`,
    email: "fatimah@example.com",
    phone: "+966551234567",
    first_name: "Fatimah",
    last_name: "Al-Otaibi",
    created_at: "2026-10-01T09:00:00+03:00",
    updated_at: "2026-10-01T09:00:00+03:00",
    state: "enabled",
    note: null,
    tags: "vip, riyadh",
    default_address: { address1: "Tahlia St", city: "Jeddah", zip: "23431", country_code: "SA", phone: "+966551234567" },
    ...overrides,
  };
}
