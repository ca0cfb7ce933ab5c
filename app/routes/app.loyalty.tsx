import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, type FetcherWithComponents } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  Checkbox,
  ChoiceList,
  DataTable,
  Divider,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useState } from "react";
import { authenticateAdmin } from "../services/admin-context.server";
import { getProgramSettingsPage, saveProgramSettings } from "../services/loyalty-settings.server";
import { domainErrorResponse } from "../services/http-errors.server";
import { isDomainError } from "../domain/errors";
import { ROUNDING_MODES } from "../domain/money";
import {
  nextRowId,
  toSettingsFormValues,
  type RewardFormValues,
  type RewardKind,
  type SettingsFormValues,
  type TierFormValues,
} from "../domain/loyalty/settings-form";
import { useI18n } from "../i18n/i18n-context";
import { useFieldErrors } from "../components/loyalty/field-errors";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateAdmin(request);
  const page = await getProgramSettingsPage({ shop: shop.shop });
  return {
    currency: page.currency,
    version: page.version,
    values: toSettingsFormValues(page.settings),
    history: page.history.map((row) => ({ ...row, effectiveFrom: row.effectiveFrom.toISOString(), createdAt: row.createdAt.toISOString() })),
    branches: page.branches,
    timezone: shop.timezone,
  };
};

/** Who saved a version, as the history shows it: the staff member's name, else email, else the session. */
function staffLabel(session: Awaited<ReturnType<typeof authenticateAdmin>>["session"]): string {
  const user = session.onlineAccessInfo?.associated_user;
  const name = [user?.first_name, user?.last_name].filter(Boolean).join(" ");
  return name || user?.email || session.id;
}

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, session } = await authenticateAdmin(request);
  const form = await request.formData();
  let input: unknown = null;
  try {
    input = JSON.parse(String(form.get("settings") ?? ""));
  } catch {
    input = null; // the service answers 422 for unreadable input
  }
  try {
    const result = await saveProgramSettings({ shop: shop.shop, input, staff: staffLabel(session) });
    return Response.json({ ok: true, ...result });
  } catch (error) {
    if (isDomainError(error)) return domainErrorResponse(error);
    throw error;
  }
};

type ActionData = { ok: true; status: "CREATED" | "UNCHANGED"; version: number } | { code: string; message: string; fieldErrors?: Record<string, string[]> };

const REWARD_KINDS: RewardKind[] = ["FIXED_AMOUNT", "PERCENTAGE", "FREE_SHIPPING"];

function emptyTier(taken: string[]): TierFormValues {
  return { id: nextRowId("tier", taken), nameEn: "", nameAr: "", threshold: "", earnMultiplier: "1", benefitsEn: "", benefitsAr: "" };
}

function emptyReward(taken: string[]): RewardFormValues {
  return { id: nextRowId("reward", taken), nameEn: "", nameAr: "", enabled: true, kind: "FIXED_AMOUNT", pointsCost: "", minOrder: "", amount: "", percent: "", maxDiscount: "", maxShipping: "" };
}

export default function LoyaltySettings() {
  const data = useLoaderData<typeof loader>();
  const fetcher = useFetcher<ActionData>();
  // A new version remounts the form with what is stored (canonical: "1.50" -> "1.5"); a refused
  // save keeps what the merchant typed, so the field errors point at it.
  return <SettingsForm key={data.version ?? 0} data={data} fetcher={fetcher} />;
}

function SettingsForm({ data, fetcher }: { data: ReturnType<typeof useLoaderData<typeof loader>>; fetcher: FetcherWithComponents<ActionData> }) {
  const { t, dateTime, number } = useI18n();
  const [values, setValues] = useState<SettingsFormValues>(data.values as SettingsFormValues);

  const result = fetcher.data;
  const fieldErrors = result && "fieldErrors" in result ? result.fieldErrors : undefined;
  const error = useFieldErrors(fieldErrors);
  const set = <K extends keyof SettingsFormValues>(key: K) => (value: SettingsFormValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  const setTier = (index: number, patch: Partial<TierFormValues>) =>
    setValues((v) => ({ ...v, tiers: v.tiers.map((tier, i) => (i === index ? { ...tier, ...patch } : tier)) }));
  const setReward = (index: number, patch: Partial<RewardFormValues>) =>
    setValues((v) => ({ ...v, rewards: v.rewards.map((reward, i) => (i === index ? { ...reward, ...patch } : reward)) }));
  const save = () => fetcher.submit({ settings: JSON.stringify(values) }, { method: "post" });
  const saving = fetcher.state !== "idle";
  const currency = data.currency;
  const months = values.expiryKind === "NONE" ? null : values.expiryMonths;

  return (
    <Page
      title={t("loyalty.settings.title")}
      subtitle={t("loyalty.settings.subtitle")}
      primaryAction={{ content: t("common.save"), onAction: save, loading: saving }}
      secondaryActions={[{ content: t("nav.liability"), url: "/app/loyalty/liability" }]}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="300">
            {result && "ok" in result ? (
              <Banner tone="success">
                {result.status === "CREATED" ? t("loyalty.settings.saved", { version: number(result.version) }) : t("loyalty.settings.unchanged", { version: number(result.version) })}
              </Banner>
            ) : null}
            {result && "code" in result ? (
              <Banner tone="critical" title={t("loyalty.settings.invalid")}>
                {error("") ?? (result.code === "VALIDATION_FAILED" ? t("loyalty.settings.fixFields") : result.message)}
              </Banner>
            ) : null}
            {data.version === null ? <Banner tone="info">{t("loyalty.settings.defaults")}</Banner> : null}
          </BlockStack>
        </Layout.Section>

        <Layout.AnnotatedSection title={t("loyalty.settings.program.heading")} description={t("loyalty.settings.program.help")}>
          <Card>
            <Checkbox label={t("loyalty.settings.enabled")} checked={values.enabled} onChange={set("enabled")} helpText={t("loyalty.settings.enabled.help")} />
          </Card>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection title={t("loyalty.settings.earn.heading")} description={t("loyalty.settings.earn.help")}>
          <Card>
            <BlockStack gap="300">
              <TextField
                label={t("loyalty.settings.pointsPerUnit", { currency })}
                value={values.pointsPerUnit}
                onChange={set("pointsPerUnit")}
                autoComplete="off"
                inputMode="decimal"
                error={error("earn.pointsPerUnit")}
              />
              <Select
                label={t("loyalty.settings.rounding")}
                options={ROUNDING_MODES.map((mode) => ({ value: mode, label: t(`loyalty.rounding.${mode}`) }))}
                value={values.rounding}
                onChange={(value) => set("rounding")(value as SettingsFormValues["rounding"])}
                error={error("earn.rounding")}
              />
              <Checkbox label={t("loyalty.settings.includeShipping")} checked={values.includeShipping} onChange={set("includeShipping")} />
              <Checkbox label={t("loyalty.settings.includeTaxes")} checked={values.includeTaxes} onChange={set("includeTaxes")} />
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection title={t("loyalty.settings.multipliers.heading")} description={t("loyalty.settings.multipliers.help")}>
          <Card>
            <BlockStack gap="300">
              <InlineGrid columns={2} gap="300">
                <TextField label={t("loyalty.settings.online")} value={values.onlineMultiplier} onChange={set("onlineMultiplier")} autoComplete="off" inputMode="decimal" error={error("earn.channelMultipliers.online")} />
                <TextField label={t("loyalty.settings.pos")} value={values.posMultiplier} onChange={set("posMultiplier")} autoComplete="off" inputMode="decimal" error={error("earn.channelMultipliers.pos")} />
              </InlineGrid>
              <Divider />
              <Text as="h3" variant="headingSm">{t("loyalty.settings.branches.heading")}</Text>
              {branchRows(data.branches, values.branchMultipliers).length === 0 ? (
                <Text as="p" tone="subdued">{t("loyalty.settings.branches.none")}</Text>
              ) : (
                branchRows(data.branches, values.branchMultipliers).map((branch) => (
                  <TextField
                    key={branch.locationGid}
                    label={branch.name ?? t("loyalty.settings.branch", { id: branch.locationGid.split("/").pop() ?? branch.locationGid })}
                    helpText={t("loyalty.settings.branches.blank")}
                    value={values.branchMultipliers[branch.locationGid] ?? ""}
                    onChange={(value) => setValues((v) => ({ ...v, branchMultipliers: { ...v.branchMultipliers, [branch.locationGid]: value } }))}
                    autoComplete="off"
                    inputMode="decimal"
                    error={error(`earn.branchMultipliers.${branch.locationGid}`)}
                  />
                ))
              )}
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection title={t("loyalty.settings.bonuses.heading")} description={t("loyalty.settings.bonuses.help")}>
          <Card>
            <InlineGrid columns={2} gap="300">
              <TextField label={t("loyalty.settings.signupBonus")} value={values.signupBonusPoints} onChange={set("signupBonusPoints")} autoComplete="off" inputMode="numeric" error={error("earn.signupBonusPoints")} />
              <TextField label={t("loyalty.settings.birthdayBonus")} value={values.birthdayBonusPoints} onChange={set("birthdayBonusPoints")} autoComplete="off" inputMode="numeric" error={error("earn.birthdayBonusPoints")} />
            </InlineGrid>
          </Card>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection title={t("loyalty.settings.tiers.heading")} description={t("loyalty.settings.tiers.help")}>
          <BlockStack gap="300">
            {values.tiers.map((tier, index) => (
              <Card key={tier.id}>
                <BlockStack gap="300">
                  <InlineStack align="space-between" blockAlign="center">
                    <Text as="h3" variant="headingSm">{t("loyalty.settings.tier", { n: number(index + 1) })}</Text>
                    <Button variant="plain" tone="critical" onClick={() => setValues((v) => ({ ...v, tiers: v.tiers.filter((_, i) => i !== index) }))}>
                      {t("loyalty.settings.remove")}
                    </Button>
                  </InlineStack>
                  <InlineGrid columns={2} gap="300">
                    <TextField label={t("loyalty.settings.nameEn")} value={tier.nameEn} onChange={(value) => setTier(index, { nameEn: value })} autoComplete="off" error={error(`tiers.${index}.name.en`)} />
                    <TextField label={t("loyalty.settings.nameAr")} value={tier.nameAr} onChange={(value) => setTier(index, { nameAr: value })} autoComplete="off" error={error(`tiers.${index}.name.ar`)} />
                    <TextField label={t("loyalty.settings.threshold", { currency })} value={tier.threshold} onChange={(value) => setTier(index, { threshold: value })} autoComplete="off" inputMode="decimal" error={error(`tiers.${index}.thresholdMinor`)} />
                    <TextField label={t("loyalty.settings.tierMultiplier")} value={tier.earnMultiplier} onChange={(value) => setTier(index, { earnMultiplier: value })} autoComplete="off" inputMode="decimal" error={error(`tiers.${index}.earnMultiplier`)} />
                    <TextField label={t("loyalty.settings.benefitsEn")} value={tier.benefitsEn} onChange={(value) => setTier(index, { benefitsEn: value })} autoComplete="off" multiline={2} error={error(`tiers.${index}.benefits.en`)} />
                    <TextField label={t("loyalty.settings.benefitsAr")} value={tier.benefitsAr} onChange={(value) => setTier(index, { benefitsAr: value })} autoComplete="off" multiline={2} error={error(`tiers.${index}.benefits.ar`)} />
                  </InlineGrid>
                  {error(`tiers.${index}.id`) ? <Text as="p" tone="critical">{error(`tiers.${index}.id`)}</Text> : null}
                </BlockStack>
              </Card>
            ))}
            {error("tiers") ? <Banner tone="critical">{error("tiers")}</Banner> : null}
            <InlineStack>
              <Button onClick={() => setValues((v) => ({ ...v, tiers: [...v.tiers, emptyTier(v.tiers.map((tier) => tier.id))] }))}>{t("loyalty.settings.addTier")}</Button>
            </InlineStack>
          </BlockStack>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection title={t("loyalty.settings.timing.heading")} description={t("loyalty.settings.timing.help")}>
          <Card>
            <BlockStack gap="300">
              <TextField label={t("loyalty.settings.pendingDays")} helpText={t("loyalty.settings.pendingDays.help")} value={values.pendingDays} onChange={set("pendingDays")} autoComplete="off" inputMode="numeric" error={error("pendingDays")} />
              <ChoiceList
                title={t("loyalty.settings.expiry")}
                choices={[
                  { label: t("loyalty.expiry.NONE"), value: "NONE" },
                  { label: t("loyalty.expiry.AFTER_EARNING"), value: "AFTER_EARNING", helpText: t("loyalty.expiry.AFTER_EARNING.help") },
                  { label: t("loyalty.expiry.AFTER_INACTIVITY"), value: "AFTER_INACTIVITY", helpText: t("loyalty.expiry.AFTER_INACTIVITY.help") },
                ]}
                selected={[values.expiryKind]}
                onChange={([kind]) => set("expiryKind")(kind as SettingsFormValues["expiryKind"])}
                error={error("expiry.kind") ?? error("expiry")}
              />
              {months !== null ? (
                <TextField label={t("loyalty.settings.expiryMonths")} value={values.expiryMonths} onChange={set("expiryMonths")} autoComplete="off" inputMode="numeric" error={error("expiry.months")} />
              ) : null}
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection title={t("loyalty.settings.rewards.heading")} description={t("loyalty.settings.rewards.help")}>
          <BlockStack gap="300">
            <Card>
              <TextField label={t("loyalty.settings.maxShare")} helpText={t("loyalty.settings.maxShare.help")} value={values.maxOrderSharePercent} onChange={set("maxOrderSharePercent")} autoComplete="off" inputMode="numeric" suffix="%" error={error("maxOrderSharePercent")} />
            </Card>
            {values.rewards.map((reward, index) => (
              <Card key={reward.id}>
                <BlockStack gap="300">
                  <InlineStack align="space-between" blockAlign="center">
                    <Checkbox label={t("loyalty.settings.rewardEnabled")} checked={reward.enabled} onChange={(value) => setReward(index, { enabled: value })} />
                    <Button variant="plain" tone="critical" onClick={() => setValues((v) => ({ ...v, rewards: v.rewards.filter((_, i) => i !== index) }))}>
                      {t("loyalty.settings.remove")}
                    </Button>
                  </InlineStack>
                  <InlineGrid columns={2} gap="300">
                    <TextField label={t("loyalty.settings.nameEn")} value={reward.nameEn} onChange={(value) => setReward(index, { nameEn: value })} autoComplete="off" error={error(`rewards.${index}.name.en`)} />
                    <TextField label={t("loyalty.settings.nameAr")} value={reward.nameAr} onChange={(value) => setReward(index, { nameAr: value })} autoComplete="off" error={error(`rewards.${index}.name.ar`)} />
                    <Select
                      label={t("loyalty.settings.rewardKind")}
                      options={REWARD_KINDS.map((kind) => ({ value: kind, label: t(`loyalty.reward.${kind}`) }))}
                      value={reward.kind}
                      onChange={(kind) => setReward(index, { kind: kind as RewardKind })}
                      error={error(`rewards.${index}.kind`)}
                    />
                    <TextField label={t("loyalty.settings.pointsCost")} value={reward.pointsCost} onChange={(value) => setReward(index, { pointsCost: value })} autoComplete="off" inputMode="numeric" error={error(`rewards.${index}.pointsCost`)} />
                    {reward.kind === "FIXED_AMOUNT" ? (
                      <TextField label={t("loyalty.settings.amount", { currency })} value={reward.amount} onChange={(value) => setReward(index, { amount: value })} autoComplete="off" inputMode="decimal" error={error(`rewards.${index}.amountMinor`)} />
                    ) : null}
                    {reward.kind === "PERCENTAGE" ? (
                      <>
                        <TextField label={t("loyalty.settings.percent")} value={reward.percent} onChange={(value) => setReward(index, { percent: value })} autoComplete="off" inputMode="numeric" suffix="%" error={error(`rewards.${index}.percent`)} />
                        <TextField label={t("loyalty.settings.maxDiscount", { currency })} helpText={t("loyalty.settings.optional")} value={reward.maxDiscount} onChange={(value) => setReward(index, { maxDiscount: value })} autoComplete="off" inputMode="decimal" error={error(`rewards.${index}.maxDiscountMinor`)} />
                      </>
                    ) : null}
                    {reward.kind === "FREE_SHIPPING" ? (
                      <TextField label={t("loyalty.settings.maxShipping", { currency })} helpText={t("loyalty.settings.optional")} value={reward.maxShipping} onChange={(value) => setReward(index, { maxShipping: value })} autoComplete="off" inputMode="decimal" error={error(`rewards.${index}.maxShippingMinor`)} />
                    ) : null}
                    <TextField label={t("loyalty.settings.minOrder", { currency })} helpText={t("loyalty.settings.optional")} value={reward.minOrder} onChange={(value) => setReward(index, { minOrder: value })} autoComplete="off" inputMode="decimal" error={error(`rewards.${index}.minOrderMinor`)} />
                  </InlineGrid>
                  {error(`rewards.${index}.id`) ? <Text as="p" tone="critical">{error(`rewards.${index}.id`)}</Text> : null}
                </BlockStack>
              </Card>
            ))}
            {error("rewards") ? <Banner tone="critical">{error("rewards")}</Banner> : null}
            <InlineStack>
              <Button onClick={() => setValues((v) => ({ ...v, rewards: [...v.rewards, emptyReward(v.rewards.map((reward) => reward.id))] }))}>{t("loyalty.settings.addReward")}</Button>
            </InlineStack>
          </BlockStack>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection title={t("loyalty.settings.negative.heading")} description={t("loyalty.settings.negative.help")}>
          <Card>
            <ChoiceList
              title={t("loyalty.settings.negative.title")}
              choices={[
                { label: t("loyalty.negative.RECORD_SHORTFALL"), value: "RECORD_SHORTFALL", helpText: t("loyalty.negative.RECORD_SHORTFALL.help") },
                { label: t("loyalty.negative.ALLOW_NEGATIVE"), value: "ALLOW_NEGATIVE", helpText: t("loyalty.negative.ALLOW_NEGATIVE.help") },
              ]}
              selected={[values.negativeBalancePolicy]}
              onChange={([policy]) => set("negativeBalancePolicy")(policy as SettingsFormValues["negativeBalancePolicy"])}
              error={error("negativeBalancePolicy")}
            />
          </Card>
        </Layout.AnnotatedSection>

        <Layout.Section>
          <InlineStack align="end">
            <Button variant="primary" onClick={save} loading={saving}>{t("common.save")}</Button>
          </InlineStack>
        </Layout.Section>

        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">{t("loyalty.settings.history.heading")}</Text>
              <Text as="p" tone="subdued">{t("loyalty.settings.history.help")}</Text>
              {data.history.length === 0 ? (
                <Text as="p" tone="subdued">{t("loyalty.settings.history.none")}</Text>
              ) : (
                <DataTable
                  columnContentTypes={["numeric", "text", "text"]}
                  headings={[t("loyalty.settings.history.version"), t("loyalty.settings.history.effectiveFrom"), t("loyalty.settings.history.savedBy")]}
                  rows={data.history.map((row) => [number(row.version), dateTime(row.effectiveFrom, data.timezone), row.createdBy ?? "—"])}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

/** Branches with orders, plus any branch the saved settings still name (e.g. no orders stored yet). */
function branchRows(branches: Array<{ locationGid: string; name: string | null }>, saved: Record<string, string>) {
  const known = new Set(branches.map((branch) => branch.locationGid));
  return [...branches, ...Object.keys(saved).filter((gid) => !known.has(gid)).map((locationGid) => ({ locationGid, name: null }))];
}
