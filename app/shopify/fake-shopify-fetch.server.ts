/**
 * Demo and tests only: when SHOPIFY_FAKE_URL is set, the Shopify library's calls to
 * https://<shop>.myshopify.com/... go to the local fake of Shopify's servers instead. Nothing else
 * changes: the app still verifies every session token and webhook with the real library.
 */
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";

export function routeShopifyCallsToFake(fakeUrl: string): void {
  const base = fakeUrl.replace(/\/$/, "");
  const realFetch = globalThis.fetch;
  setAbstractFetchFunc(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    if (url.protocol === "https:" && url.hostname.endsWith(".myshopify.com")) {
      const target = `${base}/store/${url.hostname}${url.pathname}${url.search}`;
      return realFetch(target, init);
    }
    return realFetch(input, init);
  });
}
