/**
 * "Merge in Shopify" on the profile page: choose two of the profile's Shopify customers, ask
 * Shopify what it would do (its blockers, translated by code), confirm, and see the merge's state.
 * Talks to the route's "merge-preview" and "merge" intents.
 */
import type { FetcherWithComponents } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, InlineGrid, InlineStack, List, Select, Text } from "@shopify/polaris";
import { useState } from "react";
import { useI18n } from "../i18n/i18n-context";
import type { MessageKey } from "../i18n/messages";
import type { CustomerMergeBlocker, CustomerMergeView } from "../shopify/customer-merge";

type Blocker = CustomerMergeBlocker;

/** A merge request as the page shows it. */
export type MergeRequestView = CustomerMergeView;

export type MergeActionData =
  | { ok: true; intent: "merge-preview"; resultingCustomerGid: string | null; blockers: Blocker[] }
  | { ok: true; intent: "merge"; merge: MergeRequestView }
  | { code: string; message: string; fieldErrors?: Record<string, string[]> };

type Customer = { gid: string; name: string | null; email: string | null; phone: string | null };

const KNOWN_BLOCKERS = new Set([
  "COMPANY_CONTACT", "CUSTOMER_PAYMENT_METHODS", "DELETED_AT", "GIFT_CARDS", "MERGE_IN_PROGRESS", "MULTIPASS_IDENTIFIER",
  "OVERRIDE_FIELDS", "PENDING_DATA_REQUEST", "REDACTED_AT", "STORE_CREDIT", "SUBSCRIPTIONS", "NOTE_TOO_LONG", "TOO_MANY_TAGS",
]);
const KNOWN_ERRORS = new Set(["VALIDATION_FAILED", "CUSTOMER_NOT_IN_PROFILE", "CUSTOMER_MERGE_IN_PROGRESS", "SHOPIFY_UNAVAILABLE", "SHOPIFY_SCOPE_MISSING", "CONFLICT"]);

export function MergeCustomersCard({ customers, merges, requestId, previewFetcher, mergeFetcher }: {
  customers: Customer[];
  merges: MergeRequestView[];
  requestId: string;
  previewFetcher: FetcherWithComponents<MergeActionData>;
  mergeFetcher: FetcherWithComponents<MergeActionData>;
}) {
  const { t, dateTime } = useI18n();
  const [one, setOne] = useState(customers[0]?.gid ?? "");
  const [two, setTwo] = useState(customers[1]?.gid ?? "");
  // The preview shown is the one of the pair chosen now: another choice needs another check.
  const [checked, setChecked] = useState<string | null>(null);
  const label = (gid: string | null) => {
    const c = customers.find((x) => x.gid === gid);
    return c ? [c.name ?? t("customers.unnamed"), c.email ?? c.phone].filter(Boolean).join(" · ") : (gid?.split("/").pop() ?? "—");
  };
  const options = customers.map((c) => ({ label: label(c.gid), value: c.gid }));
  const blockerText = (b: Blocker) => (KNOWN_BLOCKERS.has(b.code) ? t(`profile.merge.blocker.${b.code}` as MessageKey) : t("profile.merge.blocker.UNKNOWN", { message: b.message }));
  const errorText = (r: { code: string; message: string }) => (KNOWN_ERRORS.has(r.code) ? t(`profile.merge.error.${r.code}` as MessageKey) : r.message);

  const preview = previewFetcher.data;
  const previewed = preview && "intent" in preview && preview.intent === "merge-preview" && previewFetcher.state === "idle" && checked === `${one}|${two}` ? preview : null;
  const result = mergeFetcher.state === "idle" ? mergeFetcher.data : undefined;
  const merged = result && "intent" in result && result.intent === "merge" ? result.merge : null;
  const failure = [preview, result].find((r): r is { code: string; message: string } => !!r && "code" in r);

  const status = (m: MergeRequestView) => {
    if (m.status === "COMPLETED") return <Banner tone="success">{t("profile.merge.status.COMPLETED", { kept: label(m.resultingCustomerGid), away: label(m.mergedAwayGid) })}</Banner>;
    if (m.status === "RUNNING") return <Banner tone="info">{t("profile.merge.status.RUNNING")}</Banner>;
    if (m.status === "PENDING") return <Banner tone="warning">{t("profile.merge.status.PENDING")}</Banner>;
    return (
      <Banner tone="critical" title={t(m.status === "BLOCKED" ? "profile.merge.blocked" : "profile.merge.status.FAILED")}>
        <List>{m.blockers.map((b, i) => <List.Item key={i}>{blockerText(b)}</List.Item>)}</List>
      </Banner>
    );
  };

  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">{t("profile.merge.heading")}</Text>
        <Text as="p" tone="subdued">{t("profile.merge.help")}</Text>
        {customers.length >= 2 ? (
          <>
            <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
              <Select label={t("profile.merge.customerOne")} options={options} value={one} onChange={setOne} />
              <Select label={t("profile.merge.customerTwo")} options={options} value={two} onChange={setTwo} />
            </InlineGrid>
            <InlineStack gap="200" align="end">
              <previewFetcher.Form method="post" onSubmit={() => setChecked(`${one}|${two}`)}>
                <input type="hidden" name="intent" value="merge-preview" />
                <input type="hidden" name="customerOneGid" value={one} />
                <input type="hidden" name="customerTwoGid" value={two} />
                <Button submit disabled={one === two} loading={previewFetcher.state !== "idle"}>{t("profile.merge.check")}</Button>
              </previewFetcher.Form>
            </InlineStack>
          </>
        ) : null}
        {failure ? <Banner tone="critical">{errorText(failure)}</Banner> : null}
        {previewed && previewed.blockers.length > 0 ? (
          <Banner tone="critical" title={t("profile.merge.blocked")}>
            <List>{previewed.blockers.map((b, i) => <List.Item key={i}>{blockerText(b)}</List.Item>)}</List>
          </Banner>
        ) : null}
        {previewed && previewed.blockers.length === 0 && !merged ? (
          <Banner tone="warning">
            <BlockStack gap="200">
              <Text as="p">{t("profile.merge.keeps", { name: label(previewed.resultingCustomerGid) })}</Text>
              <mergeFetcher.Form method="post">
                <input type="hidden" name="intent" value="merge" />
                <input type="hidden" name="customerOneGid" value={one} />
                <input type="hidden" name="customerTwoGid" value={two} />
                <input type="hidden" name="requestId" value={requestId} />
                <Button submit tone="critical" variant="primary" loading={mergeFetcher.state !== "idle"}>{t("profile.merge.confirm")}</Button>
              </mergeFetcher.Form>
            </BlockStack>
          </Banner>
        ) : null}
        {merged ? status(merged) : null}
        {merges.length > 0 ? (
          <BlockStack gap="200">
            <Text as="h3" variant="headingSm">{t("profile.merge.history")}</Text>
            {merges.map((m) => (
              <InlineStack key={m.requestId} gap="200" blockAlign="center">
                <Badge tone={m.status === "COMPLETED" ? "success" : m.status === "FAILED" ? "critical" : "info"}>{t(`profile.merge.badge.${m.status === "BLOCKED" ? "FAILED" : m.status}` as MessageKey)}</Badge>
                <Text as="span">{m.createdAt ? dateTime(m.createdAt) : ""}</Text>
                <bdi dir="ltr">{[m.customerOneGid, m.customerTwoGid].map((g) => g.split("/").pop()).join(" + ")}</bdi>
                {m.status === "FAILED" && m.blockers.length ? <Text as="span" tone="critical">{m.blockers.map(blockerText).join("; ")}</Text> : null}
              </InlineStack>
            ))}
          </BlockStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}
