import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import prisma, { pool } from "./db.server";
import { env } from "./env.server";
import { routeShopifyCallsToFake } from "./shopify/fake-shopify-fetch.server";
import { installShop } from "./services/install-shop.server";
import { CachedSessionStorage } from "./shopify/cached-session-storage.server";
import { installSynchronousHmac } from "./shopify/synchronous-hmac.server";
import { installRequestConversion } from "./shopify/request-conversion.server";

if (env.SHOPIFY_FAKE_URL) routeShopifyCallsToFake(env.SHOPIFY_FAKE_URL);
// Webhook and OAuth signatures checked with node:crypto instead of a WebCrypto import per call.
installSynchronousHmac();
// Requests converted for the library without re-canonicalizing every header on each one added.
installRequestConversion();

export const apiVersion = ApiVersion.October26;
export const sessionStorage = new CachedSessionStorage(new PrismaSessionStorage(prisma), () => pool.query("select 1"));

const shopify = shopifyApp({
  apiKey: env.SHOPIFY_API_KEY,
  apiSecretKey: env.SHOPIFY_API_SECRET,
  apiVersion,
  scopes: env.SCOPES,
  appUrl: env.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage,
  distribution: AppDistribution.AppStore,
  logger: { level: env.NODE_ENV === "development" ? LogSeverity.Info : LogSeverity.Warning },
  // Online tokens carry the staff member's admin locale, which picks English or Arabic.
  useOnlineTokens: true,
  future: { unstable_newEmbeddedAuthStrategy: true, expiringOfflineAccessTokens: true },
  hooks: {
    afterAuth: async ({ session, admin }) => {
      try {
        await installShop({ shop: session.shop, scopes: session.scope ?? "", graphql: admin.graphql });
      } catch (error) {
        console.error(`afterAuth: recording the install of ${session.shop} failed`, error);
        throw error;
      }
    },
  },
});

export default shopify;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
