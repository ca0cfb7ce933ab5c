/**
 * The admin's CSV import page (#3 item 5): an uploaded file goes through importOrdersFile (the
 * service the CLI uses), then the page shows the run's validation report and processing progress.
 */
import { z } from "zod";
import { IMPORT_COLUMNS, type ImportColumn } from "../domain/order-import";
import { ValidationError } from "../domain/errors";
import { requireShop } from "../models/shop.server";
import { countImportRejections, getLatestImportRun } from "../models/import-run.server";
import { getImportRun, importOrdersFile, listImportRejections, listRecentImportRuns } from "./import-orders.server";
import { removeUpload, type UploadedFile } from "./csv-upload.server";

/** Rejected rows shown per page of the report. */
export const REJECTIONS_PAGE_SIZE = 200;

/** Form field of the mapping text field for a documented column. */
export const mappingField = (column: ImportColumn) => `map.${column}`;

const header = z.string().trim().max(200);

/**
 * The mapping text fields (documented column -> the file's header) as importOrdersFile wants them
 * (file header -> documented column). Blank fields are "same name"; two columns cannot take one header.
 */
export function parseColumnMapping(fields: Record<string, string>): Record<string, string> {
  const mapping: Record<string, string> = {};
  const errors: Record<string, string[]> = {};
  const seen = new Map<string, ImportColumn>();
  for (const column of IMPORT_COLUMNS) {
    const parsed = header.safeParse(fields[mappingField(column)] ?? "");
    if (!parsed.success) {
      errors[mappingField(column)] = ["A header name is at most 200 characters."];
      continue;
    }
    if (!parsed.data) continue;
    const key = parsed.data.toLowerCase();
    const other = seen.get(key);
    if (other) {
      errors[mappingField(column)] = [`"${parsed.data}" is already mapped to ${other}.`];
      continue;
    }
    seen.set(key, column);
    mapping[parsed.data] = column;
  }
  if (Object.keys(errors).length) throw new ValidationError(errors, "Invalid column mapping");
  return mapping;
}

/**
 * Imports an uploaded CSV for the shop with the form's column mapping, and removes the temporary
 * file whatever happens. ValidationError for a missing file or a bad mapping (nothing imported).
 */
export async function importUploadedOrders({ shop, file, fields }: { shop: string; file: UploadedFile | null; fields: Record<string, string> }) {
  try {
    const columnMapping = parseColumnMapping(fields);
    if (!file || file.bytes === 0) throw new ValidationError({ file: ["Choose a CSV file to import."] }, "No file");
    return await importOrdersFile({ shop, filePath: file.path, fileName: file.name.slice(0, 255), columnMapping });
  } finally {
    await removeUpload(file);
  }
}

/** One import run (the one asked for, else the latest) with a page of its rejected rows. */
export async function getImportReport({ shop, runId, page = 1 }: { shop: string; runId: string | null; page?: number }) {
  const [record, recent] = await Promise.all([requireShop({ shop }), listRecentImportRuns({ shop, take: 10 })]);
  const run = runId ? await getImportRun({ shop, id: runId }) : await getLatestImportRun({ shop });
  const safePage = Math.max(1, Math.floor(page) || 1);
  const [rejections, rejectionCount] = run
    ? await Promise.all([
        listImportRejections({ shop, importRunId: run.id, skip: (safePage - 1) * REJECTIONS_PAGE_SIZE, take: REJECTIONS_PAGE_SIZE }),
        countImportRejections({ shop, importRunId: run.id }),
      ])
    : [[], 0];
  return {
    timezone: record.timezone,
    run: run && {
      id: run.id,
      fileName: run.fileName,
      status: run.status,
      totalRows: run.totalRows,
      acceptedRows: run.acceptedRows,
      rejectedRows: run.rejectedRows,
      orders: run.orders,
      processedOrders: run.processedOrders,
      error: run.error,
      startedAt: run.startedAt.toISOString(),
      finishedAt: run.finishedAt?.toISOString() ?? null,
    },
    rejections: rejections.map((r) => ({ rowNumber: r.rowNumber, code: r.code, reason: r.reason })),
    rejectionCount,
    page: safePage,
    pageSize: REJECTIONS_PAGE_SIZE,
    recent: recent.map((r) => ({ id: r.id, fileName: r.fileName, status: r.status, startedAt: r.startedAt.toISOString() })),
    active: run ? run.status === "PENDING" || run.status === "RUNNING" : false,
  };
}
