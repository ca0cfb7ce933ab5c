/**
 * Helpers of the loyalty admin tests: signed admin requests to the real routes, loader data as
 * the browser would get it, and a server render of a page inside the real app layout.
 */
import { createElement as h, type ComponentType } from "react";
import { renderToString } from "react-dom/server";
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from "react-router-dom/server";
import App, { loader as appLoader } from "~/routes/app";
import { browserHeaders, fakeShopify } from "../../support/test-app";

export function adminRequest(shop: string, path: string, init: { method?: string; body?: BodyInit } = {}) {
  const token = fakeShopify().mintSessionToken({ shop, sub: "1" });
  return new Request(`https://wafa.test${path}`, { method: init.method ?? "GET", body: init.body, headers: { Authorization: `Bearer ${token}`, ...browserHeaders } });
}

/** A form post as Remix's fetcher sends it. */
export function adminPost(shop: string, path: string, fields: Record<string, string>) {
  return adminRequest(shop, path, { method: "POST", body: new URLSearchParams(fields) });
}

/** Loader or action output as JSON-serialized data (what the page receives), with the status. */
export async function responseOf<T>(result: Promise<unknown> | unknown): Promise<{ status: number; body: T }> {
  const value = await result;
  if (value instanceof Response) return { status: value.status, body: (await value.json()) as T };
  return { status: 200, body: JSON.parse(JSON.stringify(value)) as T };
}

/**
 * Renders `Page` with its loader's data under the real app layout (app.tsx, whose loader picks the
 * locale from ?locale=), as the server renders a document load.
 */
export async function renderPage(shop: string, Page: ComponentType, pageData: unknown, locale: "en" | "ar") {
  const appData = await appLoader({ request: adminRequest(shop, `/app?locale=${locale}`), params: {}, context: {} });
  const routes = [
    { id: "app", path: "/", loader: () => appData, element: h(App), children: [{ id: "page", index: true, loader: () => JSON.parse(JSON.stringify(pageData)), element: h(Page) }] },
  ];
  const handler = createStaticHandler(routes);
  const context = await handler.query(new Request("http://x/"));
  if (context instanceof Response) throw context;
  const router = createStaticRouter(handler.dataRoutes, context);
  return renderToString(h(StaticRouterProvider, { router, context }));
}
