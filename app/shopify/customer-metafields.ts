/**
 * Loyalty values on Shopify customers, as app-owned metafields (namespace `$app`, declared in
 * shopify.app.toml) so segments, Flow and themes can use them:
 *   $app.points_balance (number_integer), $app.points_available (number_integer), $app.tier
 *   (single_line_text_field, the tier id; deleted when the customer holds no tier).
 * Written with `metafieldsSet`, at most 25 metafields per call
 * (https://shopify.dev/docs/api/admin-graphql/latest/mutations/metafieldsSet), under the Admin
 * API's cost-based rate limit: every call reads `extensions.cost.throttleStatus`, waits before the
 * bucket runs dry, and on THROTTLED (or HTTP 429) waits for the bucket to refill and tries again
 * (https://shopify.dev/docs/api/usage/limits#graphql-admin-api-rate-limits).
 */
import { ShopifyGraphqlError, type AdminGraphql } from "./graphql-client";

/**
 * `$app` (the app-reserved namespace, stored by Shopify as `app--<app id>`) rather than a plain
 * `wafa`: only Wafa can write it, so a theme, another app or a CSV import cannot forge a balance.
 */
export const LOYALTY_METAFIELD_NAMESPACE = "$app";
export const LOYALTY_METAFIELD_KEYS = { balance: "points_balance", available: "points_available", tier: "tier" } as const;
/** Each key's type, as declared in shopify.app.toml ([customer.metafields.app.<key>]). */
export const LOYALTY_METAFIELD_TYPES: Record<(typeof LOYALTY_METAFIELD_KEYS)[keyof typeof LOYALTY_METAFIELD_KEYS], string> = {
  points_balance: "number_integer",
  points_available: "number_integer",
  tier: "single_line_text_field",
};
/** Shopify's limit per metafieldsSet call. */
export const METAFIELDS_PER_CALL = 25;
const FIELDS_PER_CUSTOMER = 3;

export interface CustomerLoyaltyValues {
  customerGid: string;
  balancePoints: number;
  availablePoints: number;
  tierId: string | null;
  /** The tier metafield may exist (a tier was synced before): with no tier now, it is deleted. */
  clearTier?: boolean;
}

export interface MetafieldUserError {
  field: string[] | null;
  message: string;
  code: string | null;
}

interface Cost {
  requestedQueryCost?: number;
  actualQueryCost?: number | null;
  throttleStatus?: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

interface GraphqlError {
  message: string;
  extensions?: { code?: string };
}

export interface ThrottleOptions {
  /** Waits; tests may shorten it. */
  sleep?: (ms: number) => Promise<void>;
  /** Attempts of one call when throttled, before giving up (the job then retries later). */
  maxAttempts?: number;
}

export class ShopifyThrottledError extends Error {
  readonly code = "SHOPIFY_THROTTLED";
  constructor(readonly attempts: number) {
    super(`Shopify kept throttling the request after ${attempts} attempts`);
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One GraphQL call's outcome in one shape, whichever client made it: the Remix library's
 * `admin.graphql` throws on GraphQL errors (GraphqlQueryError, body `{ errors: { graphQLErrors } }`)
 * and on 429 (HttpThrottlingError, `response.code`), a plain fetch-based one returns them.
 */
async function callOnce(graphql: AdminGraphql, query: string, variables: Record<string, unknown>): Promise<{ data?: unknown; errors: GraphqlError[]; cost?: Cost; retryAfterMs?: number }> {
  try {
    const response = await graphql(query, { variables });
    const body = (await response.json()) as { data?: unknown; errors?: unknown; extensions?: { cost?: Cost } };
    return { data: body.data, errors: toErrors(body.errors), cost: body.extensions?.cost };
  } catch (error) {
    const thrown = error as { body?: { errors?: unknown; extensions?: { cost?: Cost } }; response?: { code?: number; retryAfter?: number } };
    if (thrown.response?.code === 429) {
      return { errors: [{ message: "Too many requests", extensions: { code: "THROTTLED" } }], retryAfterMs: (thrown.response.retryAfter ?? 1) * 1000 };
    }
    if (thrown.body?.errors) return { errors: toErrors(thrown.body.errors), cost: thrown.body.extensions?.cost };
    throw error;
  }
}

function toErrors(errors: unknown): GraphqlError[] {
  if (!errors) return [];
  if (Array.isArray(errors)) return errors as GraphqlError[];
  const nested = (errors as { graphQLErrors?: GraphqlError[]; message?: string }).graphQLErrors;
  return nested ?? [{ message: (errors as { message?: string }).message ?? "GraphQL request failed" }];
}

/** Milliseconds until the bucket holds `needed` points again. */
function waitForBucket(cost: Cost | undefined, needed: number): number {
  const status = cost?.throttleStatus;
  if (!status || status.restoreRate <= 0) return 1000;
  return Math.max(0, Math.ceil(((needed - status.currentlyAvailable) / status.restoreRate) * 1000));
}

/**
 * Runs a query or mutation within the rate limit and returns its `data`. THROTTLED waits for the
 * bucket and retries; any other top-level error throws ShopifyGraphqlError.
 */
export async function runThrottledGraphql<T>(graphql: AdminGraphql, query: string, variables: Record<string, unknown>, options: ThrottleOptions = {}): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = options.maxAttempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    const result = await callOnce(graphql, query, variables);
    const throttled = result.errors.some((error) => error.extensions?.code === "THROTTLED");
    if (throttled) {
      if (attempt >= maxAttempts) throw new ShopifyThrottledError(attempt);
      const needed = result.cost?.requestedQueryCost ?? 10;
      await sleep(result.retryAfterMs ?? Math.max(100, waitForBucket(result.cost, needed)));
      continue;
    }
    if (result.errors.length > 0 || !result.data) throw new ShopifyGraphqlError("Shopify answered with GraphQL errors", result.errors);
    // Wait now rather than be throttled on the next call: the next call of this kind costs the same.
    const needed = result.cost?.requestedQueryCost ?? 0;
    const wait = result.cost?.throttleStatus && result.cost.throttleStatus.currentlyAvailable < needed ? waitForBucket(result.cost, needed) : 0;
    if (wait > 0) await sleep(wait);
    return result.data as T;
  }
}

const SET_MUTATION = `#graphql
  mutation WafaLoyaltyMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields { key namespace }
      userErrors { field message code }
    }
  }`;

const DELETE_MUTATION = `#graphql
  mutation WafaLoyaltyMetafieldsDelete($metafields: [MetafieldIdentifierInput!]!) {
    metafieldsDelete(metafields: $metafields) {
      deletedMetafields { ownerId key }
      userErrors { field message }
    }
  }`;

function toSetInputs(values: CustomerLoyaltyValues) {
  const base = { ownerId: values.customerGid, namespace: LOYALTY_METAFIELD_NAMESPACE };
  const inputs: Array<typeof base & { key: string; type: string; value: string }> = [
    { ...base, key: LOYALTY_METAFIELD_KEYS.balance, type: LOYALTY_METAFIELD_TYPES.points_balance, value: String(values.balancePoints) },
    { ...base, key: LOYALTY_METAFIELD_KEYS.available, type: LOYALTY_METAFIELD_TYPES.points_available, value: String(Math.max(0, values.availablePoints)) },
  ];
  if (values.tierId) inputs.push({ ...base, key: LOYALTY_METAFIELD_KEYS.tier, type: LOYALTY_METAFIELD_TYPES.tier, value: values.tierId });
  return inputs;
}

/** Writes the loyalty metafields of a group of customers in one atomic call (<= 25 metafields). */
async function setGroup(graphql: AdminGraphql, group: CustomerLoyaltyValues[], options: ThrottleOptions): Promise<MetafieldUserError[]> {
  const data = await runThrottledGraphql<{ metafieldsSet: { userErrors: MetafieldUserError[] } | null }>(
    graphql,
    SET_MUTATION,
    { metafields: group.flatMap(toSetInputs) },
    options,
  );
  if (!data.metafieldsSet) throw new ShopifyGraphqlError("Shopify answered without a metafieldsSet payload", data);
  const userErrors = data.metafieldsSet.userErrors;
  const noTier = group.filter((values) => !values.tierId && values.clearTier);
  if (userErrors.length === 0 && noTier.length > 0) {
    const deleted = await runThrottledGraphql<{ metafieldsDelete: { userErrors: MetafieldUserError[] } | null }>(
      graphql,
      DELETE_MUTATION,
      { metafields: noTier.map((values) => ({ ownerId: values.customerGid, namespace: LOYALTY_METAFIELD_NAMESPACE, key: LOYALTY_METAFIELD_KEYS.tier })) },
      options,
    );
    return deleted.metafieldsDelete?.userErrors.map((error) => ({ ...error, code: error.code ?? null })) ?? [];
  }
  return userErrors;
}

/**
 * Writes the loyalty metafields of many customers, whole customers per call. A call is atomic, so
 * when Shopify refuses one (a customer deleted meanwhile), its customers are retried one by one
 * and only the refused ones are reported, by customer GID.
 */
export async function setCustomerLoyaltyMetafields(
  graphql: AdminGraphql,
  customers: CustomerLoyaltyValues[],
  options: ThrottleOptions = {},
): Promise<Map<string, MetafieldUserError[]>> {
  const failures = new Map<string, MetafieldUserError[]>();
  const perCall = Math.floor(METAFIELDS_PER_CALL / FIELDS_PER_CUSTOMER);
  for (let i = 0; i < customers.length; i += perCall) {
    const group = customers.slice(i, i + perCall);
    const userErrors = await setGroup(graphql, group, options);
    if (userErrors.length === 0) continue;
    if (group.length === 1) {
      failures.set(group[0].customerGid, userErrors);
      continue;
    }
    for (const single of group) {
      const errors = await setGroup(graphql, [single], options);
      if (errors.length > 0) failures.set(single.customerGid, errors);
    }
  }
  return failures;
}
