import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link as RemixLink, useLoaderData, useNavigate, useSearchParams } from "@remix-run/react";
import { BlockStack, Button, Card, DataTable, InlineStack, Layout, Page, Pagination, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod";
import { authenticateAdmin } from "../services/admin-context.server";
import { searchProfiles } from "../services/customer-profiles.server";
import { formatAmountMinor } from "../domain/money";
import { useI18n } from "../i18n/i18n-context";

const searchParams = z.object({
  q: z.string().max(200).catch(""),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateAdmin(request);
  const url = new URL(request.url);
  const { q, page } = searchParams.parse({ q: url.searchParams.get("q") ?? "", page: url.searchParams.get("page") ?? 1 });
  const result = await searchProfiles({ shop: shop.shop, country: shop.countryCode, query: q, page: page - 1 });
  return { ...result, q, timezone: shop.timezone };
};

export default function Customers() {
  const data = useLoaderData<typeof loader>();
  const { t, number, dateTime } = useI18n();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [query, setQuery] = useState(data.q);
  // Keeps the embedded app's own query parameters (host, shop, locale) while searching.
  const submitSearch = (event: React.FormEvent) => {
    event.preventDefault();
    const next = new URLSearchParams(params);
    next.delete("page");
    if (query.trim()) next.set("q", query.trim());
    else next.delete("q");
    navigate(`?${next.toString()}`);
  };
  const go = (page: number) => {
    const next = new URLSearchParams(params);
    next.set("page", String(page));
    navigate(`?${next.toString()}`);
  };

  return (
    <Page title={t("customers.title")} subtitle={t("customers.subtitle")}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <form onSubmit={submitSearch}>
                <InlineStack gap="200" blockAlign="end" wrap={false}>
                  <div style={{ flexGrow: 1 }}>
                    <TextField
                      label={t("customers.search.label")}
                      value={query}
                      onChange={setQuery}
                      autoComplete="off"
                      placeholder={t("customers.search.placeholder")}
                      clearButton
                      onClearButtonClick={() => setQuery("")}
                    />
                  </div>
                  <Button submit variant="primary">
                    {t("customers.search.submit")}
                  </Button>
                </InlineStack>
              </form>
              <Text as="p" tone="subdued">
                {t("customers.count", { count: number(data.total) })}
              </Text>
              {data.profiles.length === 0 ? (
                <Text as="p" tone="subdued">
                  {data.q ? t("customers.noMatch") : t("customers.empty")}
                </Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "numeric", "numeric", "numeric", "text"]}
                  headings={[
                    t("customers.col.name"),
                    t("customers.col.phone"),
                    t("customers.col.email"),
                    t("customers.col.records"),
                    t("customers.col.orders"),
                    t("customers.col.spent"),
                    t("customers.col.lastOrder"),
                  ]}
                  rows={data.profiles.map((p) => [
                    <RemixLink key={p.id} to={`/app/customers/${p.id}`}>
                      {p.displayName ?? t("customers.unnamed")}
                    </RemixLink>,
                    <bdi key="phone" dir="ltr">{p.phone ?? "—"}</bdi>,
                    <bdi key="email" dir="ltr">{p.email ?? "—"}</bdi>,
                    number(p.memberCount),
                    number(p.orderCount),
                    p.currency ? formatAmountMinor(BigInt(p.totalSpentMinor), p.currency) + " " + p.currency : "—",
                    p.lastOrderAt ? dateTime(p.lastOrderAt, data.timezone) : "—",
                  ])}
                />
              )}
              <InlineStack align="center">
                <Pagination
                  hasPrevious={data.page > 0}
                  hasNext={data.page + 1 < data.pageCount}
                  onPrevious={() => go(data.page)}
                  onNext={() => go(data.page + 2)}
                  label={t("customers.page", { page: number(data.page + 1), pages: number(data.pageCount) })}
                />
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
