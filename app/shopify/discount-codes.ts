/**
 * Admin API adapter for the single-use discount codes of point reservations: create (amount off,
 * percentage off, free shipping), find by code, delete. Shopify's refusals come back as values
 * (userErrors); a thrown error means the outcome is unknown (Shopify may or may not have the code).
 * https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/discountCodeBasicCreate
 */
import { formatAmountMinor } from "../domain/money";
import { runGraphql, type AdminGraphql } from "./graphql-client";

export interface DiscountUserError {
  field: string[] | null;
  message: string;
  code: string | null;
}

/** What a reservation's code gives, and to whom, for how long. */
export interface ReservationDiscount {
  code: string;
  title: string;
  kind: "FIXED_AMOUNT" | "PERCENTAGE" | "FREE_SHIPPING";
  currency: string;
  /** FIXED_AMOUNT: the amount off. FREE_SHIPPING: the highest shipping rate it covers (null: any). */
  amountMinor: number | null;
  /** PERCENTAGE: whole percent (10 = 10 %). */
  percent: number | null;
  /** Cart subtotal the code needs (0: none). */
  minSubtotalMinor: number;
  /** The only customer who may use the code; null when the buyer is not known yet. */
  customerGid: string | null;
  startsAt: Date;
  endsAt: Date;
}

export type CreateDiscountResult = { status: "CREATED"; nodeGid: string } | { status: "REFUSED"; userErrors: DiscountUserError[] };

/**
 * The mutation input shared by both kinds: one use in total and once per customer, limited to the
 * customer when known (`context`, which replaces the deprecated `customerSelection`), ending when
 * the reservation expires so Shopify itself refuses the code after that.
 */
export function toDiscountCodeInput(discount: ReservationDiscount): Record<string, unknown> {
  const common: Record<string, unknown> = {
    title: discount.title,
    code: discount.code,
    startsAt: discount.startsAt.toISOString(),
    endsAt: discount.endsAt.toISOString(),
    usageLimit: 1,
    appliesOncePerCustomer: true,
    context: discount.customerGid ? { customers: { add: [discount.customerGid] } } : { all: "ALL" },
  };
  if (discount.minSubtotalMinor > 0) {
    common.minimumRequirement = { subtotal: { greaterThanOrEqualToSubtotal: formatAmountMinor(discount.minSubtotalMinor, discount.currency) } };
  }
  switch (discount.kind) {
    case "FIXED_AMOUNT":
      return {
        ...common,
        customerGets: {
          value: { discountAmount: { amount: formatAmountMinor(requireAmount(discount), discount.currency), appliesOnEachItem: false } },
          items: { all: true },
        },
      };
    case "PERCENTAGE":
      if (!discount.percent || discount.percent <= 0 || discount.percent > 100) throw new Error("A percentage discount needs a percent in 1..100");
      // Shopify takes the share as a fraction (0.1 for 10 %).
      return { ...common, customerGets: { value: { percentage: discount.percent / 100 }, items: { all: true } } };
    case "FREE_SHIPPING":
      return {
        ...common,
        destination: { all: true },
        ...(discount.amountMinor === null ? {} : { maximumShippingPrice: formatAmountMinor(discount.amountMinor, discount.currency) }),
      };
  }
}

function requireAmount(discount: ReservationDiscount): number {
  if (discount.amountMinor === null || discount.amountMinor <= 0) throw new Error("An amount-off discount needs a positive amount");
  return discount.amountMinor;
}

const USER_ERROR_FIELDS = "userErrors { field message code }";

const BASIC_CREATE = `#graphql
  mutation WafaReservationCodeBasic($input: DiscountCodeBasicInput!) {
    discountCodeBasicCreate(basicCodeDiscount: $input) {
      codeDiscountNode { id }
      ${USER_ERROR_FIELDS}
    }
  }`;

const FREE_SHIPPING_CREATE = `#graphql
  mutation WafaReservationCodeFreeShipping($input: DiscountCodeFreeShippingInput!) {
    discountCodeFreeShippingCreate(freeShippingCodeDiscount: $input) {
      codeDiscountNode { id }
      ${USER_ERROR_FIELDS}
    }
  }`;

type CreatePayload = { codeDiscountNode: { id: string } | null; userErrors: DiscountUserError[] };

/** Creates the code in Shopify. Throws when the outcome is unknown (network, GraphQL errors). */
export async function createReservationDiscount(graphql: AdminGraphql, discount: ReservationDiscount): Promise<CreateDiscountResult> {
  const input = toDiscountCodeInput(discount);
  let payload: CreatePayload | null;
  if (discount.kind === "FREE_SHIPPING") {
    payload = (await runGraphql<{ discountCodeFreeShippingCreate: CreatePayload | null }>(graphql, FREE_SHIPPING_CREATE, { input }))
      .discountCodeFreeShippingCreate;
  } else {
    payload = (await runGraphql<{ discountCodeBasicCreate: CreatePayload | null }>(graphql, BASIC_CREATE, { input })).discountCodeBasicCreate;
  }
  if (!payload) throw new Error("Shopify answered without a discount payload");
  if (payload.codeDiscountNode && payload.userErrors.length === 0) return { status: "CREATED", nodeGid: payload.codeDiscountNode.id };
  return { status: "REFUSED", userErrors: payload.userErrors };
}

const BY_CODE = `#graphql
  query WafaDiscountByCode($code: String!) {
    codeDiscountNodeByCode(code: $code) { id }
  }`;

/** The discount node holding a code (codes are unique per shop, ignoring case), or null. */
export async function findDiscountByCode(graphql: AdminGraphql, code: string): Promise<string | null> {
  const data = await runGraphql<{ codeDiscountNodeByCode: { id: string } | null }>(graphql, BY_CODE, { code });
  return data.codeDiscountNodeByCode?.id ?? null;
}

const DELETE = `#graphql
  mutation WafaDiscountDelete($id: ID!) {
    discountCodeDelete(id: $id) {
      deletedCodeDiscountId
      ${USER_ERROR_FIELDS}
    }
  }`;

/** Deletes a code discount. A discount that is already gone counts as deleted. */
export async function deleteDiscount(graphql: AdminGraphql, nodeGid: string): Promise<{ status: "DELETED" } | { status: "REFUSED"; userErrors: DiscountUserError[] }> {
  const data = await runGraphql<{ discountCodeDelete: { deletedCodeDiscountId: string | null; userErrors: DiscountUserError[] } | null }>(graphql, DELETE, {
    id: nodeGid,
  });
  const payload = data.discountCodeDelete;
  if (!payload) throw new Error("Shopify answered without a delete payload");
  if (payload.deletedCodeDiscountId || payload.userErrors.length === 0) return { status: "DELETED" };
  // Deleting twice (a retried job) answers "does not exist": the goal is reached.
  if (!(await findDiscountByNodeId(graphql, nodeGid))) return { status: "DELETED" };
  return { status: "REFUSED", userErrors: payload.userErrors };
}

const BY_ID = `#graphql
  query WafaDiscountById($id: ID!) {
    codeDiscountNode(id: $id) { id }
  }`;

async function findDiscountByNodeId(graphql: AdminGraphql, nodeGid: string): Promise<boolean> {
  const data = await runGraphql<{ codeDiscountNode: { id: string } | null }>(graphql, BY_ID, { id: nodeGid });
  return data.codeDiscountNode !== null;
}

/** One line for logs and the reservation's codeError column. */
export function formatUserErrors(userErrors: DiscountUserError[]): string {
  return userErrors.map((error) => `${error.code ?? "ERROR"} ${error.field?.join(".") ?? ""}: ${error.message}`.replace(/\s+:/, ":")).join("; ");
}
