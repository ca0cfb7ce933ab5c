import { describe, expect, it } from "vitest";
import { authenticate } from "~/shopify.server";
import prisma from "~/db.server";
import { adminFetchRequest, fakeShopify, TEST_API_KEY, uniqueShop } from "../../support/test-app";

async function rejection(promise: Promise<unknown>): Promise<Response> {
  try {
    await promise;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
  throw new Error("expected authenticate.admin to reject the request");
}

describe("authenticate.admin with session tokens", () => {
  it("accepts a valid session token, exchanges it for access tokens and records the install", async () => {
    const shop = uniqueShop({ name: "Riyadh Perfumes" });
    const token = fakeShopify().mintSessionToken({ shop: shop.domain, sub: "1" });
    const { session } = await authenticate.admin(adminFetchRequest("/app", token));

    expect(session.shop).toBe(shop.domain);
    expect(session.isOnline).toBe(true);
    const stored = await prisma.session.findMany({ where: { shop: shop.domain } });
    expect(stored.map((s) => s.isOnline).sort()).toEqual([false, true]);
    const record = await prisma.shop.findUniqueOrThrow({ where: { shop: shop.domain } });
    expect(record).toMatchObject({ installState: "INSTALLED", name: "Riyadh Perfumes", currency: "SAR", countryCode: "SA" });
  });

  const badTokens: Array<[string, (shop: string) => string]> = [
    ["an expired token", (shop) => fakeShopify().mintSessionToken({ shop, expiresIn: -120 })],
    ["a token that is not valid yet", (shop) => fakeShopify().mintSessionToken({ shop, notBefore: 120, expiresIn: 300 })],
    ["a token for another app (wrong audience)", (shop) => fakeShopify().mintSessionToken({ shop, apiKey: "someone-elses-app" })],
    ["a token signed with the wrong secret", (shop) => fakeShopify().mintSessionToken({ shop, secret: "not-the-app-secret" })],
    ["an unsigned token (alg none)", (shop) => fakeShopify().mintSessionToken({ shop, algorithm: "none" })],
    ["a token signed HS512", (shop) => fakeShopify().mintSessionToken({ shop, algorithm: "HS512" })],
    ["a malformed token", () => "not.a.jwt"],
  ];

  it.each(badTokens)("rejects %s with 401 and asks App Bridge to retry", async (_name, mint) => {
    const shop = uniqueShop();
    const response = await rejection(authenticate.admin(adminFetchRequest("/app", mint(shop.domain))));
    expect(response.status).toBe(401);
    expect(response.headers.get("X-Shopify-Retry-Invalid-Session-Request")).toBe("1");
    expect(await prisma.session.count({ where: { shop: shop.domain } })).toBe(0);
  });

  it("signs tokens with the test app's key as audience", () => {
    const token = fakeShopify().mintSessionToken({ shop: "x.myshopify.com" });
    const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({ aud: TEST_API_KEY, iss: "https://x.myshopify.com/admin", dest: "https://x.myshopify.com" });
    expect(Object.keys(claims).sort()).toEqual(["aud", "dest", "exp", "iat", "iss", "jti", "nbf", "sid", "sub"]);
  });
});
