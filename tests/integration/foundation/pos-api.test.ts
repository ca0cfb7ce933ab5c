import { describe, expect, it } from "vitest";
import { loader } from "~/routes/api.pos.customer-summary";
import prisma from "~/db.server";
import { storeOrders } from "~/services/store-orders.server";
import { toOrderRecord, orderPayload as orderSchema } from "~/shopify/webhook-payloads";
import { fakeShopify, TEST_APP_URL } from "../../support/test-app";
import { installTestShop } from "../../support/install";
import { orderPayload } from "../../factories/shopify-payloads";

async function call(request: Request): Promise<Response> {
  try {
    return await loader({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

describe("POS customer summary API", () => {
  it("answers a POS session token with the shopper's orders across channels, refunds and cancellations accounted", async () => {
    const { shop } = await installTestShop();
    const customer = { id: 88001, admin_graphql_api_id: "gid://shopify/Customer/88001", email: "a@example.com" };
    const online = orderPayload({ customer, total_price: "200.00" });
    const pos = orderPayload({ customer, source_name: "pos", location_id: 70001, total_price: "50.00", created_at: "2026-11-05T18:00:00+03:00" });
    const cancelled = orderPayload({ customer, cancelled_at: "2026-11-02T10:00:00+03:00" });
    await storeOrders({ shop, orders: [online, pos, cancelled].map((o) => toOrderRecord(orderSchema.parse(o))), origin: "WEBHOOK" });

    const token = fakeShopify().mintSessionToken({ shop, surface: "pos", sub: "42" });
    const response = await call(
      new Request(`${TEST_APP_URL}/api/pos/customer-summary?customerId=88001`, {
        headers: { Authorization: `Bearer ${token}`, Origin: "https://extensions.shopifycdn.com" },
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(await response.json()).toMatchObject({ orderCount: 2, onlineOrderCount: 1, posOrderCount: 1, totalSpent: "250.00 SAR", totalSpentMinor: "25000" });
    expect(await prisma.order.count({ where: { shop } })).toBe(3);
  });

  it("rejects a request without a valid session token", async () => {
    const { shop } = await installTestShop();
    const forged = fakeShopify().mintSessionToken({ shop, surface: "pos", secret: "wrong-secret" });
    const response = await call(new Request(`${TEST_APP_URL}/api/pos/customer-summary?customerId=1`, { headers: { Authorization: `Bearer ${forged}` } }));
    expect(response.status).toBe(401);
  });

  it("answers 400 with a stable code for a malformed customer id", async () => {
    const { shop } = await installTestShop();
    const token = fakeShopify().mintSessionToken({ shop, surface: "pos" });
    const response = await call(new Request(`${TEST_APP_URL}/api/pos/customer-summary?customerId=abc`, { headers: { Authorization: `Bearer ${token}` } }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "INVALID_CUSTOMER_ID" });
  });
});
