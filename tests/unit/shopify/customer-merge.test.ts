import { describe, expect, it } from "vitest";
import { fromMergeErrorCode, getCustomerMergeJobStatus, previewCustomerMerge, startCustomerMerge } from "../../../app/shopify/customer-merge";
import type { AdminGraphql } from "../../../app/shopify/graphql-client";

/** An Admin API client answering `data` (Shopify's JSON shapes), recording what it was asked. */
function answering(data: unknown) {
  const calls: Array<{ query: string; variables: unknown }> = [];
  const graphql: AdminGraphql = async (query, options) => {
    calls.push({ query, variables: options?.variables });
    return Response.json({ data });
  };
  return { graphql, calls };
}

const ONE = "gid://shopify/Customer/1";
const TWO = "gid://shopify/Customer/2";

describe("the customerMerge adapter", () => {
  it.each([
    ["CUSTOMER_HAS_GIFT_CARDS", "GIFT_CARDS"],
    ["INVALID_CUSTOMER_ID", "DELETED_AT"],
    ["MISSING_OVERRIDE_ATTRIBUTE", "OVERRIDE_FIELDS"],
    ["OVERRIDE_ATTRIBUTE_INVALID", "OVERRIDE_FIELDS"],
    ["INVALID_CUSTOMER", "UNKNOWN"],
    ["INTERNAL_ERROR", "UNKNOWN"],
    [null, "UNKNOWN"],
  ] as const)("maps the userError code %s to the blocker %s", (code, blocker) => {
    expect(fromMergeErrorCode(code)).toBe(blocker);
  });

  it("reads a preview's hard blockers field by field, and the soft ones of blockingFields", async () => {
    const { graphql, calls } = answering({
      customerMergePreview: {
        resultingCustomerId: null,
        customerMergeErrors: [
          { errorFields: ["GIFT_CARDS", "STORE_CREDIT"], message: "Customer has gift cards and store credit." },
          { errorFields: ["SOMETHING_NEW"], message: "A new reason." },
        ],
        blockingFields: { note: "x".repeat(5001), tags: ["a"] },
      },
    });
    const preview = await previewCustomerMerge(graphql, { customerOneGid: ONE, customerTwoGid: TWO });
    expect(calls[0].variables).toEqual({ one: ONE, two: TWO });
    expect(preview.resultingCustomerGid).toBeNull();
    expect(preview.blockers.map((b) => b.code)).toEqual(["GIFT_CARDS", "STORE_CREDIT", "UNKNOWN", "NOTE_TOO_LONG", "TOO_MANY_TAGS"]);
  });

  it("reads a clean preview as no blockers and the customer Shopify would keep", async () => {
    const { graphql } = answering({ customerMergePreview: { resultingCustomerId: TWO, customerMergeErrors: null, blockingFields: null } });
    expect(await previewCustomerMerge(graphql, { customerOneGid: ONE, customerTwoGid: TWO })).toEqual({ resultingCustomerGid: TWO, blockers: [] });
  });

  it("starts a merge as a job, or reports Shopify's refusal as blockers", async () => {
    const started = answering({ customerMerge: { job: { id: "gid://shopify/Job/1", done: false }, resultingCustomerId: TWO, userErrors: [] } });
    expect(await startCustomerMerge(started.graphql, { customerOneGid: ONE, customerTwoGid: TWO })).toEqual({ status: "STARTED", jobGid: "gid://shopify/Job/1", resultingCustomerGid: TWO });
    const refused = answering({ customerMerge: { job: null, resultingCustomerId: null, userErrors: [{ code: "CUSTOMER_HAS_GIFT_CARDS", field: ["customerOneId"], message: "Has gift cards." }] } });
    expect(await startCustomerMerge(refused.graphql, { customerOneGid: ONE, customerTwoGid: TWO })).toEqual({ status: "REFUSED", blockers: [{ code: "GIFT_CARDS", message: "Has gift cards." }] });
  });

  it.each([
    ["REQUESTED", { status: "RUNNING" }],
    ["IN_PROGRESS", { status: "RUNNING" }],
    ["COMPLETED", { status: "COMPLETED", resultingCustomerGid: TWO }],
    ["FAILED", { status: "FAILED", blockers: [{ code: "UNKNOWN", message: "The merge failed in Shopify." }] }],
  ])("reads the job status %s", async (status, expected) => {
    const { graphql } = answering({ customerMergeJobStatus: { jobId: "gid://shopify/Job/1", status, resultingCustomerId: TWO, customerMergeErrors: [] } });
    expect(await getCustomerMergeJobStatus(graphql, { jobGid: "gid://shopify/Job/1" })).toEqual(expected);
  });

  it("reads an unknown job as failed", async () => {
    const { graphql } = answering({ customerMergeJobStatus: null });
    expect(await getCustomerMergeJobStatus(graphql, { jobGid: "gid://shopify/Job/404" })).toMatchObject({ status: "FAILED" });
  });
});
