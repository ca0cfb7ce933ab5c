/**
 * The wallet's birthday on the profile page: month and day pickers (the names in the staff
 * member's language), saved through the route's "birthday" intent.
 */
import type { FetcherWithComponents } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineGrid, InlineStack, Select, Text } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useI18n } from "../../i18n/i18n-context";
import type { MessageKey } from "../../i18n/messages";
import { useFieldErrors } from "./field-errors";

export type BirthdayActionData =
  | { ok: true; intent: "birthday"; birthday: { month: number; day: number } | null }
  | { code: string; message: string; fieldErrors?: Record<string, string[]> };

const MONTHS = Array.from({ length: 12 }, (_, i) => i + 1);
const DAYS = Array.from({ length: 31 }, (_, i) => i + 1);

export function BirthdayForm({ fetcher, birthday }: { fetcher: FetcherWithComponents<BirthdayActionData>; birthday: { month: number; day: number } | null }) {
  const { t, number } = useI18n();
  const [month, setMonth] = useState(birthday ? String(birthday.month) : "");
  const [day, setDay] = useState(birthday ? String(birthday.day) : "");
  const result = fetcher.data;
  const error = useFieldErrors(result && "fieldErrors" in result ? result.fieldErrors : undefined);
  useEffect(() => {
    setMonth(birthday ? String(birthday.month) : "");
    setDay(birthday ? String(birthday.day) : "");
  }, [birthday]);
  const saved = result && "ok" in result && fetcher.state === "idle" ? result : null;

  return (
    <Card>
      <fetcher.Form method="post">
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h2" variant="headingMd">{t("wallet.birthday.heading")}</Text>
            <Text as="span" tone="subdued">
              {birthday ? `${number(birthday.day)} ${t(`month.${birthday.month}` as MessageKey)}` : t("wallet.birthday.none")}
            </Text>
          </InlineStack>
          <Text as="p" tone="subdued">{t("wallet.birthday.help")}</Text>
          {saved ? <Banner tone="success">{t(saved.birthday ? "wallet.birthday.saved" : "wallet.birthday.cleared")}</Banner> : null}
          {result && "code" in result && result.code !== "VALIDATION_FAILED" ? <Banner tone="critical">{result.code === "NOT_FOUND" ? t("error.notFound") : result.message}</Banner> : null}
          <input type="hidden" name="intent" value="birthday" />
          <InlineGrid columns={{ xs: 2, md: 3 }} gap="300">
            <Select
              label={t("wallet.birthday.month")}
              name="month"
              value={month}
              onChange={setMonth}
              error={error("month")}
              options={[{ label: "—", value: "" }, ...MONTHS.map((m) => ({ label: t(`month.${m}` as MessageKey), value: String(m) }))]}
            />
            <Select
              label={t("wallet.birthday.day")}
              name="day"
              value={day}
              onChange={setDay}
              error={error("day")}
              options={[{ label: "—", value: "" }, ...DAYS.map((d) => ({ label: number(d), value: String(d) }))]}
            />
          </InlineGrid>
          <InlineStack align="end">
            <Button submit loading={fetcher.state !== "idle"}>{t("wallet.birthday.submit")}</Button>
          </InlineStack>
        </BlockStack>
      </fetcher.Form>
    </Card>
  );
}
