import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { toDirection, toLocale, translate } from "../../i18n/locale";

// Shopify opens the app at its URL with ?shop=…: send it to the embedded app. Anyone else sees
// the public landing page with a login form for installing on a store.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return { locale: toLocale(url.searchParams.get("locale") ?? request.headers.get("accept-language")) };
};

export default function Landing() {
  const { locale } = useLoaderData<typeof loader>();
  const t = (key: Parameters<typeof translate>[1]) => translate(locale, key);
  return (
    <main dir={toDirection(locale)} style={{ fontFamily: "system-ui, sans-serif", maxWidth: 560, margin: "64px auto", padding: 16 }}>
      <h1>{t("landing.title")}</h1>
      <p>{t("landing.text")}</p>
      <Form method="post" action="/auth/login">
        <label>
          {t("landing.shopLabel")}
          <input type="text" name="shop" placeholder="example.myshopify.com" style={{ display: "block", margin: "8px 0", padding: 8, width: "100%" }} />
        </label>
        <button type="submit">{t("landing.submit")}</button>
      </Form>
    </main>
  );
}
