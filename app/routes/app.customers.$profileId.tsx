import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, DataTable, InlineGrid, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { z } from "zod";
import { authenticateAdmin } from "../services/admin-context.server";
import { getProfileView } from "../services/customer-profiles.server";
import { splitMember } from "../services/resolve-identity.server";
import { formatAmountMinor } from "../domain/money";
import { useI18n } from "../i18n/i18n-context";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await authenticateAdmin(request);
  const view = await getProfileView({ shop: shop.shop, profileId: params.profileId ?? "", now: new Date() });
  if (!view) throw new Response("Not found", { status: 404 });
  if ("redirectTo" in view) throw redirect(`/app/customers/${view.redirectTo}`);
  return { ...view, timezone: shop.timezone };
};

const splitForm = z.object({ intent: z.literal("split"), memberKey: z.string().min(1).max(300) });

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop, session } = await authenticateAdmin(request);
  const parsed = splitForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return Response.json({ code: "INVALID_INPUT", message: "memberKey is required", fieldErrors: parsed.error.flatten().fieldErrors }, { status: 422 });
  const decidedBy = session.onlineAccessInfo?.associated_user.email ?? session.id;
  const ok = await splitMember({ shop: shop.shop, profileId: params.profileId ?? "", memberKey: parsed.data.memberKey, decidedBy });
  if (!ok) return Response.json({ code: "NOT_A_MEMBER", message: "This record is not in this profile." }, { status: 409 });
  return Response.json({ ok: true });
};

function money(amountMinor: string, currency: string | null) {
  return currency ? `${formatAmountMinor(BigInt(amountMinor), currency)} ${currency}` : "—";
}

export default function CustomerProfile() {
  const data = useLoaderData<typeof loader>();
  const { t, number, dateTime } = useI18n();
  const fetcher = useFetcher();
  const when = (v: string | null) => (v ? dateTime(v, data.timezone) : "—");
  const { profile, metrics } = data;

  return (
    <Page backAction={{ content: t("customers.title"), url: "/app/customers" }} title={profile.displayName ?? t("customers.unnamed")} subtitle={[profile.phone, profile.email].filter(Boolean).join(" · ")}>
      <Layout>
        <Layout.Section>
          <InlineGrid columns={{ xs: 2, md: 4 }} gap="300">
            {[
              [t("profile.metric.visits"), number(metrics.visits)],
              [t("profile.metric.visitsPerMonth"), number(metrics.visitsPerMonth)],
              [t("profile.metric.total"), money(metrics.totalSpentMinor, profile.currency)],
              [t("profile.metric.average"), money(metrics.averageMinor, profile.currency)],
            ].map(([label, value]) => (
              <Card key={label}>
                <BlockStack gap="100">
                  <Text as="p" tone="subdued">{label}</Text>
                  <Text as="p" variant="headingLg">{value}</Text>
                </BlockStack>
              </Card>
            ))}
          </InlineGrid>
        </Layout.Section>

        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">{t("profile.members.heading")}</Text>
              {data.members.map((m) => (
                <InlineStack key={m.memberKey} align="space-between" blockAlign="center" gap="300">
                  <BlockStack gap="100">
                    <InlineStack gap="200" blockAlign="center">
                      <Badge tone={m.kind === "CUSTOMER" ? "info" : undefined}>{m.kind === "CUSTOMER" ? t("profile.member.customer") : t("profile.member.guestOrder")}</Badge>
                      <Text as="span" fontWeight="semibold">{m.name ?? t("customers.unnamed")}</Text>
                      <bdi dir="ltr">{[m.phone, m.email].filter(Boolean).join(" · ")}</bdi>
                    </InlineStack>
                    <Text as="p" tone="subdued">
                      {m.linkReason ? t("profile.member.linkedBecause", { reason: m.linkReason, score: number(m.linkScore ?? 0) }) : t("profile.member.first")}
                    </Text>
                    <Text as="p" tone="subdued" variant="bodySm"><bdi dir="ltr">{m.memberKey}</bdi></Text>
                  </BlockStack>
                  {data.members.length > 1 ? (
                    <fetcher.Form method="post">
                      <input type="hidden" name="intent" value="split" />
                      <input type="hidden" name="memberKey" value={m.memberKey} />
                      <Button submit tone="critical" variant="plain" loading={fetcher.state !== "idle" && fetcher.formData?.get("memberKey") === m.memberKey}>
                        {t("profile.member.split")}
                      </Button>
                    </fetcher.Form>
                  ) : null}
                </InlineStack>
              ))}
            </BlockStack>
          </Card>
        </Layout.Section>

        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">{t("profile.invoices.heading", { count: number(data.invoices.length) })}</Text>
              {data.invoices.length === 0 ? (
                <Text as="p" tone="subdued">{t("profile.invoices.none")}</Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "numeric"]}
                  headings={[t("profile.invoices.order"), t("profile.invoices.date"), t("profile.invoices.channel"), t("profile.invoices.branch"), t("profile.invoices.total")]}
                  rows={data.invoices.map((o) => [
                    o.cancelled ? `${o.name} (${t("profile.invoices.cancelled")})` : o.name,
                    when(o.at),
                    o.channel === "POS" ? t("profile.channel.pos") : t("profile.channel.online"),
                    o.branch ?? "—",
                    money(o.totalMinor, o.currency),
                  ])}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>

        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">{t("profile.products.heading")}</Text>
              {data.products.length === 0 ? (
                <Text as="p" tone="subdued">{t("profile.products.none")}</Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "numeric"]}
                  headings={[t("profile.products.title"), t("profile.products.sku"), t("profile.products.quantity")]}
                  rows={data.products.map((p) => [p.title, p.sku ?? "—", number(p.quantity)])}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
