/**
 * Customer merges in the fake, with the 2026-10 shapes: customerMergePreview, customerMerge (an
 * asynchronous job) and customerMergeJobStatus
 * (https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/customerMerge).
 *
 * - Customers are the shop's `customers` (REST JSON by numeric id). One that is not there is
 *   DELETED_AT in a preview and INVALID_CUSTOMER_ID in customerMerge.
 * - Tests mark hard blockers per customer GID (`markCustomerMergeBlocker`): GIFT_CARDS, STORE_CREDIT...
 *   A customer in a running merge is MERGE_IN_PROGRESS.
 * - The kept customer follows PLATFORM.md's 2026-10 rules without override fields: the only one
 *   with an email, else customerTwo (account state and consent rules are not modelled).
 * - A merge job reports IN_PROGRESS to its first `pollsUntilDone` status reads, then COMPLETED: the
 *   merged-away customer is gone and its orders belong to the kept one. `failNextMerge` makes the
 *   next job end FAILED instead.
 * - Scopes are enforced: read_customer_merge for preview and status, write_customer_merge to merge.
 */
import crypto from "node:crypto";
import { GraphQLError } from "graphql";
import type { ResolverFactory } from "./admin-graphql";
import type { FakeShop, FakeStore } from "./store";

export const CUSTOMER_MERGE_SDL = /* GraphQL */ `
  enum CustomerMergeErrorFieldType {
    COMPANY_CONTACT CUSTOMER_PAYMENT_METHODS DELETED_AT GIFT_CARDS MERGE_IN_PROGRESS MULTIPASS_IDENTIFIER
    OVERRIDE_FIELDS PENDING_DATA_REQUEST REDACTED_AT STORE_CREDIT SUBSCRIPTIONS
  }
  enum CustomerMergeErrorCode {
    CUSTOMER_HAS_GIFT_CARDS INTERNAL_ERROR INVALID_CUSTOMER INVALID_CUSTOMER_ID MISSING_OVERRIDE_ATTRIBUTE OVERRIDE_ATTRIBUTE_INVALID
  }
  enum CustomerMergeRequestStatus { COMPLETED FAILED IN_PROGRESS REQUESTED }
  input CustomerMergeOverrideFields {
    customerIdOfEmailToKeep: ID
    customerIdOfFirstNameToKeep: ID
    customerIdOfLastNameToKeep: ID
    customerIdOfPhoneNumberToKeep: ID
    customerIdOfDefaultAddressToKeep: ID
    note: String
    tags: [String!]
  }
  type CustomerMergeError { errorFields: [CustomerMergeErrorFieldType!]! message: String! }
  type CustomerMergeUserError { code: CustomerMergeErrorCode field: [String!] message: String! }
  type CustomerMergePreviewBlockingFields { note: String tags: [String!]! }
  type CustomerMergePreview {
    resultingCustomerId: ID
    customerMergeErrors: [CustomerMergeError!]
    blockingFields: CustomerMergePreviewBlockingFields
  }
  type Job { id: ID! done: Boolean! }
  type CustomerMergePayload { job: Job resultingCustomerId: ID userErrors: [CustomerMergeUserError!]! }
  type CustomerMergeRequest {
    jobId: ID
    status: CustomerMergeRequestStatus!
    resultingCustomerId: ID!
    customerMergeErrors: [CustomerMergeError!]!
  }
  extend type Query {
    customerMergePreview(customerOneId: ID!, customerTwoId: ID!, overrideFields: CustomerMergeOverrideFields): CustomerMergePreview!
    customerMergeJobStatus(jobId: ID!): CustomerMergeRequest
  }
  extend type Mutation {
    customerMerge(customerOneId: ID!, customerTwoId: ID!, overrideFields: CustomerMergeOverrideFields): CustomerMergePayload
  }
`;

export type CustomerMergeErrorField =
  | "COMPANY_CONTACT" | "CUSTOMER_PAYMENT_METHODS" | "GIFT_CARDS" | "MULTIPASS_IDENTIFIER"
  | "PENDING_DATA_REQUEST" | "REDACTED_AT" | "STORE_CREDIT" | "SUBSCRIPTIONS";

/** Messages in Shopify's manner for each hard blocker (the fake's words; Shopify's may differ). */
const BLOCKER_MESSAGES: Record<CustomerMergeErrorField | "DELETED_AT" | "MERGE_IN_PROGRESS", string> = {
  COMPANY_CONTACT: "Customers who are company contacts can't be merged.",
  CUSTOMER_PAYMENT_METHODS: "Customers with saved payment methods can't be merged.",
  DELETED_AT: "The customer does not exist.",
  GIFT_CARDS: "Customers with gift cards can't be merged.",
  MERGE_IN_PROGRESS: "The customer has a merge in progress.",
  MULTIPASS_IDENTIFIER: "Customers with a multipass identifier can't be merged.",
  PENDING_DATA_REQUEST: "Customers with a pending data request can't be merged.",
  REDACTED_AT: "Customers with a pending or completed redaction can't be merged.",
  STORE_CREDIT: "Customers with store credit can't be merged.",
  SUBSCRIPTIONS: "Customers with a subscription history can't be merged.",
};

interface FakeMergeJob {
  id: string;
  one: string;
  two: string;
  kept: string;
  status: "IN_PROGRESS" | "COMPLETED" | "FAILED";
  pollsLeft: number;
  fail: boolean;
}

interface MergeState {
  blockers: Map<string, Set<CustomerMergeErrorField>>;
  jobs: Map<string, FakeMergeJob>;
  pollsUntilDone: number;
  failNext: boolean;
}

const states = new WeakMap<FakeShop, MergeState>();
function stateOf(shop: FakeShop): MergeState {
  let state = states.get(shop);
  if (!state) states.set(shop, (state = { blockers: new Map(), jobs: new Map(), pollsUntilDone: 1, failNext: false }));
  return state;
}

/** Marks a hard blocker on a customer (e.g. it holds gift cards). */
export function markCustomerMergeBlocker(shop: FakeShop, customerGid: string, field: CustomerMergeErrorField): void {
  const state = stateOf(shop);
  if (!state.blockers.has(customerGid)) state.blockers.set(customerGid, new Set());
  state.blockers.get(customerGid)!.add(field);
}

/** How many status reads a new merge job answers IN_PROGRESS before it completes (default 1). */
export function setCustomerMergePolls(shop: FakeShop, pollsUntilDone: number): void {
  stateOf(shop).pollsUntilDone = pollsUntilDone;
}

/** The next merge job ends FAILED (Shopify found a blocker while merging). */
export function failNextCustomerMerge(shop: FakeShop): void {
  stateOf(shop).failNext = true;
}

/** Every merge job the fake started, for assertions. */
export function listCustomerMergeJobs(shop: FakeShop): FakeMergeJob[] {
  return [...stateOf(shop).jobs.values()];
}

const numericId = (gid: string) => /^gid:\/\/shopify\/Customer\/(\d+)$/.exec(gid)?.[1] ?? null;
const customerOf = (shop: FakeShop, gid: string) => {
  const id = numericId(gid);
  return id ? (shop.customers.get(id) ?? null) : null;
};

function requireScope(shop: FakeShop, scope: string): void {
  if (!shop.grantedScopes.includes(scope)) {
    throw new GraphQLError(`Access denied for this field. Required access: \`${scope}\` access scope.`, { extensions: { code: "ACCESS_DENIED" } });
  }
}

function inRunningMerge(state: MergeState, gid: string): boolean {
  return [...state.jobs.values()].some((job) => job.status === "IN_PROGRESS" && (job.one === gid || job.two === gid));
}

/** The hard blockers of each side, as customerMergeErrors. */
function mergeErrors(shop: FakeShop, gids: string[]): Array<{ errorFields: string[]; message: string }> {
  const state = stateOf(shop);
  const errors: Array<{ errorFields: string[]; message: string }> = [];
  for (const gid of gids) {
    if (!customerOf(shop, gid)) errors.push({ errorFields: ["DELETED_AT"], message: BLOCKER_MESSAGES.DELETED_AT });
    else if (inRunningMerge(state, gid)) errors.push({ errorFields: ["MERGE_IN_PROGRESS"], message: BLOCKER_MESSAGES.MERGE_IN_PROGRESS });
    for (const field of state.blockers.get(gid) ?? []) errors.push({ errorFields: [field], message: BLOCKER_MESSAGES[field] });
  }
  return errors;
}

/** The customer Shopify keeps (2026-10, no override fields): the only one with an email, else customerTwo. */
function keptCustomer(shop: FakeShop, one: string, two: string): string {
  const email = (gid: string) => Boolean((customerOf(shop, gid) as { email?: string | null } | null)?.email);
  return email(one) && !email(two) ? one : two;
}

function mergedTags(shop: FakeShop, one: string, two: string): string[] {
  const tags = (gid: string) => String((customerOf(shop, gid) as { tags?: string } | null)?.tags ?? "").split(",").map((t) => t.trim()).filter(Boolean);
  return [...new Set([...tags(one), ...tags(two)])];
}

function preview(shop: FakeShop, one: string, two: string) {
  requireScope(shop, "read_customer_merge");
  const errors = one === two ? [{ errorFields: ["OVERRIDE_FIELDS"], message: "A customer can't be merged with itself." }] : mergeErrors(shop, [one, two]);
  const tags = mergedTags(shop, one, two);
  const notes = [one, two].map((gid) => String((customerOf(shop, gid) as { note?: string | null } | null)?.note ?? "")).filter(Boolean).join("\n");
  const blocking = tags.length > 250 || notes.length > 5000 ? { note: notes.length > 5000 ? notes : null, tags: tags.length > 250 ? tags : [] } : null;
  return {
    resultingCustomerId: errors.length ? null : keptCustomer(shop, one, two),
    customerMergeErrors: errors.length ? errors : null,
    blockingFields: blocking,
  };
}

function merge(shop: FakeShop, one: string, two: string) {
  requireScope(shop, "write_customer_merge");
  const state = stateOf(shop);
  const refused = (code: string, field: string[], message: string) => ({ job: null, resultingCustomerId: null, userErrors: [{ code, field, message }] });
  for (const [gid, field] of [[one, "customerOneId"], [two, "customerTwoId"]] as const) {
    if (!customerOf(shop, gid)) return refused("INVALID_CUSTOMER_ID", [field], `Customer ${gid} can't be found.`);
  }
  if (one === two) return refused("INVALID_CUSTOMER", ["customerTwoId"], "A customer can't be merged with itself.");
  const errors = mergeErrors(shop, [one, two]);
  if (errors.length) {
    const giftCards = errors.find((error) => error.errorFields.includes("GIFT_CARDS"));
    return giftCards ? refused("CUSTOMER_HAS_GIFT_CARDS", ["customerOneId"], giftCards.message) : refused("INVALID_CUSTOMER", ["customerOneId"], errors[0].message);
  }
  const job: FakeMergeJob = {
    id: `gid://shopify/Job/${crypto.randomUUID()}`,
    one,
    two,
    kept: keptCustomer(shop, one, two),
    status: "IN_PROGRESS",
    pollsLeft: state.pollsUntilDone,
    fail: state.failNext,
  };
  state.failNext = false;
  state.jobs.set(job.id, job);
  return { job: { id: job.id, done: false }, resultingCustomerId: job.kept, userErrors: [] };
}

/** The merge itself: the merged-away customer disappears and its orders move to the kept one. */
function finish(shop: FakeShop, job: FakeMergeJob): void {
  if (job.fail) {
    job.status = "FAILED";
    return;
  }
  const away = job.kept === job.one ? job.two : job.one;
  const keptId = numericId(job.kept)!;
  const kept = shop.customers.get(keptId)!;
  for (const order of shop.orders.values()) {
    const customer = order.customer as { id?: number | string; admin_graphql_api_id?: string } | null | undefined;
    if (customer && (customer.admin_graphql_api_id === away || String(customer.id) === numericId(away))) {
      order.customer = { ...kept };
    }
  }
  kept.tags = mergedTags(shop, job.one, job.two).join(", ");
  kept.updated_at = new Date().toISOString();
  shop.customers.delete(numericId(away)!);
  job.status = "COMPLETED";
}

function jobStatus(shop: FakeShop, jobId: string) {
  requireScope(shop, "read_customer_merge");
  const job = stateOf(shop).jobs.get(jobId);
  if (!job) return null;
  if (job.status === "IN_PROGRESS") {
    if (job.pollsLeft > 0) job.pollsLeft--;
    else finish(shop, job);
  }
  return {
    jobId: job.id,
    status: job.status,
    resultingCustomerId: job.kept,
    customerMergeErrors: job.status === "FAILED" ? [{ errorFields: ["GIFT_CARDS"], message: BLOCKER_MESSAGES.GIFT_CARDS }] : [],
  };
}

export const customerMergeResolvers: ResolverFactory = (_store: FakeStore, shop: FakeShop) => ({
  query: {
    customerMergePreview: ({ customerOneId, customerTwoId }: { customerOneId: string; customerTwoId: string }) => preview(shop, customerOneId, customerTwoId),
    customerMergeJobStatus: ({ jobId }: { jobId: string }) => jobStatus(shop, jobId),
  },
  mutation: {
    customerMerge: ({ customerOneId, customerTwoId }: { customerOneId: string; customerTwoId: string }) => merge(shop, customerOneId, customerTwoId),
  },
});
