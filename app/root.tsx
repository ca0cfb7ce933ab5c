import { Links, Meta, Outlet, Scripts, ScrollRestoration, isRouteErrorResponse, useLoaderData, useRouteError } from "@remix-run/react";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { toDirection, toLocale, translate } from "./i18n/locale";

// The admin passes its locale on every document load (?locale=ar); pages that render without it
// (the landing page, error pages) fall back to the browser's language.
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const locale = toLocale(url.searchParams.get("locale") ?? request.headers.get("accept-language"));
  return { locale };
}

function Document({ locale, children }: { locale: "en" | "ar"; children: React.ReactNode }) {
  return (
    <html lang={locale} dir={toDirection(locale)}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  const { locale } = useLoaderData<typeof loader>();
  return (
    <Document locale={locale}>
      <Outlet />
    </Document>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const locale = typeof document !== "undefined" ? toLocale(document.documentElement.lang) : "en";
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message = isRouteErrorResponse(error) ? error.statusText || String(error.data ?? "") : error instanceof Error ? error.message : "";
  return (
    <Document locale={locale}>
      <main style={{ fontFamily: "system-ui, sans-serif", padding: 32 }}>
        <h1>{translate(locale, "error.title")}</h1>
        <p>{status === 404 ? translate(locale, "error.notFound") : translate(locale, "error.detail", { status, message })}</p>
      </main>
    </Document>
  );
}
