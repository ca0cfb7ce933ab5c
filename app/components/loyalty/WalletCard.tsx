/**
 * The loyalty part of a unified profile: the wallet's balances and tier, the manual adjustment
 * form, and the timeline of ledger entries. Presentational: the route passes data and its fetcher.
 */
import type { FetcherWithComponents } from "@remix-run/react";
import { Banner, Badge, BlockStack, Button, Card, DataTable, InlineGrid, InlineStack, Pagination, ProgressBar, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { SYSTEM_STAFF_ID } from "../../domain/loyalty/bonuses";
import { formatAmountMinor } from "../../domain/money";
import { useI18n } from "../../i18n/i18n-context";
import type { MessageKey } from "../../i18n/messages";
import { useFieldErrors } from "./field-errors";

export interface WalletEntryView {
  id: string;
  kind: string;
  points: number;
  balanceAfter: number;
  occurredAt: string;
  source: string;
  channel: string | null;
  locationGid: string | null;
  orderGid: string | null;
  orderName: string | null;
  branchName: string | null;
  reason: string | null;
  staffId: string | null;
  staffName: string | null;
  shortfallPoints: number;
  debtRepaidPoints: number;
  expiredPoints: number;
}

export interface WalletCardData {
  programEnabled: boolean;
  hasProgram: boolean;
  currency: string | null;
  balancePoints: number;
  availablePoints: number;
  pendingPoints: number;
  expiredPoints: number;
  heldPoints: number;
  debtPoints: number;
  tierId: string | null;
  tier: { id: string; name: { en: string; ar: string } } | null;
  tierSpendMinor: string;
  nextTier: { id: string; name: { en: string; ar: string }; remainingMinor: string } | null;
  progressPercent: number;
  nextExpiry: { at: string; points: number } | null;
  entries: WalletEntryView[];
  nextBefore: string | null;
  firstPage: boolean;
}

export type AdjustActionData =
  | { ok: true; intent: "adjust"; status: "APPLIED" | "DUPLICATE"; balancePoints: number }
  | { code: string; message: string; fieldErrors?: Record<string, string[]>; details?: Record<string, unknown> };

const KIND_KEYS = new Set(["EARN", "BONUS", "REDEEM", "REVERSAL", "ADJUSTMENT", "EXPIRY", "RESERVE", "RELEASE", "SETTLE", "TRANSFER_OUT", "TRANSFER_IN"]);
const SOURCE_KEYS = new Set(["ORDER", "REFUND", "CANCELLATION", "RESERVATION", "STAFF", "JOB", "PROFILE"]);
/** Reason codes the app itself writes; a staff member's reason is free text, shown as typed. */
const REASON_KEYS = new Set(["SIGNUP", "BIRTHDAY", "REFUND", "CANCELLED", "LOT_EXPIRED", "INACTIVITY", "DUPLICATE_SIGNUP_BONUS"]);

/** Shopify admin link of an order; imported orders have no page in Shopify. */
function orderUrl(orderGid: string): string | null {
  const match = /^gid:\/\/shopify\/Order\/(\d+)$/.exec(orderGid);
  return match ? `shopify://admin/orders/${match[1]}` : null;
}

export function WalletCard({ wallet, timezone }: { wallet: WalletCardData; timezone: string }) {
  const { t, number, dateTime, locale } = useI18n();
  const name = (text: { en: string; ar: string }) => (locale === "ar" ? text.ar || text.en : text.en || text.ar);
  const money = (minor: string) => (wallet.currency ? `${formatAmountMinor(BigInt(minor), wallet.currency)} ${wallet.currency}` : minor);
  const stats: Array<[string, string]> = [
    [t("wallet.balance"), number(wallet.balancePoints)],
    [t("wallet.available"), number(wallet.availablePoints)],
    [t("wallet.pending"), number(wallet.pendingPoints)],
    [t("wallet.held"), number(wallet.heldPoints)],
    [t("wallet.expired"), number(wallet.expiredPoints)],
  ];
  if (wallet.debtPoints > 0) stats.push([t("wallet.debt"), number(wallet.debtPoints)]);

  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">{t("wallet.heading")}</Text>
          {!wallet.hasProgram ? <Badge>{t("wallet.noProgram")}</Badge> : !wallet.programEnabled ? <Badge tone="warning">{t("wallet.programOff")}</Badge> : null}
        </InlineStack>
        <InlineGrid columns={{ xs: 2, md: stats.length }} gap="300">
          {stats.map(([label, value]) => (
            <BlockStack key={label} gap="100">
              <Text as="p" tone="subdued">{label}</Text>
              <Text as="p" variant="headingLg">{value}</Text>
            </BlockStack>
          ))}
        </InlineGrid>
        {wallet.debtPoints > 0 ? <Banner tone="warning">{t("wallet.debt.help", { points: number(wallet.debtPoints) })}</Banner> : null}
        <BlockStack gap="200">
          <InlineStack gap="200" blockAlign="center">
            <Text as="span" fontWeight="semibold">{t("wallet.tier")}:</Text>
            <Text as="span">{wallet.tier ? name(wallet.tier.name) : wallet.tierId ? wallet.tierId : t("wallet.noTier")}</Text>
            <Text as="span" tone="subdued">{t("wallet.tierSpend", { amount: money(wallet.tierSpendMinor) })}</Text>
          </InlineStack>
          {wallet.nextTier ? (
            <>
              <ProgressBar progress={wallet.progressPercent} size="small" />
              <Text as="p" tone="subdued">{t("wallet.nextTier", { tier: name(wallet.nextTier.name), amount: money(wallet.nextTier.remainingMinor) })}</Text>
            </>
          ) : null}
        </BlockStack>
        <Text as="p" tone="subdued">
          {wallet.nextExpiry
            ? t("wallet.nextExpiry", { points: number(wallet.nextExpiry.points), at: dateTime(wallet.nextExpiry.at, timezone) })
            : t("wallet.noExpiry")}
        </Text>
      </BlockStack>
    </Card>
  );
}

export function AdjustPointsForm({ fetcher, requestId }: { fetcher: FetcherWithComponents<AdjustActionData>; requestId: string }) {
  const { t, number } = useI18n();
  const [points, setPoints] = useState("");
  const [reason, setReason] = useState("");
  const result = fetcher.data;
  const fieldErrors = result && "fieldErrors" in result ? result.fieldErrors : undefined;
  const error = useFieldErrors(fieldErrors);
  useEffect(() => {
    if (result && "ok" in result && fetcher.state === "idle") {
      setPoints("");
      setReason("");
    }
  }, [result, fetcher.state]);
  const insufficient = result && "code" in result && result.code === "INSUFFICIENT_POINTS" ? result.details : null;

  return (
    <Card>
      <fetcher.Form method="post">
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">{t("wallet.adjust.heading")}</Text>
          <Text as="p" tone="subdued">{t("wallet.adjust.help")}</Text>
          {result && "ok" in result ? (
            <Banner tone="success">
              {t(result.status === "APPLIED" ? "wallet.adjust.applied" : "wallet.adjust.duplicate", { balance: number(result.balancePoints) })}
            </Banner>
          ) : null}
          {insufficient ? (
            <Banner tone="critical">
              {t("wallet.adjust.insufficient", { required: number(Number(insufficient.requiredPoints ?? 0)), available: number(Number(insufficient.availablePoints ?? 0)) })}
            </Banner>
          ) : null}
          {result && "code" in result && result.code !== "INSUFFICIENT_POINTS" && result.code !== "VALIDATION_FAILED" ? (
            <Banner tone="critical">{result.code === "NOT_FOUND" ? t("error.notFound") : result.message}</Banner>
          ) : null}
          {error("requestId") || error("staffId") ? <Banner tone="critical">{t("wallet.adjust.reload")}</Banner> : null}
          <input type="hidden" name="intent" value="adjust" />
          <input type="hidden" name="requestId" value={requestId} />
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
            <TextField label={t("wallet.adjust.points")} helpText={t("wallet.adjust.points.help")} name="points" value={points} onChange={setPoints} autoComplete="off" inputMode="numeric" error={error("points")} />
            <TextField label={t("wallet.adjust.reason")} name="reason" value={reason} onChange={setReason} autoComplete="off" error={error("reason")} />
          </InlineGrid>
          <InlineStack align="end">
            <Button submit variant="primary" loading={fetcher.state !== "idle"}>{t("wallet.adjust.submit")}</Button>
          </InlineStack>
        </BlockStack>
      </fetcher.Form>
    </Card>
  );
}

export function WalletTimeline({ wallet, timezone, onPage }: { wallet: WalletCardData; timezone: string; onPage: (before: string | null) => void }) {
  const { t, number, dateTime } = useI18n();
  const label = (prefix: string, code: string, known: Set<string>) => (known.has(code) ? t(`${prefix}.${code}` as MessageKey) : code);
  const signed = (points: number) => (points > 0 ? `+${number(points)}` : number(points));

  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">{t("wallet.timeline.heading")}</Text>
        {wallet.entries.length === 0 ? (
          <Text as="p" tone="subdued">{t("wallet.timeline.none")}</Text>
        ) : (
          <DataTable
            columnContentTypes={["text", "text", "numeric", "numeric", "text", "text", "text"]}
            headings={[
              t("wallet.timeline.date"),
              t("wallet.timeline.kind"),
              t("wallet.timeline.points"),
              t("wallet.timeline.balanceAfter"),
              t("wallet.timeline.source"),
              t("wallet.timeline.order"),
              t("wallet.timeline.details"),
            ]}
            rows={wallet.entries.map((entry) => {
              const url = entry.orderGid ? orderUrl(entry.orderGid) : null;
              const where = [
                entry.channel === "POS" ? t("profile.channel.pos") : entry.channel === "ONLINE" ? t("profile.channel.online") : null,
                entry.branchName ?? (entry.locationGid ? t("loyalty.settings.branch", { id: entry.locationGid.split("/").pop() ?? "" }) : null),
              ].filter(Boolean);
              const details = [
                entry.reason
                  ? t("wallet.timeline.reason", { reason: entry.source === "STAFF" ? entry.reason : label("wallet.reason", entry.reason, REASON_KEYS) })
                  : null,
                entry.staffId === SYSTEM_STAFF_ID
                  ? t("wallet.timeline.system")
                  : entry.staffName || entry.staffId
                    ? t("wallet.timeline.staff", { staff: entry.staffName ?? entry.staffId ?? "" })
                    : null,
                entry.shortfallPoints > 0 ? t("wallet.timeline.shortfall", { points: number(entry.shortfallPoints) }) : null,
                entry.debtRepaidPoints > 0 ? t("wallet.timeline.debtRepaid", { points: number(entry.debtRepaidPoints) }) : null,
                entry.expiredPoints > 0 ? t("wallet.timeline.expiredOnRelease", { points: number(entry.expiredPoints) }) : null,
              ].filter(Boolean);
              const orderLabel = entry.orderGid ? (entry.orderName ?? entry.orderGid.split("/").pop() ?? entry.orderGid) : "—";
              return [
                dateTime(entry.occurredAt, timezone),
                label("wallet.kind", entry.kind, KIND_KEYS),
                signed(entry.points),
                number(entry.balanceAfter),
                [label("wallet.source", entry.source, SOURCE_KEYS), ...where].join(" · "),
                url ? (
                  <a key={entry.id} href={url} target="_top">
                    {orderLabel}
                  </a>
                ) : (
                  orderLabel
                ),
                details.join(" · ") || "—",
              ];
            })}
          />
        )}
        {wallet.nextBefore || !wallet.firstPage ? (
          <InlineStack align="center">
            <Pagination
              hasPrevious={!wallet.firstPage}
              onPrevious={() => onPage(null)}
              previousTooltip={t("wallet.timeline.newest")}
              hasNext={wallet.nextBefore !== null}
              onNext={() => onPage(wallet.nextBefore)}
              nextTooltip={t("wallet.timeline.older")}
            />
          </InlineStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}
