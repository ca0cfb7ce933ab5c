import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, InlineGrid, InlineStack, Layout, List, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod";
import { authenticateAdmin } from "../services/admin-context.server";
import { getReviewQueue } from "../services/customer-profiles.server";
import { decideReviewPair, setJunkIdentifier } from "../services/resolve-identity.server";
import { useI18n } from "../i18n/i18n-context";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateAdmin(request);
  return getReviewQueue({ shop: shop.shop });
};

const actionForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.enum(["approve", "reject"]), memberA: z.string().min(1).max(300), memberB: z.string().min(1).max(300) }),
  z.object({ intent: z.enum(["addJunk", "removeJunk"]), kind: z.enum(["EMAIL", "PHONE"]), value: z.string().trim().min(1).max(200) }),
]);

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, session } = await authenticateAdmin(request);
  const parsed = actionForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return Response.json({ code: "INVALID_INPUT", message: "Invalid form", fieldErrors: parsed.error.flatten().fieldErrors }, { status: 422 });
  const form = parsed.data;
  if ("memberA" in form) {
    const decidedBy = session.onlineAccessInfo?.associated_user.email ?? session.id;
    const ok = await decideReviewPair({ shop: shop.shop, memberA: form.memberA, memberB: form.memberB, decision: form.intent === "approve" ? "APPROVED" : "REJECTED", decidedBy });
    if (!ok) return Response.json({ code: "PAIR_NOT_FOUND", message: "This pair is no longer waiting for review." }, { status: 409 });
    return Response.json({ ok: true });
  }
  const ok = await setJunkIdentifier({ shop: shop.shop, kind: form.kind, raw: form.value, active: form.intent === "addJunk" });
  if (!ok) return Response.json({ code: "INVALID_INPUT", message: "Not a valid email or phone", fieldErrors: { value: ["invalid"] } }, { status: 422 });
  return Response.json({ ok: true });
};

type Side = { kind: string | null; name: string | null; email: string | null; phone: string | null; city: string | null; address: string | null };

function SideCard({ side }: { side: Side }) {
  const { t } = useI18n();
  return (
    <Card background="bg-surface-secondary">
      <BlockStack gap="100">
        <InlineStack gap="200">
          <Badge>{side.kind === "ORDER" ? t("profile.member.guestOrder") : t("profile.member.customer")}</Badge>
          <Text as="span" fontWeight="semibold">{side.name ?? t("customers.unnamed")}</Text>
        </InlineStack>
        <Text as="p"><bdi dir="ltr">{side.phone ?? "—"}</bdi></Text>
        <Text as="p"><bdi dir="ltr">{side.email ?? "—"}</bdi></Text>
        <Text as="p" tone="subdued">{[side.address, side.city].filter(Boolean).join(", ") || "—"}</Text>
      </BlockStack>
    </Card>
  );
}

export default function Review() {
  const data = useLoaderData<typeof loader>();
  const { t, number } = useI18n();
  const fetcher = useFetcher<{ ok?: boolean; fieldErrors?: Record<string, string[]> }>();
  const [kind, setKind] = useState("PHONE");
  const [value, setValue] = useState("");
  const junkError = fetcher.data?.fieldErrors?.value ? t("review.junk.invalid") : undefined;

  return (
    <Page title={t("review.title")} subtitle={t("review.subtitle")}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="300">
            {data.pairs.length === 0 ? (
              <Card>
                <Text as="p" tone="subdued">{t("review.empty")}</Text>
              </Card>
            ) : null}
            {data.pairs.map((p) => (
              <Card key={`${p.memberA}|${p.memberB}`}>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingSm">{t("review.score", { score: number(p.score) })}</Text>
                  <InlineGrid columns={2} gap="300">
                    <SideCard side={p.a} />
                    <SideCard side={p.b} />
                  </InlineGrid>
                  <List>
                    {p.reasons.map((r, i) => (
                      <List.Item key={i}>
                        <Text as="span" tone={r.weight < 0 ? "critical" : "success"}>{r.weight > 0 ? "+" : ""}{number(r.weight)}</Text> {r.text}
                      </List.Item>
                    ))}
                  </List>
                  <InlineStack gap="200">
                    <Button variant="primary" onClick={() => fetcher.submit({ intent: "approve", memberA: p.memberA, memberB: p.memberB }, { method: "post" })}>
                      {t("review.approve")}
                    </Button>
                    <Button tone="critical" onClick={() => fetcher.submit({ intent: "reject", memberA: p.memberA, memberB: p.memberB }, { method: "post" })}>
                      {t("review.reject")}
                    </Button>
                  </InlineStack>
                </BlockStack>
              </Card>
            ))}
          </BlockStack>
        </Layout.Section>

        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">{t("review.junk.heading")}</Text>
              <Text as="p" tone="subdued">{t("review.junk.help")}</Text>
              {data.junk.length === 0 ? <Text as="p" tone="subdued">{t("review.junk.none")}</Text> : null}
              {data.junk.map((j) => (
                <InlineStack key={`${j.kind}|${j.value}`} align="space-between" blockAlign="center">
                  <InlineStack gap="200" blockAlign="center">
                    <Badge tone={j.active ? "warning" : undefined}>{j.kind === "PHONE" ? t("review.junk.phone") : t("review.junk.email")}</Badge>
                    <bdi dir="ltr">{j.value}</bdi>
                    <Text as="span" tone="subdued">{j.active ? (j.source === "MERCHANT" ? t("review.junk.byMerchant") : t("review.junk.detected")) : t("review.junk.allowed")}</Text>
                  </InlineStack>
                  <Button variant="plain" onClick={() => fetcher.submit({ intent: j.active ? "removeJunk" : "addJunk", kind: j.kind, value: j.value }, { method: "post" })}>
                    {j.active ? t("review.junk.remove") : t("review.junk.add")}
                  </Button>
                </InlineStack>
              ))}
              <fetcher.Form method="post">
                <input type="hidden" name="intent" value="addJunk" />
                <InlineStack gap="200" blockAlign="end">
                  <Select label={t("review.junk.kind")} name="kind" options={[{ label: t("review.junk.phone"), value: "PHONE" }, { label: t("review.junk.email"), value: "EMAIL" }]} value={kind} onChange={setKind} />
                  <TextField label={t("review.junk.value")} name="value" value={value} onChange={setValue} autoComplete="off" error={junkError} />
                  <Button submit>{t("review.junk.add")}</Button>
                </InlineStack>
              </fetcher.Form>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
