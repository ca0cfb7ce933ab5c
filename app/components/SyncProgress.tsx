/**
 * Pieces shared by the Data sync and Import pages: run status badges, translated stable codes,
 * and polling while work is in progress.
 */
import { useEffect } from "react";
import { useRevalidator } from "@remix-run/react";
import { Badge } from "@shopify/polaris";
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
