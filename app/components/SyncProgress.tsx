/**
 * Pieces shared by the Data sync and Import pages: run status badges, translated stable codes,
 * and polling while work is in progress.
 */
import { useEffect } from "react";
import { useRevalidator } from "@remix-run/react";
import type { ReactNode } from "react";
import { Badge, BlockStack, InlineStack, ProgressBar, Text } from "@shopify/polaris";
import { useI18n } from "../i18n/i18n-context";
import { en, type MessageKey } from "../i18n/messages";

/** How often a page reloads its numbers while a backfill or import is in progress. */
export const POLL_MS = 3000;

/** Translates a stable code when a message exists for it (`<prefix>.<CODE>`), else shows the code. */
export function useCodeLabel() {
  const { t } = useI18n();
  return (prefix: string, code: string) => {
    const key = `${prefix}.${code}`;
    return key in en ? t(key as MessageKey) : code;
  };
}

export function RunStatusBadge({ status }: { status: string }) {
  const label = useCodeLabel();
  const tone = status === "COMPLETED" ? "success" : status === "FAILED" ? "critical" : status === "CANCELLED" ? undefined : "attention";
  return <Badge tone={tone}>{label("runStatus", status)}</Badge>;
}

/** Revalidates the page's loaders every POLL_MS while `active`, so progress bars move. */
export function usePolling(active: boolean) {
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [active, revalidator]);
}

/** Percent done for a ProgressBar; 0 while the total is unknown. */
export const percent = (done: number, total: number | null) => (total && total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0);

export const runTone = (status: string) => (status === "FAILED" ? "critical" : status === "COMPLETED" ? "success" : "highlight");

/** One long-running job (a backfill or an import): title, status, progress bar, counts, error. */
export function RunProgress(props: { title: string; status: string; done: number; total: number | null; detail: ReactNode; error?: string | null }) {
  return (
    <BlockStack gap="100">
      <InlineStack gap="200" blockAlign="center">
        <Text as="h3" variant="headingSm">
          {props.title}
        </Text>
        <RunStatusBadge status={props.status} />
      </InlineStack>
      <ProgressBar progress={props.status === "COMPLETED" ? 100 : percent(props.done, props.total)} tone={runTone(props.status)} size="small" />
      <Text as="p" tone="subdued">
        {props.detail}
      </Text>
      {props.error ? (
        <Text as="p" tone="critical">
          {props.error}
        </Text>
      ) : null}
    </BlockStack>
  );
}
