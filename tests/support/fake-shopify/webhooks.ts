/**
 * Webhook deliveries as Shopify sends them: POST, JSON body, base64 HMAC-SHA256 of the raw body
 * keyed with the app secret, and the full classic header set.
 */
import crypto from "node:crypto";

export interface WebhookDelivery {
  shop: string;
  topic: string; // "orders/create"
  payload: unknown;
  /** raw body override (malformed JSON, oversized bodies) */
  rawBody?: string;
  webhookId?: string;
  eventId?: string;
  triggeredAt?: string;
  apiVersion?: string;
  /** sign with this secret instead of the app's (forgery tests) */
  secret?: string;
  headers?: Record<string, string>;
}

export function signWebhookBody(rawBody: string, secret: string): string {
  return crypto.createHmac("sha256", secret).update(rawBody, "utf8").digest("base64");
}

export function buildWebhookRequest(delivery: WebhookDelivery, apiSecret: string) {
  const rawBody = delivery.rawBody ?? JSON.stringify(delivery.payload);
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "X-Shopify-Topic": delivery.topic,
    "X-Shopify-Hmac-Sha256": signWebhookBody(rawBody, delivery.secret ?? apiSecret),
    "X-Shopify-Shop-Domain": delivery.shop,
    "X-Shopify-API-Version": delivery.apiVersion ?? "2026-10",
    "X-Shopify-Webhook-Id": delivery.webhookId ?? crypto.randomUUID(),
    "X-Shopify-Event-Id": delivery.eventId ?? crypto.randomUUID(),
    "X-Shopify-Triggered-At": delivery.triggeredAt ?? new Date().toISOString(),
    ...delivery.headers,
  };
  return { rawBody, headers };
}

/** The route each topic is delivered to, as shopify.app.toml subscribes it. */
export function webhookPath(topic: string): string {
  return `/webhooks/${topic}`;
}

export async function deliverWebhook(appUrl: string, delivery: WebhookDelivery, apiSecret: string) {
  const { rawBody, headers } = buildWebhookRequest(delivery, apiSecret);
  const response = await fetch(`${appUrl.replace(/\/$/, "")}${webhookPath(delivery.topic)}`, {
    method: "POST",
    headers,
    body: rawBody,
  });
  return { status: response.status, webhookId: headers["X-Shopify-Webhook-Id"], eventId: headers["X-Shopify-Event-Id"] };
}
