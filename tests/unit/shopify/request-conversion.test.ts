import "@shopify/shopify-api/adapters/web-api";
import * as runtime from "@shopify/shopify-api/runtime";
import { describe, expect, it } from "vitest";
import { convertRequest, installRequestConversion } from "../../../app/shopify/request-conversion.server";

// The web-api adapter's conversion, as the library had it before ours was installed.
const libraryConversion = runtime.abstractConvertRequest;

function request(headers: Array<[string, string]>, init: { method?: string; url?: string } = {}) {
  const h = new Headers();
  for (const [name, value] of headers) h.append(name, value);
  return new Request(init.url ?? "https://wafa.example/webhooks/orders/create?x=1", { method: init.method ?? "POST", headers: h, body: init.method === "GET" ? undefined : "{}" });
}

describe("the library's request conversion", () => {
  const cases: Array<[string, Request]> = [
    ["a webhook's headers", request([["X-Shopify-Hmac-Sha256", "abc="], ["X-Shopify-Topic", "orders/create"], ["X-Shopify-Shop-Domain", "a.myshopify.com"], ["X-Shopify-API-Version", "2026-10"], ["X-Shopify-Webhook-Id", "w-1"], ["Content-Type", "application/json"]])],
    ["names in any case, repeated", request([["x-custom-header", "1"], ["X-CUSTOM-HEADER", "2"], ["accept", "a"], ["Accept", "b"]])],
    ["event-style names and underscores", request([["shopify-hmac-sha256", "s"], ["shopify-event-id", "e"], ["x_odd_name", "o"]])],
    ["a GET with an authorization header", request([["Authorization", "Bearer token.with.dots"], ["cookie", "a=b; c=d"]], { method: "GET", url: "https://wafa.example/app?shop=a.myshopify.com&host=aGk" })],
    ["no headers but the body's content type", request([])],
  ];

  it.each(cases)("is the web-api adapter's, for %s", async (_name, req) => {
    const expected = await libraryConversion({ rawRequest: req.clone() });
    const actual = await convertRequest({ rawRequest: req.clone() });
    expect(actual).toEqual(expected);
    expect(Object.keys(actual.headers)).toEqual(Object.keys(expected.headers));
  });

  it("is installed as the library's conversion", async () => {
    installRequestConversion();
    expect(runtime.abstractConvertRequest).toBe(convertRequest);
    const converted = await runtime.abstractConvertRequest({ rawRequest: request([["x-shopify-topic", "orders/create"]]) });
    expect(converted.headers["X-Shopify-Topic"]).toEqual(["orders/create"]);
  });
});
