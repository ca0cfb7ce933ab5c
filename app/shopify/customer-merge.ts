/**
 * Admin API adapter for merging two Shopify customers (2026-10). Shapes as verified in the docs:
 * - customerMergePreview(customerOneId, customerTwoId): CustomerMergePreview! with
 *   resultingCustomerId, customerMergeErrors [{ errorFields: [CustomerMergeErrorFieldType!]!,
 *   message }] (nullable list) and blockingFields { note, tags } (merged note over 5,000
 *   characters / tags over 250: they block unless edited);
 * - customerMerge(customerOneId, customerTwoId): { job { id done }, resultingCustomerId,
 *   userErrors [{ code: CustomerMergeErrorCode, field, message }] }; it runs asynchronously;
 * - customerMergeJobStatus(jobId): CustomerMergeRequest { jobId, status (REQUESTED | IN_PROGRESS
 *   | COMPLETED | FAILED), resultingCustomerId ("treat as authoritative"), customerMergeErrors }.
 * Scopes: read_customer_merge (preview, status), write_customer_merge (merge).
 * https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/customerMerge
 * https://shopify.dev/docs/api/admin-graphql/2026-10/queries/customerMergePreview
 * https://shopify.dev/docs/api/admin-graphql/2026-10/queries/customerMergeJobStatus
 */
import { runThrottledGraphql } from "./customer-metafields";
import type { AdminGraphql } from "./graphql-client";

/** Hard blockers Shopify names (CustomerMergeErrorFieldType), plus the two soft ones of blockingFields. */
export const CUSTOMER_MERGE_BLOCKERS = [
  "COMPANY_CONTACT",
  "CUSTOMER_PAYMENT_METHODS",
  "DELETED_AT",
  "GIFT_CARDS",
  "MERGE_IN_PROGRESS",
  "MULTIPASS_IDENTIFIER",
  "OVERRIDE_FIELDS",
  "PENDING_DATA_REQUEST",
  "REDACTED_AT",
  "STORE_CREDIT",
  "SUBSCRIPTIONS",
  "NOTE_TOO_LONG",
  "TOO_MANY_TAGS",
] as const;
export type CustomerMergeBlockerCode = (typeof CUSTOMER_MERGE_BLOCKERS)[number] | "UNKNOWN";

export interface CustomerMergeBlocker {
  code: CustomerMergeBlockerCode;
  /** Shopify's own words (English), kept for the record; the UI shows the translated code. */
  message: string;
}

/** A merge request as the service answers it and the profile page shows it. */
export type CustomerMergeView = {
  requestId: string;
  status: "BLOCKED" | "PENDING" | "RUNNING" | "COMPLETED" | "FAILED";
  customerOneGid: string;
  customerTwoGid: string;
  resultingCustomerGid: string | null;
  mergedAwayGid: string | null;
  blockers: CustomerMergeBlocker[];
  createdAt: string | null;
};

export interface CustomerMergePreview {
  resultingCustomerGid: string | null;
  blockers: CustomerMergeBlocker[];
}

const toBlockerCode = (field: string): CustomerMergeBlockerCode =>
  (CUSTOMER_MERGE_BLOCKERS as readonly string[]).includes(field) ? (field as CustomerMergeBlockerCode) : "UNKNOWN";

/** CustomerMergeErrorCode of the mutation's userErrors, as the blocker the merchant can act on. */
export function fromMergeErrorCode(code: string | null): CustomerMergeBlockerCode {
  switch (code) {
    case "CUSTOMER_HAS_GIFT_CARDS":
      return "GIFT_CARDS";
    case "INVALID_CUSTOMER_ID":
      return "DELETED_AT";
    case "MISSING_OVERRIDE_ATTRIBUTE":
    case "OVERRIDE_ATTRIBUTE_INVALID":
      return "OVERRIDE_FIELDS";
    default:
      return "UNKNOWN";
  }
}

type MergeError = { errorFields: string[]; message: string };
const toBlockers = (errors: MergeError[] | null | undefined): CustomerMergeBlocker[] =>
  (errors ?? []).flatMap((error) => (error.errorFields.length ? error.errorFields : ["UNKNOWN"]).map((field) => ({ code: toBlockerCode(field), message: error.message })));

const PREVIEW_QUERY = `#graphql
  query WafaCustomerMergePreview($one: ID!, $two: ID!) {
    customerMergePreview(customerOneId: $one, customerTwoId: $two) {
      resultingCustomerId
      customerMergeErrors { errorFields message }
      blockingFields { note tags }
    }
  }`;

/** What merging would do, and what stops it (nothing is changed in Shopify). */
export async function previewCustomerMerge(graphql: AdminGraphql, { customerOneGid, customerTwoGid }: { customerOneGid: string; customerTwoGid: string }): Promise<CustomerMergePreview> {
  const data = await runThrottledGraphql<{
    customerMergePreview: { resultingCustomerId: string | null; customerMergeErrors: MergeError[] | null; blockingFields: { note: string | null; tags: string[] } | null };
  }>(graphql, PREVIEW_QUERY, { one: customerOneGid, two: customerTwoGid });
  const preview = data.customerMergePreview;
  const blockers = toBlockers(preview.customerMergeErrors);
  if (preview.blockingFields?.note) blockers.push({ code: "NOTE_TOO_LONG", message: "The merged note is over the 5000 character limit." });
  if (preview.blockingFields?.tags?.length) blockers.push({ code: "TOO_MANY_TAGS", message: "The merged tags are over the 250 limit." });
  return { resultingCustomerGid: preview.resultingCustomerId, blockers };
}

const MERGE_MUTATION = `#graphql
  mutation WafaCustomerMerge($one: ID!, $two: ID!) {
    customerMerge(customerOneId: $one, customerTwoId: $two) {
      job { id done }
      resultingCustomerId
      userErrors { code field message }
    }
  }`;

export type StartCustomerMergeResult =
  | { status: "STARTED"; jobGid: string; resultingCustomerGid: string | null }
  | { status: "REFUSED"; blockers: CustomerMergeBlocker[] };

/** Starts the merge. Refusals come back as values; a thrown error means the outcome is unknown. */
export async function startCustomerMerge(graphql: AdminGraphql, { customerOneGid, customerTwoGid }: { customerOneGid: string; customerTwoGid: string }): Promise<StartCustomerMergeResult> {
  const data = await runThrottledGraphql<{
    customerMerge: { job: { id: string; done: boolean } | null; resultingCustomerId: string | null; userErrors: Array<{ code: string | null; message: string }> } | null;
  }>(graphql, MERGE_MUTATION, { one: customerOneGid, two: customerTwoGid });
  const payload = data.customerMerge;
  if (!payload) throw new Error("Shopify answered without a customerMerge payload");
  if (payload.userErrors.length > 0 || !payload.job) {
    const blockers = payload.userErrors.map((error) => ({ code: fromMergeErrorCode(error.code), message: error.message }));
    return { status: "REFUSED", blockers: blockers.length ? blockers : [{ code: "UNKNOWN", message: "Shopify started no merge job." }] };
  }
  return { status: "STARTED", jobGid: payload.job.id, resultingCustomerGid: payload.resultingCustomerId };
}

const STATUS_QUERY = `#graphql
  query WafaCustomerMergeJobStatus($jobId: ID!) {
    customerMergeJobStatus(jobId: $jobId) {
      jobId
      status
      resultingCustomerId
      customerMergeErrors { errorFields message }
    }
  }`;

export type CustomerMergeJobState =
  | { status: "RUNNING" }
  | { status: "COMPLETED"; resultingCustomerGid: string }
  | { status: "FAILED"; blockers: CustomerMergeBlocker[] };

/** One look at the merge job; an unknown job is reported as failed. */
export async function getCustomerMergeJobStatus(graphql: AdminGraphql, { jobGid }: { jobGid: string }): Promise<CustomerMergeJobState> {
  const data = await runThrottledGraphql<{
    customerMergeJobStatus: { status: string; resultingCustomerId: string; customerMergeErrors: MergeError[] } | null;
  }>(graphql, STATUS_QUERY, { jobId: jobGid });
  const job = data.customerMergeJobStatus;
  if (!job) return { status: "FAILED", blockers: [{ code: "UNKNOWN", message: "Shopify does not know this merge job." }] };
  if (job.status === "COMPLETED") return { status: "COMPLETED", resultingCustomerGid: job.resultingCustomerId };
  if (job.status === "FAILED") {
    const blockers = toBlockers(job.customerMergeErrors);
    return { status: "FAILED", blockers: blockers.length ? blockers : [{ code: "UNKNOWN", message: "The merge failed in Shopify." }] };
  }
  return { status: "RUNNING" };
}
