import { useCallback, useEffect, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Link as RemixLink, useActionData, useLoaderData, useNavigation, useSearchParams, useSubmit } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  Collapsible,
  DataTable,
  DropZone,
  FormLayout,
  InlineGrid,
  InlineStack,
  Layout,
  List,
  Page,
  Pagination,
  ProgressBar,
  Text,
  TextField,
} from "@shopify/polaris";
import { authenticateAdmin } from "../services/admin-context.server";
import { parseFileUpload } from "../services/csv-upload.server";
import { getImportReport, importUploadedOrders } from "../services/import-upload.server";
import { domainErrorResponse } from "../services/http-errors.server";
import { isDomainError } from "../domain/errors";
import { IMPORT_COLUMNS, REQUIRED_COLUMNS } from "../domain/order-import";
import { useI18n } from "../i18n/i18n-context";
import { percent, RunStatusBadge, runTone, useCodeLabel, usePolling } from "../components/SyncProgress";

const MAX_UPLOAD_MB = 200;

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateAdmin(request);
  const url = new URL(request.url);
  return getImportReport({ shop: shop.shop, runId: url.searchParams.get("run"), page: Number(url.searchParams.get("page") ?? 1) });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await authenticateAdmin(request);
  try {
    const { file, fields } = await parseFileUpload(request, { fileField: "file", maxBytes: MAX_UPLOAD_MB * 1024 * 1024 });
    const result = await importUploadedOrders({ shop: shop.shop, file, fields });
    return Response.json({ ok: true, ...result });
  } catch (error) {
    if (isDomainError(error)) return domainErrorResponse(error);
    throw error;
  }
};

type ActionData =
  | { ok: true; runId: string; duplicate: boolean; status: string; error: string | null }
  | { code: string; message: string; fieldErrors?: Record<string, string[]> };

function FormatSummary() {
  const { t } = useI18n();
  return (
    <Card>
      <BlockStack gap="300">
        <span id="format" />
        <Text as="h2" variant="headingMd">
          {t("import.format.heading")}
        </Text>
        <Text as="p">{t("import.format.intro")}</Text>
        <List>
          <List.Item>{t("import.format.required", { columns: REQUIRED_COLUMNS.join(", ") })}</List.Item>
          <List.Item>{t("import.format.titleOrSku")}</List.Item>
          <List.Item>{t("import.format.optional")}</List.Item>
          <List.Item>{t("import.format.dates")}</List.Item>
          <List.Item>{t("import.format.prices")}</List.Item>
          <List.Item>{t("import.format.channel")}</List.Item>
        </List>
        <Text as="h3" variant="headingSm">
          {t("import.format.rulesHeading")}
        </Text>
        <List type="number">
          <List.Item>{t("import.format.ruleBadRow")}</List.Item>
          <List.Item>{t("import.format.ruleConflict")}</List.Item>
          <List.Item>{t("import.format.ruleAdjacent")}</List.Item>
          <List.Item>{t("import.format.ruleHeader")}</List.Item>
          <List.Item>{t("import.format.ruleReimport")}</List.Item>
        </List>
        <Text as="p" tone="subdued">
          {t("import.format.docs")}
        </Text>
      </BlockStack>
    </Card>
  );
}

export default function ImportOrders() {
  const report = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const [searchParams, setSearchParams] = useSearchParams();
  const { t, number, dateTime } = useI18n();
  const codeLabel = useCodeLabel();
  const [file, setFile] = useState<File | null>(null);
  const [mappingOpen, setMappingOpen] = useState(false);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  usePolling(report.active);

  const importedRunId = actionData && "ok" in actionData ? actionData.runId : null;
  useEffect(() => {
    if (importedRunId && importedRunId !== searchParams.get("run")) setSearchParams({ run: importedRunId });
  }, [importedRunId, searchParams, setSearchParams]);

  const onDrop = useCallback((_all: File[], accepted: File[]) => setFile(accepted[0] ?? null), []);
  const busy = navigation.state === "submitting";
  const upload = () => {
    if (!file) return;
    const form = new FormData();
    for (const column of IMPORT_COLUMNS) {
      const value = mapping[column]?.trim();
      if (value) form.append(`map.${column}`, value);
    }
    form.append("file", file);
    submit(form, { method: "post", encType: "multipart/form-data" });
  };

  const errors = actionData && "fieldErrors" in actionData ? (actionData.fieldErrors ?? {}) : {};
  const fileError = errors.file ? (actionData && "message" in actionData && actionData.message === "Upload too large" ? t("import.error.tooLarge", { mb: MAX_UPLOAD_MB }) : t("import.error.noFile")) : null;
  const run = report.run;
  const when = (value: string | null) => (value ? dateTime(value, report.timezone) : "—");
  const pages = Math.max(1, Math.ceil(report.rejectionCount / report.pageSize));
  const goToPage = (page: number) => setSearchParams({ ...(run ? { run: run.id } : {}), page: String(page) });
  const first = (report.page - 1) * report.pageSize + 1;

  return (
    <Page title={t("import.title")} subtitle={t("import.subtitle")}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <Text as="h2" variant="headingMd">
                {t("import.upload.heading")}
              </Text>
              <Text as="p" tone="subdued">
                {t("import.upload.help", { mb: MAX_UPLOAD_MB })} <a href="#format">{t("import.upload.formatLink")}</a>
              </Text>
              {fileError ? <Banner tone="critical">{fileError}</Banner> : null}
              {actionData && "ok" in actionData && actionData.duplicate ? <Banner tone="info">{t("import.result.duplicate")}</Banner> : null}
              <DropZone accept=".csv,text/csv" type="file" allowMultiple={false} onDrop={onDrop} label={t("import.upload.label")}>
                {file ? (
                  <BlockStack inlineAlign="center" gap="100">
                    <Text as="p" variant="bodyMd" fontWeight="semibold">
                      {file.name}
                    </Text>
                    <Text as="p" tone="subdued">
                      {t("import.upload.size", { mb: number(Math.round((file.size / 1024 / 1024) * 10) / 10) })}
                    </Text>
                  </BlockStack>
                ) : (
                  <DropZone.FileUpload actionTitle={t("import.upload.choose")} actionHint={t("import.upload.hint")} />
                )}
              </DropZone>
              <InlineStack gap="300">
                <Button onClick={() => setMappingOpen((open) => !open)} disclosure={mappingOpen ? "up" : "down"} variant="plain">
                  {t("import.mapping.toggle")}
                </Button>
              </InlineStack>
              <Collapsible id="column-mapping" open={mappingOpen}>
                <BlockStack gap="200">
                  <Text as="p" tone="subdued">
                    {t("import.mapping.help")}
                  </Text>
                  <FormLayout>
                    <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
                      {IMPORT_COLUMNS.map((column) => (
                        <TextField
                          key={column}
                          label={column}
                          autoComplete="off"
                          placeholder={column}
                          value={mapping[column] ?? ""}
                          onChange={(value) => setMapping((m) => ({ ...m, [column]: value }))}
                          error={errors[`map.${column}`] ? t("import.mapping.invalid") : undefined}
                        />
                      ))}
                    </InlineGrid>
                  </FormLayout>
                </BlockStack>
              </Collapsible>
              <InlineStack>
                <Button variant="primary" onClick={upload} disabled={!file} loading={busy}>
                  {t("import.upload.submit")}
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>

        {run ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <InlineStack gap="200" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    {t("import.report.heading", { file: run.fileName })}
                  </Text>
                  <RunStatusBadge status={run.status} />
                </InlineStack>
                {run.error ? <Banner tone={run.status === "FAILED" ? "critical" : "warning"}>{run.error}</Banner> : null}
                <ProgressBar progress={run.status === "COMPLETED" ? 100 : percent(run.processedOrders, run.orders)} tone={runTone(run.status)} size="small" />
                <Text as="p">
                  {t("dataSync.imports.progress", {
                    processed: number(run.processedOrders),
                    orders: number(run.orders),
                    accepted: number(run.acceptedRows),
                    rejected: number(run.rejectedRows),
                  })}
                </Text>
                <Text as="p" tone="subdued">
                  {t("import.report.rows", { total: number(run.totalRows) })} · {t("dataSync.startedAt", { at: when(run.startedAt) })}
                </Text>
                <Text as="h3" variant="headingSm">
                  {t("import.report.rejectedHeading", { count: number(report.rejectionCount) })}
                </Text>
                {report.rejections.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {t("import.report.noRejections")}
                  </Text>
                ) : (
                  <BlockStack gap="200">
                    <Text as="p" tone="subdued">
                      {t("import.report.showing", {
                        from: number(first),
                        to: number(first + report.rejections.length - 1),
                        total: number(report.rejectionCount),
                      })}
                    </Text>
                    <DataTable
                      columnContentTypes={["numeric", "text", "text"]}
                      headings={[t("import.report.row"), t("import.report.code"), t("dataSync.reason")]}
                      rows={report.rejections.map((r) => [number(r.rowNumber), codeLabel("import.code", r.code), r.reason])}
                    />
                    {pages > 1 ? (
                      <InlineStack align="center">
                        <Pagination
                          hasPrevious={report.page > 1}
                          onPrevious={() => goToPage(report.page - 1)}
                          hasNext={report.page < pages}
                          onNext={() => goToPage(report.page + 1)}
                          label={t("import.report.page", { page: number(report.page), pages: number(pages) })}
                        />
                      </InlineStack>
                    ) : null}
                  </BlockStack>
                )}
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}

        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            {report.recent.length > 0 ? (
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {t("import.recent.heading")}
                  </Text>
                  {report.recent.map((r) => (
                    <InlineStack key={r.id} gap="200" blockAlign="center" wrap={false}>
                      <RemixLink to={`?run=${r.id}`}>{r.fileName}</RemixLink>
                      <RunStatusBadge status={r.status} />
                      <Text as="span" tone="subdued">
                        {when(r.startedAt)}
                      </Text>
                    </InlineStack>
                  ))}
                </BlockStack>
              </Card>
            ) : null}
            <FormatSummary />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
