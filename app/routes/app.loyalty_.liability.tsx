// "app.loyalty_" keeps /app/loyalty/liability out of the settings page's layout (Remix flat routes).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Card,
  DataTable,
  InlineGrid,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css";
import { authenticateAdmin } from "../services/admin-context.server";
import { getPointsLiabilityReport } from "../services/points-liability.server";
import { formatAmountMinor } from "../domain/money";
import { useI18n } from "../i18n/i18n-context";
import { SectionCard } from "../components/SectionCard";
import { ExpiryChart } from "../components/loyalty/ExpiryChart";

export const links = () => [{ rel: "stylesheet", href: vizStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateAdmin(request);
  return getPointsLiabilityReport({ shop: shop.shop, now: new Date() });
};

export default function PointsLiability() {
  const report = useLoaderData<typeof loader>();
  const { t, number, locale } = useI18n();
  const money = (minor: string | null) =>
    minor === null
      ? "—"
      : `${formatAmountMinor(BigInt(minor), report.currency)} ${
          report.currency
        }`;
  const name = (text: { en: string; ar: string }) =>
    locale === "ar" ? text.ar || text.en : text.en || text.ar;
  const monthLabel = (key: string | null) => {
    if (key === null) return t("liability.noExpiry");
    const [year, month] = key.split("-").map(Number);
    return new Intl.DateTimeFormat(
      locale === "ar" ? "ar-SA-u-ca-gregory" : "en-US",
      { year: "numeric", month: "short", timeZone: "UTC" }
    ).format(new Date(Date.UTC(year, month - 1, 1)));
  };
  const tierLabel = (row: (typeof report.byTier)[number]) =>
    row.key === null
      ? t("liability.noTier")
      : row.tierName
      ? name(row.tierName)
      : t("liability.removedTier", { id: row.key });
  const columns: Array<"text" | "numeric"> = [
    "text",
    "numeric",
    "numeric",
    "numeric",
    "numeric",
    "numeric",
  ];
  const headings = (first: string) => [
    first,
    t("liability.available"),
    t("liability.pending"),
    t("liability.expired"),
    t("liability.points"),
    t("liability.value"),
  ];
  const cells = (row: {
    availablePoints: number;
    pendingPoints: number;
    expiredPoints: number;
    points: number;
    valueMinor: string | null;
  }) => [
    number(row.availablePoints),
    number(row.pendingPoints),
    number(row.expiredPoints),
    number(row.points),
    money(row.valueMinor),
  ];
  const totals = ["", ...cells(report.total)];

  return (
    <Page
      title={t("liability.title")}
      subtitle={t("liability.subtitle")}
      backAction={{ content: t("nav.program"), url: "/app/loyalty" }}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="300">
            {report.valuation ? (
              <Banner tone="info">
                {t("liability.rule", {
                  reward: name(report.valuation.rewardName),
                  points: number(report.valuation.pointsCost),
                  amount: money(report.valuation.amountMinor),
                })}
              </Banner>
            ) : (
              <Banner tone="warning">{t("liability.noValuation")}</Banner>
            )}
            <InlineGrid columns={{ xs: 2, md: 4 }} gap="300">
              {[
                [t("liability.totalPoints"), number(report.total.points)],
                [t("liability.totalValue"), money(report.total.valueMinor)],
                [t("liability.held"), number(report.heldPoints)],
                [t("liability.debt"), number(report.debtPoints)],
              ].map(([label, value]) => (
                <Card key={label}>
                  <BlockStack gap="100">
                    <Text as="p" tone="subdued">
                      {label}
                    </Text>
                    <Text as="p" variant="headingLg">
                      {value}
                    </Text>
                  </BlockStack>
                </Card>
              ))}
            </InlineGrid>
            <Text as="p" tone="subdued">
              {t("liability.help")}
            </Text>
          </BlockStack>
        </Layout.Section>

        <SectionCard title={t("liability.byMonth.heading")} empty={report.byMonth.length === 0} emptyText={t("liability.empty")}>
          <BlockStack gap="300">
            <ExpiryChart
              emptyText={t("liability.empty")}
              series={[
                {
                  name: t("liability.available"),
                  color: "rgba(0, 128, 96, 1)",
                  data: report.byMonth.map((row) => ({
                    key: monthLabel(row.key),
                    value: row.availablePoints,
                  })),
                },
                {
                  name: t("liability.pending"),
                  color: "rgba(185, 137, 0, 1)",
                  data: report.byMonth.map((row) => ({
                    key: monthLabel(row.key),
                    value: row.pendingPoints,
                  })),
                },
                {
                  name: t("liability.expired"),
                  color: "rgba(140, 145, 150, 1)",
                  data: report.byMonth.map((row) => ({
                    key: monthLabel(row.key),
                    value: row.expiredPoints,
                  })),
                },
              ]}
            />
            <DataTable
              columnContentTypes={columns}
              headings={headings(t("liability.month"))}
              rows={report.byMonth.map((row) => [
                monthLabel(row.key),
                ...cells(row),
              ])}
              totals={totals}
              totalsName={{
                singular: t("dataSync.total"),
                plural: t("dataSync.total"),
              }}
              showTotalsInFooter
            />
          </BlockStack>
        </SectionCard>

        <SectionCard title={t("liability.byTier.heading")} empty={report.byTier.length === 0} emptyText={t("liability.empty")}>
          <DataTable
            columnContentTypes={columns}
            headings={headings(t("liability.tier"))}
            rows={report.byTier.map((row) => [
              tierLabel(row),
              ...cells(row),
            ])}
            totals={totals}
            totalsName={{
              singular: t("dataSync.total"),
              plural: t("dataSync.total"),
            }}
            showTotalsInFooter
          />
        </SectionCard>
      </Layout>
    </Page>
  );
}
