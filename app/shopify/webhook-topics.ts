import { z } from "zod";
import { customerDeletePayload, customerPayload, orderPayload, refundPayload } from "./webhook-payloads";

const compliancePayload = z.object({ shop_id: z.union([z.number(), z.string()]), shop_domain: z.string() }).passthrough();
const customerCompliancePayload = compliancePayload.extend({
  customer: z.object({ id: z.union([z.number(), z.string()]), email: z.string().nullish(), phone: z.string().nullish() }).passthrough(),
});

/** Every topic Wafa subscribes to (shopify.app.toml) and the schema its payload must satisfy. */
export const TOPIC_SCHEMAS: Record<string, z.ZodType> = {
  "orders/create": orderPayload,
  "orders/updated": orderPayload,
  "orders/cancelled": orderPayload,
  "refunds/create": refundPayload,
  "customers/create": customerPayload,
  "customers/update": customerPayload,
  "customers/delete": customerDeletePayload,
  "app/uninstalled": z.object({}).passthrough(),
  "app/scopes_update": z.object({ current: z.array(z.string()) }).passthrough(),
  "bulk_operations/finish": z.object({ admin_graphql_api_id: z.string(), status: z.string() }).passthrough(),
  "customers/data_request": customerCompliancePayload,
  "customers/redact": customerCompliancePayload,
  "shop/redact": compliancePayload,
};

export const HANDLED_TOPICS = new Set(Object.keys(TOPIC_SCHEMAS));

/** Checks a payload against its topic's schema; the reason names the fields that failed. */
export function parseWebhookPayload(topic: string, payload: unknown): { ok: true; value: unknown } | { ok: false; reason: string } {
  const schema = TOPIC_SCHEMAS[topic];
  if (!schema) return { ok: false, reason: `Unknown topic ${topic}` };
  const result = schema.safeParse(payload);
  if (result.success) return { ok: true, value: result.data };
  const reason = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
    .join("; ");
  return { ok: false, reason: `Missing or invalid fields: ${reason}` };
}
