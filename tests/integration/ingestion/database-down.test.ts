import { describe, expect, it } from "vitest";
import { webhookRequest } from "../../support/test-app";
import { orderPayload } from "../../factories/shopify-payloads";

// This file's app modules point at a PostgreSQL that does not answer (nothing listens on port 9):
// set before they are imported, as the per-worker setup sets the real one.
process.env.DATABASE_URL = "postgres://postgres:postgres@127.0.0.1:9/wafa";
const { action } = await import("~/routes/webhooks.orders.create");

describe("webhooks while the database is down", () => {
  it("answers 503 so that Shopify retries the delivery later", async () => {
    const request = webhookRequest({ shop: "any-shop.myshopify.com", topic: "orders/create", payload: orderPayload() });
    let response: Response;
    try {
      response = await action({ request, params: {}, context: {} });
    } catch (thrown) {
      if (!(thrown instanceof Response)) throw thrown;
      response = thrown;
    }
    expect(response.status).toBe(503);
    expect(response.headers.get("Retry-After")).toBe("30");
  });
});
