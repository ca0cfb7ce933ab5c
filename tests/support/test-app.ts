/**
 * The test app's identity and helpers that speak to the app the way Shopify does: signed
 * webhooks to the real routes, session tokens to authenticate.admin, a fresh shop per test.
 */
import crypto from "node:crypto";
import type { FakeShopify } from "./fake-shopify/server";
import { buildWebhookRequest, type WebhookDelivery } from "./fake-shopify/webhooks";

export const TEST_API_KEY = "wafa-test-api-key";
export const TEST_API_SECRET = "wafa-test-api-secret-0123456789";
export const TEST_APP_URL = "https://wafa.test";
export const TEST_SCOPES = ["read_customers", "write_customers", "read_orders", "read_all_orders", "read_locations", "read_products", "write_discounts", "read_customer_merge", "write_customer_merge"];

export function fakeShopify(): FakeShopify {
  const fake = (globalThis as { __fakeShopify?: FakeShopify }).__fakeShopify;
  if (!fake) throw new Error("the fake Shopify starts in tests/support/worker-database.ts (integration project only)");
  return fake;
}

/** A shop no other test uses, known to the fake (and so installable). */
export function uniqueShop(overrides: Parameters<FakeShopify["addShop"]>[0] extends infer T ? Partial<T> : never = {}) {
  const domain = `test-${crypto.randomBytes(5).toString("hex")}.myshopify.com`;
  return fakeShopify().addShop({ domain, grantedScopes: TEST_SCOPES, currencyCode: "SAR", countryCode: "SA", ianaTimezone: "Asia/Riyadh", ...overrides });
}

export function webhookRequest(delivery: WebhookDelivery, init: { method?: string } = {}): Request {
  const { rawBody, headers } = buildWebhookRequest(delivery, TEST_API_SECRET);
  return new Request(`${TEST_APP_URL}/webhooks/${delivery.topic}`, {
    method: init.method ?? "POST",
    headers,
    body: (init.method ?? "POST") === "POST" ? rawBody : undefined,
  });
}

/** A fetch-style admin request (Authorization: Bearer <session token>), as App Bridge sends. */
export function adminFetchRequest(path: string, token: string): Request {
  return new Request(`${TEST_APP_URL}${path}`, {
    headers: { Authorization: `Bearer ${token}`, "User-Agent": "Mozilla/5.0 Chrome/156.0" },
  });
}

export const browserHeaders = { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36" };
