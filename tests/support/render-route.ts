import { createElement as h, type ComponentType } from "react";
import { renderToString } from "react-dom/server";
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from "react-router-dom/server";
import { AppProvider } from "@shopify/polaris";
import polarisEn from "@shopify/polaris/locales/en.json";
import { I18nProvider } from "~/i18n/i18n-context";

/** Server-renders a route component with its loader data, inside Polaris and the app's i18n. */
export async function renderRoute(Component: ComponentType, data: object, locale: "en" | "ar"): Promise<string> {
  const routes = [{ id: "r", path: "/", loader: () => data, element: h(Component) }];
  const handler = createStaticHandler(routes);
  const context = await handler.query(new Request("http://x/"));
  if (context instanceof Response) throw context;
  const router = createStaticRouter(handler.dataRoutes, context);
  return renderToString(h(AppProvider, { i18n: polarisEn }, h(I18nProvider, { locale, children: h(StaticRouterProvider, { router, context }) })));
}
