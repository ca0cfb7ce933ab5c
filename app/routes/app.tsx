import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css";
import polarisEn from "@shopify/polaris/locales/en.json";
import { useEffect } from "react";
import { authenticateAdmin } from "../services/admin-context.server";
import { env } from "../env.server";
import { EmbeddedAppProvider } from "../components/EmbeddedAppProvider";
import { toDirection, toLocale } from "../i18n/locale";
import { I18nProvider, useI18n } from "../i18n/i18n-context";
import polarisAr from "../i18n/polaris-ar.json";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session, shop } = await authenticateAdmin(request);
  const url = new URL(request.url);
  // The admin's own locale: the ?locale the admin passes on document loads, then the staff
  // member's locale from their online session, then the store's primary locale.
  const locale = toLocale(
    url.searchParams.get("locale") ?? session.onlineAccessInfo?.associated_user.locale ?? shop.primaryLocale,
  );
  return { apiKey: env.SHOPIFY_API_KEY, appBridgeUrl: env.APP_BRIDGE_URL ?? null, locale };
};

function Navigation() {
  const { t } = useI18n();
  return (
    <NavMenu>
      <Link to="/app" rel="home">
        {t("nav.home")}
      </Link>
      <Link to="/app/data-sync">{t("nav.dataSync")}</Link>
      <Link to="/app/import">{t("nav.import")}</Link>
      <Link to="/app/customers">{t("nav.customers")}</Link>
      <Link to="/app/review">{t("nav.review")}</Link>
      <Link to="/app/loyalty">{t("nav.program")}</Link>
      <Link to="/app/loyalty/liability">{t("nav.liability")}</Link>
    </NavMenu>
  );
}

export default function App() {
  const { apiKey, appBridgeUrl, locale } = useLoaderData<typeof loader>();
  useEffect(() => {
    document.documentElement.lang = locale;
    document.documentElement.dir = toDirection(locale);
  }, [locale]);
  return (
    <EmbeddedAppProvider apiKey={apiKey} appBridgeUrl={appBridgeUrl} i18n={locale === "ar" ? polarisAr : polarisEn}>
      <I18nProvider locale={locale}>
        <div dir={toDirection(locale)}>
          <Navigation />
          <Outlet />
        </div>
      </I18nProvider>
    </EmbeddedAppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses (auth redirects) and render their headers.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
