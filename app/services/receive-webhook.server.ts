/**
 * Every webhook route calls this: verify with the library (401 forged, 405 not POST, 400 headers
 * missing), then record a receipt and enqueue its job in one transaction and answer 200 at once.
 * Authentic deliveries that can never be processed are recorded as rejected, with the reason,
 * and answered 200 so Shopify stops retrying; 503 only when a retry can succeed (database down).
 */
import crypto from "node:crypto";
import { WEBHOOK_HEADER_NAMES } from "@shopify/shopify-api";
import { authenticate } from "../shopify.server";
import { recordAcceptedReceipt, recordRejectedReceipt, type ReceiptInput } from "../models/webhook-receipt.server";
import { getShop } from "../models/shop.server";
import { parseWebhookPayload, HANDLED_TOPICS } from "../shopify/webhook-topics";
import { DeliveryHeaders, WebhookDelivery } from "../shopify/webhook-delivery";

export const MAX_PAYLOAD_BYTES = 5 * 1024 * 1024;
const KEEP_REJECTED_PAYLOAD_BYTES = 64 * 1024;

function isDatabaseUnavailable(error: unknown): boolean {
  const text = `${(error as Error)?.name ?? ""} ${(error as Error)?.message ?? ""} ${(error as { code?: string })?.code ?? ""}`;
  return /ECONNREFUSED|ECONNRESET|57P0[123]|53300|P1001|P1017|Can't reach database|Connection terminated|connect ETIMEDOUT|too many clients/i.test(text);
}

function receiptFromHeaders(headers: Headers, raw: string, topicFallback: string): ReceiptInput {
  const triggered = headers.get("x-shopify-triggered-at");
  return {
    shop: (headers.get("x-shopify-shop-domain") ?? "").toLowerCase(),
    topic: headers.get("x-shopify-topic") ?? topicFallback,
    webhookId: headers.get("x-shopify-webhook-id") ?? crypto.randomUUID(),
    eventId: headers.get("x-shopify-event-id"),
    apiVersion: headers.get("x-shopify-api-version"),
    triggeredAt: triggered && !Number.isNaN(Date.parse(triggered)) ? new Date(triggered) : null,
    payloadDigest: crypto.createHash("sha256").update(raw).digest("hex"),
    payloadBytes: Buffer.byteLength(raw),
  };
}

/**
 * The headers authenticate.webhook checks (signature, topic, shop, API version, delivery id), of
 * both delivery formats. The library canonicalizes every header name on each of its header
 * lookups (about ten per delivery), so it is handed these alone; the others (event id, trigger
 * time) are read here from the delivery itself.
 */
const LIBRARY_HEADER_NAMES = [...new Set(Object.values(WEBHOOK_HEADER_NAMES).flatMap((names) => [names.hmac, names.topic, names.domain, names.apiVersion, names.webhookId]))];

/** The delivery as the library sees it: same method, URL and body, its own headers only. */
function requestForLibrary(request: Request, raw: string): Request {
  const headers = new DeliveryHeaders();
  for (const name of LIBRARY_HEADER_NAMES) {
    const value = request.headers.get(name);
    if (value !== null) headers.append(name, value);
  }
  return new WebhookDelivery(request.method, request.url, headers, raw).asRequest();
}

export async function receiveWebhook(request: Request, routeTopic: string): Promise<Response> {
  try {
    // Read once: the library gets a copy made from this text (cheaper than cloning the stream).
    const raw = await request.text();
    let context: Awaited<ReturnType<typeof authenticate.webhook>>;
    try {
      context = await authenticate.webhook(requestForLibrary(request, raw));
    } catch (error) {
      if (error instanceof Response) return error;
      if (error instanceof SyntaxError) {
        // The library parses JSON only after the HMAC checked out: authentic but malformed.
        await recordRejectedReceipt({ ...receiptFromHeaders(request.headers, raw, routeTopic), code: "MALFORMED_JSON", reason: `The body is not JSON: ${error.message}` });
        return new Response(null, { status: 200 });
      }
      throw error;
    }
    const receipt = receiptFromHeaders(request.headers, raw, routeTopic);
    receipt.shop = context.shop;
    const reject = async (code: string, reason: string) => {
      const keep = receipt.payloadBytes <= KEEP_REJECTED_PAYLOAD_BYTES ? context.payload : undefined;
      await recordRejectedReceipt({ ...receipt, payload: keep, code, reason });
      return new Response(null, { status: 200 });
    };

    if (receipt.payloadBytes > MAX_PAYLOAD_BYTES) {
      return reject("PAYLOAD_TOO_LARGE", `The payload is ${receipt.payloadBytes} bytes; the limit is ${MAX_PAYLOAD_BYTES}.`);
    }
    if (!HANDLED_TOPICS.has(receipt.topic) || receipt.topic !== routeTopic) {
      return reject("UNKNOWN_TOPIC", `Topic "${receipt.topic}" is not handled at /webhooks/${routeTopic}.`);
    }
    const payloadShop = (context.payload as { shop_domain?: unknown; myshopify_domain?: unknown })?.shop_domain ??
      (context.payload as { myshopify_domain?: unknown })?.myshopify_domain;
    if (typeof payloadShop === "string" && payloadShop.toLowerCase() !== context.shop) {
      return reject("SHOP_MISMATCH", `The payload names shop ${payloadShop} but the delivery is signed for ${context.shop}.`);
    }
    if (!context.session && !(await getShop({ shop: context.shop }))) {
      return reject("UNKNOWN_SHOP", `Shop ${context.shop} has never installed Wafa.`);
    }
    const parsed = parseWebhookPayload(receipt.topic, context.payload);
    if (!parsed.ok) return reject("INVALID_PAYLOAD", parsed.reason);

    await recordAcceptedReceipt({ ...receipt, rawPayload: raw });
    return new Response(null, { status: 200 });
  } catch (error) {
    if (isDatabaseUnavailable(error)) {
      console.error("webhook: database unavailable, asking Shopify to retry", (error as Error).message);
      return new Response("Service unavailable", { status: 503, headers: { "Retry-After": "30" } });
    }
    throw error;
  }
}
