import { authenticate } from "~/shopify.server";
import { adminFetchRequest, fakeShopify, uniqueShop } from "./test-app";

/** Installs the app on a fresh fake shop the real way: a session token, token exchange, afterAuth. */
export async function installTestShop(overrides: Parameters<typeof uniqueShop>[0] = {}) {
  const shop = uniqueShop(overrides);
  const token = fakeShopify().mintSessionToken({ shop: shop.domain, sub: shop.staff[0].id });
  const context = await authenticate.admin(adminFetchRequest("/app", token));
  return { shop: shop.domain, fakeShop: shop, context };
}
