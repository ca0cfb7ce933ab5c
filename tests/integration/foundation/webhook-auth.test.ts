import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { action, loader } from "~/routes/webhooks.orders.create";
import { webhookRequest } from "../../support/test-app";
import { installTestShop } from "../../support/install";
import { signWebhookBody } from "../../support/fake-shopify/webhooks";

const args = (request: Request) => ({ request, params: {}, context: {} });

async function respond(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

const order = { id: 820982911946154500, name: "#1001" };

describe("authenticate.webhook on a webhook route", () => {
  it("accepts a delivery signed with the app secret and records its receipt", async () => {
    const { shop } = await installTestShop();
    const request = webhookRequest({ shop, topic: "orders/create", payload: order, webhookId: "wh-valid" });
    const response = await respond(() => action(args(request)));
    expect(response.status).toBe(200);
    const receipt = await prisma.webhookReceipt.findUniqueOrThrow({ where: { shop_webhookId: { shop, webhookId: "wh-valid" } } });
    expect(receipt.topic).toBe("orders/create");
  });

  it("answers 401 to a forged signature and records nothing", async () => {
    const { shop } = await installTestShop();
    const request = webhookRequest({ shop, topic: "orders/create", payload: order, secret: "forger-secret", webhookId: "wh-forged" });
    const response = await respond(() => action(args(request)));
    expect(response.status).toBe(401);
    expect(await prisma.webhookReceipt.count({ where: { shop } })).toBe(0);
  });

  it("answers 401 when the body was changed after signing", async () => {
    const { shop } = await installTestShop();
    const signed = JSON.stringify(order);
    const request = webhookRequest({
      shop,
      topic: "orders/create",
      payload: null,
      rawBody: JSON.stringify({ ...order, total_price: "1.00" }),
      headers: { "X-Shopify-Hmac-Sha256": signWebhookBody(signed, "wafa-test-api-secret-0123456789") },
    });
    const response = await respond(() => action(args(request)));
    expect(response.status).toBe(401);
    expect(await prisma.webhookReceipt.count({ where: { shop } })).toBe(0);
  });

  it("answers 405 to a request that is not a POST", async () => {
    const { shop } = await installTestShop();
    const response = await respond(() => loader(args(webhookRequest({ shop, topic: "orders/create", payload: order }, { method: "GET" }))));
    expect(response.status).toBe(405);
  });
});
