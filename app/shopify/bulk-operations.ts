/**
 * Admin API adapter for bulk query operations (https://shopify.dev/docs/api/usage/bulk-operations/queries):
 * start one, read its state, fetch refund details, open its JSONL result and split it into lines.
 */
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { runGraphql, ShopifyGraphqlError, type AdminGraphql } from "./graphql-client";
import { BULK_REFUND_FIELDS } from "./bulk-records";

export type BackfillResource = "customers" | "orders";

const ADDRESS = "firstName lastName address1 address2 city province zip countryCodeV2 phone";
const MONEY = "shopMoney { amount currencyCode }";

/**
 * The bulk queries. Order.refunds is a list field, so refunds come inline on the order's line;
 * Refund.refundLineItems is a connection, which bulk queries refuse inside a list field, so
 * refund lines are read afterwards with `nodes(ids:)` (getRefundDetails).
 */
export const BULK_QUERIES: Record<BackfillResource, string> = {
  customers: `{
  customers {
    edges { node {
      id firstName lastName state note tags createdAt updatedAt
      defaultEmailAddress { emailAddress }
      defaultPhoneNumber { phoneNumber }
      defaultAddress { ${ADDRESS} }
    } }
  }
}`,
  orders: `{
  orders {
    edges { node {
      id name createdAt updatedAt processedAt cancelledAt cancelReason displayFinancialStatus currencyCode
      sourceName retailLocation { id } email phone taxesIncluded customer { id }
      billingAddress { ${ADDRESS} }
      shippingAddress { ${ADDRESS} }
      subtotalPriceSet { ${MONEY} }
      totalDiscountsSet { ${MONEY} }
      totalShippingPriceSet { ${MONEY} }
      totalTaxSet { ${MONEY} }
      totalPriceSet { ${MONEY} }
      discountCodes paymentGatewayNames tags
      refunds { id createdAt totalRefundedSet { ${MONEY} } }
      lineItems {
        edges { node {
          id sku title variantTitle quantity isGiftCard
          originalUnitPriceSet { ${MONEY} }
          discountAllocations { allocatedAmountSet { ${MONEY} } }
          product { id }
          variant { id }
        } }
      }
    } }
  }
}`,
};

export interface BulkOperationState {
  id: string;
  status: "CREATED" | "RUNNING" | "COMPLETED" | "CANCELING" | "CANCELED" | "FAILED" | "EXPIRED";
  errorCode: string | null;
  objectCount: number;
  url: string | null;
  partialDataUrl: string | null;
  completedAt: string | null;
}

const RUN_QUERY = `#graphql
  mutation WafaBulkRun($query: String!) {
    bulkOperationRunQuery(query: $query, groupObjects: false) {
      bulkOperation { id status }
      userErrors { field message code }
    }
  }`;

const OPERATION_QUERY = `#graphql
  query WafaBulkOperation($id: ID!) {
    node(id: $id) {
      ... on BulkOperation { id status errorCode objectCount url partialDataUrl createdAt completedAt }
    }
  }`;

/** Starts a bulk query; Shopify's userErrors (another operation running, invalid query) become an error. */
export async function startBulkQuery(graphql: AdminGraphql, resource: BackfillResource): Promise<{ id: string }> {
  const data = await runGraphql<{
    bulkOperationRunQuery: { bulkOperation: { id: string; status: string } | null; userErrors: Array<{ message: string; code: string | null }> };
  }>(graphql, RUN_QUERY, { query: BULK_QUERIES[resource] });
  const { bulkOperation, userErrors } = data.bulkOperationRunQuery;
  if (!bulkOperation || userErrors.length) {
    throw new ShopifyGraphqlError(`bulkOperationRunQuery refused: ${userErrors.map((e) => `${e.code ?? ""} ${e.message}`.trim()).join("; ")}`, userErrors);
  }
  return { id: bulkOperation.id };
}

export async function getBulkOperation(graphql: AdminGraphql, id: string): Promise<BulkOperationState | null> {
  const data = await runGraphql<{ node: (Omit<BulkOperationState, "objectCount"> & { objectCount: string }) | null }>(graphql, OPERATION_QUERY, { id });
  if (!data.node) return null;
  return { ...data.node, objectCount: Number(data.node.objectCount ?? 0) };
}

const REFUNDS_QUERY = `#graphql
  query WafaRefunds($ids: [ID!]!) {
    nodes(ids: $ids) { ... on Refund { ${BULK_REFUND_FIELDS} } }
  }`;

/** Refunds read by one getRefundDetails query (each brings up to 100 lines: a bounded query cost). */
export const REFUNDS_PER_QUERY = 50;

/** Refunds with their line items, REFUNDS_PER_QUERY per call. */
export async function getRefundDetails(graphql: AdminGraphql, ids: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < ids.length; i += REFUNDS_PER_QUERY) {
    const data = await runGraphql<{ nodes: unknown[] }>(graphql, REFUNDS_QUERY, { ids: ids.slice(i, i + REFUNDS_PER_QUERY) });
    out.push(...data.nodes.filter(Boolean));
  }
  return out;
}

/** Redirects a result download follows (a signed storage URL answers directly; a proxy may not). */
const MAX_REDIRECTS = 5;
/** A download that receives nothing for this long has stalled: it fails, and the import's retry resumes. */
export const DOWNLOAD_IDLE_TIMEOUT_MS = 5 * 60_000;

/**
 * The result file as it downloads (a signed storage URL), a Node stream: the caller reads it
 * chunk by chunk, only as fast as it imports (pausing it holds the download back), so memory
 * stays flat whatever the file's size, and destroys it if it stops early. node:http rather than
 * fetch: fetch's web stream, and the copy each of its chunks needs before it can be handed to
 * another thread, cost twice the CPU per byte (a 556 MB file: 1.1-1.6 s against 0.5-0.7 s).
 * A connection that ends before the whole file is an error on the stream.
 */
export function openBulkResult(url: string, redirects = 0): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const get = target.protocol === "https:" ? https.get : target.protocol === "http:" ? http.get : null;
    if (!get) {
      reject(new Error(`Downloading the bulk operation result failed: ${target.protocol} URLs are not supported`));
      return;
    }
    const request = get(target, (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location && redirects < MAX_REDIRECTS) {
        response.resume();
        resolve(openBulkResult(new URL(location, target).href, redirects + 1));
        return;
      }
      if (status < 200 || status >= 300) {
        response.resume();
        reject(new Error(`Downloading the bulk operation result failed: HTTP ${status}`));
        return;
      }
      resolve(response);
    });
    request.setTimeout(DOWNLOAD_IDLE_TIMEOUT_MS, () => request.destroy(new Error("Downloading the bulk operation result failed: no data for 5 minutes")));
    request.on("error", reject);
  });
}

/**
 * Splits UTF-8 bytes pushed a chunk at a time (as they download) into lines, \n or \r\n, skipping
 * empty ones: `push` returns the lines the chunk completed, `end` the last one. Lines are found
 * in the bytes (a newline byte is never part of a multi-byte UTF-8 character) and each is decoded
 * on its own: an ASCII line becomes a one-byte string that JSON.parse reads fastest, where
 * decoding whole chunks gave two-byte strings as soon as a chunk held one Arabic name, and cutting
 * lines out of them cost more than parsing them.
 */
export class JsonlLineSplitter {
  private rest: Buffer | null = null;
  private first = true;

  push(value: Uint8Array): string[] {
    let bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (this.rest) {
      bytes = Buffer.concat([this.rest, bytes]);
      this.rest = null;
    }
    let start = 0;
    if (this.first) {
      if (bytes.length < 3) {
        this.rest = bytes;
        return [];
      }
      this.first = false;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3; // a UTF-8 byte order mark, dropped as TextDecoder does
    }
    const lines: string[] = [];
    let end: number;
    while ((end = bytes.indexOf(10, start)) !== -1) {
      const stop = end > start && bytes[end - 1] === 13 ? end - 1 : end;
      if (stop > start) lines.push(bytes.toString("utf8", start, stop));
      start = end + 1;
    }
    if (start < bytes.length) this.rest = bytes.subarray(start);
    return lines;
  }

  end(): string[] {
    const last = this.rest ? this.rest.toString("utf8").replace(/\r$/, "") : "";
    this.rest = null;
    return last.trim().length ? [last] : [];
  }
}
