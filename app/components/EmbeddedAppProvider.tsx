/**
 * What @shopify/shopify-app-remix/react's AppProvider does, for the classic Remix compiler: its
 * published module imports Polaris' locale JSON with an import attribute (`with { type: 'json' }`)
 * that the classic compiler's esbuild cannot parse. Same behaviour: load App Bridge, Polaris
 * AppProvider with Remix links, and follow App Bridge's `shopify:navigate` events.
 */
import { forwardRef, useEffect, type ReactNode } from "react";
import { Link, useNavigate } from "@remix-run/react";
import { AppProvider as PolarisAppProvider } from "@shopify/polaris";
import type { LinkLikeComponentProps } from "@shopify/polaris/build/ts/src/utilities/link";

const SHOPIFY_APP_BRIDGE_URL = "https://cdn.shopify.com/shopifycloud/app-bridge.js";

const RemixPolarisLink = forwardRef<HTMLAnchorElement, LinkLikeComponentProps>(function RemixPolarisLink({ url, ...rest }, ref) {
  return <Link {...rest} to={url} ref={ref} />;
});

export function EmbeddedAppProvider(props: {
  apiKey: string;
  appBridgeUrl?: string | null;
  i18n: React.ComponentProps<typeof PolarisAppProvider>["i18n"];
  children: ReactNode;
}) {
  const navigate = useNavigate();
  useEffect(() => {
    const handleNavigate = (event: Event) => {
      const href = (event.target as Element | null)?.getAttribute?.("href");
      if (href) navigate(href);
    };
    addEventListener("shopify:navigate", handleNavigate);
    return () => removeEventListener("shopify:navigate", handleNavigate);
  }, [navigate]);
  return (
    <>
      <script src={props.appBridgeUrl ?? SHOPIFY_APP_BRIDGE_URL} data-api-key={props.apiKey} />
      <PolarisAppProvider linkComponent={RemixPolarisLink} i18n={props.i18n}>
        {props.children}
      </PolarisAppProvider>
    </>
  );
}
