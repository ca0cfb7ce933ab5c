import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, DataTable, InlineStack, Layout, Page, ProgressBar, Text } from "@shopify/polaris";
import { authenticateAdmin } from "../services/admin-context.server";
import { getDataSyncReport, requestBackfill } from "../services/data-sync.server";
import { domainErrorResponse } from "../services/http-errors.server";
import { isDomainError } from "../domain/errors";
import { useI18n } from "../i18n/i18n-context";
import { SectionCard } from "../components/SectionCard";
import { percent, RunProgress, useCodeLabel, usePolling } from "../components/SyncProgress";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateAdmin(request);
  return getDataSyncReport({ shop: shop.shop });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await authenticateAdmin(request);
  try {
    const { runIds } = await requestBackfill({ shop: shop.shop });
    return Response.json({ ok: true, runIds });
  } catch (error) {
    if (isDomainError(error)) return domainErrorResponse(error);
    throw error;
  }
};

type ActionData = { ok: true; runIds: string[] } | { code: string; message: string; fieldErrors?: Record<string, string[]> };

export default function DataSync() {
  const report = useLoaderData<typeof loader>();
  const fetcher = useFetcher<ActionData>();
  const { t, number, dateTime } = useI18n();
  const codeLabel = useCodeLabel();
  usePolling(report.active);
  const when = (value: string | null) => (value ? dateTime(value, report.timezone) : "—");
  const backfillError = fetcher.data && "fieldErrors" in fetcher.data ? fetcher.data.fieldErrors?.backfill : undefined;
  const backfillRunning = report.backfills.some((b) => b.status === "PENDING" || b.status === "RUNNING");

  return (
    <Page title={t("dataSync.title")} subtitle={t("dataSync.subtitle")}>
      <Layout>
        {report.identityRekey ? (
          <SectionCard title={t("dataSync.rekey.heading")}>
            <Text as="p">{t("dataSync.rekey.explain")}</Text>
            <ProgressBar progress={percent(report.identityRekey.done, report.identityRekey.total)} tone="highlight" size="small" />
            <Text as="p" tone="subdued">
              {report.identityRekey.started
                ? t("dataSync.rekey.progress", { done: number(report.identityRekey.done), total: number(report.identityRekey.total) })
                : t("dataSync.rekey.waiting", { total: number(report.identityRekey.total) })}
            </Text>
          </SectionCard>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  {t("dataSync.receipts.heading")}
                </Text>
                <Text as="p" tone="subdued">
                  {t("home.stats.lastEvent")}: {report.lastEventAt ? when(report.lastEventAt) : t("home.stats.never")}
                </Text>
              </InlineStack>
              {report.topics.length === 0 ? (
                <Text as="p" tone="subdued">
                  {t("dataSync.receipts.empty")}
                </Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "text"]}
                  headings={[
                    t("dataSync.receipts.topic"),
                    t("dataSync.receipts.accepted"),
                    t("dataSync.receipts.processed"),
                    t("dataSync.receipts.rejected"),
                    t("dataSync.receipts.failed"),
                    t("dataSync.receipts.lastReceived"),
                  ]}
                  rows={report.topics.map((row) => [row.topic, number(row.accepted), number(row.processed), number(row.rejected), number(row.failed), when(row.lastReceivedAt)])}
                  totals={["", number(report.totals.accepted), number(report.totals.processed), number(report.totals.rejected), number(report.totals.failed), ""]}
                  totalsName={{ singular: t("dataSync.total"), plural: t("dataSync.total") }}
                  showTotalsInFooter
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>

        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  {t("dataSync.backfill.heading")}
                </Text>
                <fetcher.Form method="post">
                  <Button submit loading={fetcher.state !== "idle"} disabled={backfillRunning}>
                    {t("dataSync.backfill.start")}
                  </Button>
                </fetcher.Form>
              </InlineStack>
              {backfillError ? <Banner tone="warning">{t("dataSync.backfill.alreadyRunning")}</Banner> : null}
              {report.backfills.length === 0 ? (
                <Text as="p" tone="subdued">
                  {t("dataSync.backfill.none")}
                </Text>
              ) : (
                report.backfills.map((run) => (
                  <RunProgress
                    key={run.id}
                    title={codeLabel("dataSync.resource", run.resource)}
                    status={run.status}
                    done={run.importedLines}
                    total={run.totalObjects}
                    error={run.error}
                    detail={
                      <>
                        {run.totalObjects === null
                          ? t("dataSync.backfill.countUnknown", { imported: number(run.importedObjects) })
                          : t("dataSync.backfill.count", { imported: number(run.importedObjects), read: number(run.importedLines), total: number(run.totalObjects) })}
                        {" · "}
                        {t("dataSync.startedAt", { at: when(run.startedAt) })}
                      </>
                    }
                  />
                ))
              )}
            </BlockStack>
          </Card>
        </Layout.Section>

        <SectionCard title={t("dataSync.imports.heading")} empty={report.imports.length === 0} emptyText={t("dataSync.imports.none")}>
          {report.imports.map((run) => (
            <RunProgress
              key={run.id}
              title={run.fileName}
              status={run.status}
              done={run.processedOrders}
              total={run.orders}
              error={run.error}
              detail={
                <>
                  {t("dataSync.imports.progress", {
                    processed: number(run.processedOrders),
                    orders: number(run.orders),
                    accepted: number(run.acceptedRows),
                    rejected: number(run.rejectedRows),
                  })}
                  {" · "}
                  {t("dataSync.startedAt", { at: when(run.startedAt) })}
                </>
              }
            />
          ))}
        </SectionCard>

        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("dataSync.failures.heading")}
              </Text>
              {report.failedReceipts.length === 0 && report.deadJobs.length === 0 ? (
                <Text as="p" tone="subdued">
                  {t("dataSync.failures.none")}
                </Text>
              ) : null}
              {report.failedReceipts.length > 0 ? (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text"]}
                  headings={[t("dataSync.receipts.topic"), t("dataSync.receivedAt"), t("dataSync.failures.failedAt"), t("dataSync.reason")]}
                  rows={report.failedReceipts.map((r) => [r.topic, when(r.receivedAt), when(r.failedAt), r.reason])}
                />
              ) : null}
              {report.deadJobs.length > 0 ? (
                <BlockStack gap="200">
                  <Text as="h3" variant="headingSm">
                    {t("dataSync.deadJobs.heading", { count: number(report.deadJobCount) })}
                  </Text>
                  <DataTable
                    columnContentTypes={["text", "text", "numeric", "text", "text"]}
                    headings={[t("dataSync.deadJobs.task"), t("dataSync.receipts.topic"), t("dataSync.deadJobs.attempts"), t("dataSync.failures.failedAt"), t("dataSync.reason")]}
                    rows={report.deadJobs.map((j) => [j.task, j.topic ?? "—", number(j.attempts), when(j.failedAt), j.lastError ?? ""])}
                  />
                </BlockStack>
              ) : null}
            </BlockStack>
          </Card>
        </Layout.Section>

        <SectionCard title={t("dataSync.rejected.heading", { count: number(report.totals.rejected) })} empty={report.rejected.length === 0} emptyText={t("dataSync.rejected.none")}>
          <DataTable
            columnContentTypes={["text", "text", "text", "text"]}
            headings={[t("dataSync.receipts.topic"), t("dataSync.receivedAt"), t("dataSync.rejected.code"), t("dataSync.reason")]}
            rows={report.rejected.map((r) => [r.topic, when(r.receivedAt), codeLabel("dataSync.rejectCode", r.code), r.reason])}
          />
        </SectionCard>

        {report.jobs.length > 0 ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("dataSync.jobs.heading")}
                </Text>
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "numeric"]}
                  headings={[t("dataSync.deadJobs.task"), t("dataSync.jobs.waiting"), t("dataSync.jobs.retrying"), t("dataSync.jobs.dead")]}
                  rows={report.jobs.map((j) => [j.task, number(j.waiting), number(j.retrying), number(j.dead)])}
                />
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}
