import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigate, useSearchParams } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, DataTable, InlineGrid, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { z } from "zod";
import { authenticateAdmin } from "../services/admin-context.server";
import { getProfileView } from "../services/customer-profiles.server";
import { splitMember } from "../services/resolve-identity.server";
import { adjustPoints } from "../services/adjust-points.server";
import { getWalletView, parseEntryCursor } from "../services/loyalty-wallet-view.server";
import { getWalletBirthday, setWalletBirthday } from "../services/wallet-birthday.server";
import { domainErrorResponse } from "../services/http-errors.server";
import { listCustomerMerges, previewProfileCustomerMerge, requestCustomerMerge } from "../services/merge-shopify-customers.server";
import type { AdminGraphql } from "../shopify/graphql-client";
import { isDomainError } from "../domain/errors";
import { toAsciiNumber } from "../domain/loyalty/settings-form";
import { AdjustPointsForm, WalletCard, WalletTimeline, type AdjustActionData } from "../components/loyalty/WalletCard";
import { BirthdayForm, type BirthdayActionData } from "../components/loyalty/BirthdayForm";
import { MergeCustomersCard, type MergeActionData } from "../components/MergeCustomersCard";
import { formatAmountMinor } from "../domain/money";
import { useI18n } from "../i18n/i18n-context";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await authenticateAdmin(request);
  const view = await getProfileView({ shop: shop.shop, profileId: params.profileId ?? "", now: new Date() });
  if (!view) throw new Response("Not found", { status: 404 });
  if ("redirectTo" in view) throw redirect(`/app/customers/${view.redirectTo}`);
  const before = parseEntryCursor(new URL(request.url).searchParams.get("entriesBefore"));
  const [wallet, birthday, customerMerges] = await Promise.all([
    getWalletView({ shop: shop.shop, profileId: view.profile.id, now: new Date(), before }),
    getWalletBirthday({ shop: shop.shop, profileId: view.profile.id }),
    listCustomerMerges({ shop: shop.shop, profileId: view.profile.id }),
  ]);
  // A fresh id per rendering of the form: resubmitting the same form adjusts (or merges) once.
  return { ...view, wallet, birthday, customerMerges, adjustRequestId: crypto.randomUUID(), mergeRequestId: crypto.randomUUID(), timezone: shop.timezone };
};

const splitForm = z.object({ intent: z.literal("split"), memberKey: z.string().min(1).max(300) });

/** A signed whole number as staff type it: "+50", "-20", "٥٠"; anything else is NaN for the service to reject. */
function parsePoints(value: FormDataEntryValue | null): number {
  const text = toAsciiNumber(String(value ?? "")).replace(/^\u2212/, "-");
  return /^[+-]?\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
}

async function adjust(form: FormData, shop: string, profileId: string, session: Awaited<ReturnType<typeof authenticateAdmin>>["session"]) {
  const user = session.onlineAccessInfo?.associated_user;
  const staffName = [user?.first_name, user?.last_name].filter(Boolean).join(" ") || user?.email || null;
  try {
    const result = await adjustPoints({
      shop,
      profileId,
      points: parsePoints(form.get("points")),
      reason: String(form.get("reason") ?? ""),
      staffId: user ? String(user.id) : session.id,
      staffName,
      requestId: String(form.get("requestId") ?? ""),
    });
    return Response.json({ ok: true, intent: "adjust", ...result });
  } catch (error) {
    if (isDomainError(error)) return domainErrorResponse(error);
    throw error;
  }
}

async function saveBirthday(form: FormData, shop: string, profileId: string) {
  try {
    const { birthday } = await setWalletBirthday({ shop, profileId, month: form.get("month"), day: form.get("day") });
    return Response.json({ ok: true, intent: "birthday", birthday });
  } catch (error) {
    if (isDomainError(error)) return domainErrorResponse(error);
    throw error;
  }
}

/** "merge-preview": Shopify's blockers for two customers; "merge": the confirmed merge (idempotent by requestId). */
async function mergeCustomers(form: FormData, shop: string, profileId: string, context: Awaited<ReturnType<typeof authenticateAdmin>>) {
  const input = { customerOneGid: form.get("customerOneGid"), customerTwoGid: form.get("customerTwoGid"), requestId: form.get("requestId") };
  const graphql = context.admin.graphql as unknown as AdminGraphql;
  try {
    if (form.get("intent") === "merge-preview") {
      const preview = await previewProfileCustomerMerge({ shop, profileId, graphql, input });
      return Response.json({ ok: true, intent: "merge-preview", ...preview });
    }
    const requestedBy = context.session.onlineAccessInfo?.associated_user.email ?? context.session.id;
    const merge = await requestCustomerMerge({ shop, profileId, graphql, input, requestedBy });
    return Response.json({ ok: true, intent: "merge", merge });
  } catch (error) {
    if (isDomainError(error)) return domainErrorResponse(error);
    throw error;
  }
}

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const context = await authenticateAdmin(request);
  const { shop, session } = context;
  const form = await request.formData();
  if (form.get("intent") === "adjust") return adjust(form, shop.shop, params.profileId ?? "", session);
  if (form.get("intent") === "birthday") return saveBirthday(form, shop.shop, params.profileId ?? "");
  if (form.get("intent") === "merge" || form.get("intent") === "merge-preview") return mergeCustomers(form, shop.shop, params.profileId ?? "", context);
  const parsed = splitForm.safeParse(Object.fromEntries(form));
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
  const adjustFetcher = useFetcher<AdjustActionData>();
  const birthdayFetcher = useFetcher<BirthdayActionData>();
  const previewFetcher = useFetcher<MergeActionData>();
  const mergeFetcher = useFetcher<MergeActionData>();
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const showEntries = (before: string | null) => {
    const next = new URLSearchParams(searchParams);
    if (before) next.set("entriesBefore", before);
    else next.delete("entriesBefore");
    navigate(`?${next.toString()}`, { preventScrollReset: true });
  };
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
          <BlockStack gap="400">
            <WalletCard wallet={data.wallet} timezone={data.timezone} />
            <AdjustPointsForm fetcher={adjustFetcher} requestId={data.adjustRequestId} />
            <BirthdayForm fetcher={birthdayFetcher} birthday={data.birthday} />
            <WalletTimeline wallet={data.wallet} timezone={data.timezone} onPage={showEntries} />
          </BlockStack>
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

        {data.members.filter((m) => m.kind === "CUSTOMER").length >= 2 || data.customerMerges.length > 0 ? (
          <Layout.Section>
            <MergeCustomersCard
              customers={data.members.filter((m) => m.kind === "CUSTOMER").map((m) => ({ gid: m.memberKey, name: m.name, email: m.email, phone: m.phone }))}
              merges={data.customerMerges}
              requestId={data.mergeRequestId}
              previewFetcher={previewFetcher}
              mergeFetcher={mergeFetcher}
            />
          </Layout.Section>
        ) : null}

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
