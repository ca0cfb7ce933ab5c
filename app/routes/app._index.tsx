import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Card, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { authenticateAdmin } from "../services/admin-context.server";
import { getShopOverview } from "../services/shop-overview.server";
import { useI18n } from "../i18n/i18n-context";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateAdmin(request);
  return getShopOverview({ shop: shop.shop });
};

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <BlockStack gap="100">
      <Text as="p" tone="subdued">
        {label}
      </Text>
      <Text as="p" variant="headingLg">
        {value}
      </Text>
    </BlockStack>
  );
}

export default function Home() {
  const overview = useLoaderData<typeof loader>();
  const { t, number, dateTime } = useI18n();
  return (
    <Page title={t("home.title")} subtitle={t("home.subtitle")}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <Text as="h2" variant="headingMd">
                {t("home.stats.heading")}
              </Text>
              <InlineGrid columns={{ xs: 2, md: 4 }} gap="400">
                <Stat label={t("home.stats.customers")} value={number(overview.customerCount)} />
                <Stat label={t("home.stats.orders")} value={number(overview.orderCount)} />
                <Stat label={t("home.stats.onlineOrders")} value={number(overview.onlineOrderCount)} />
                <Stat label={t("home.stats.posOrders")} value={number(overview.posOrderCount)} />
              </InlineGrid>
              <Text as="p" tone="subdued">
                {t("home.stats.lastEvent")}:{" "}
                {overview.lastEventAt ? dateTime(overview.lastEventAt, overview.timezone) : t("home.stats.never")}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                {t("home.shop.heading")}
              </Text>
              <Stat label={t("home.shop.name")} value={overview.name} />
              <Stat label={t("home.shop.currency")} value={overview.currency} />
              <Stat label={t("home.shop.country")} value={overview.countryCode} />
              <Stat label={t("home.shop.timezone")} value={overview.timezone} />
              {overview.installedAt ? <Stat label={t("home.shop.installedAt")} value={dateTime(overview.installedAt, overview.timezone)} /> : null}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
