/**
 * Code discounts in the fake, with the 2026-10 Admin API shapes Wafa uses for point reservations:
 * `discountCodeBasicCreate`, `discountCodeFreeShippingCreate`, `discountCodeDelete`,
 * `discountCodeDeactivate`, `codeDiscountNode(id)` and `codeDiscountNodeByCode(code)`
 * (https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/discountCodeBasicCreate).
 * Codes are unique per shop ignoring case, as in Shopify; a taken code is a TAKEN userError.
 * Each discount is stored with the input it was created from, so tests can assert exactly what
 * the app asked for; `failNextDiscountCreate` makes the next create refuse or break.
 */
import type { FakeShop, FakeStore } from "./store";
import type { ResolverFactory } from "./admin-graphql";

export const DISCOUNTS_SDL = /* GraphQL */ `
  scalar Decimal

  enum DiscountBuyerSelection { ALL }
  enum DiscountStatus { ACTIVE EXPIRED SCHEDULED }
  enum DiscountErrorCode {
    BLANK CONFLICT DUPLICATE EQUAL_TO EXCEEDED_MAX GREATER_THAN GREATER_THAN_OR_EQUAL_TO IMPLICIT_DUPLICATE INCLUSION
    INTERNAL_ERROR INVALID LESS_THAN LESS_THAN_OR_EQUAL_TO MISSING_ARGUMENT PRESENT TAKEN TOO_LONG TOO_MANY_ARGUMENTS
    TOO_SHORT VALUE_OUTSIDE_RANGE
  }

  input DiscountCustomersInput { add: [ID!] remove: [ID!] }
  input DiscountCustomerSegmentsInput { add: [ID!] remove: [ID!] }
  input DiscountContextInput {
    all: DiscountBuyerSelection
    customers: DiscountCustomersInput
    customerSegments: DiscountCustomerSegmentsInput
  }
  input DiscountCustomerSelectionInput {
    all: Boolean
    customers: DiscountCustomersInput
    customerSegments: DiscountCustomerSegmentsInput
  }
  input DiscountAmountInput { amount: Decimal appliesOnEachItem: Boolean }
  input DiscountCustomerGetsValueInput { discountAmount: DiscountAmountInput percentage: Float }
  input DiscountItemsInput { all: Boolean }
  input DiscountCustomerGetsInput {
    value: DiscountCustomerGetsValueInput
    items: DiscountItemsInput
    appliesOnOneTimePurchase: Boolean
    appliesOnSubscription: Boolean
  }
  input DiscountMinimumSubtotalInput { greaterThanOrEqualToSubtotal: Decimal }
  input DiscountMinimumQuantityInput { greaterThanOrEqualToQuantity: String }
  input DiscountMinimumRequirementInput { subtotal: DiscountMinimumSubtotalInput quantity: DiscountMinimumQuantityInput }
  input DiscountCombinesWithInput { orderDiscounts: Boolean productDiscounts: Boolean shippingDiscounts: Boolean }
  input DiscountCountriesInput { add: [String!] remove: [String!] includeRestOfWorld: Boolean }
  input DiscountShippingDestinationSelectionInput { all: Boolean countries: DiscountCountriesInput }

  input DiscountCodeBasicInput {
    title: String
    code: String
    startsAt: DateTime
    endsAt: DateTime
    usageLimit: Int
    appliesOncePerCustomer: Boolean
    context: DiscountContextInput
    customerSelection: DiscountCustomerSelectionInput
    customerGets: DiscountCustomerGetsInput
    minimumRequirement: DiscountMinimumRequirementInput
    combinesWith: DiscountCombinesWithInput
    recurringCycleLimit: Int
    tags: [String!]
  }

  input DiscountCodeFreeShippingInput {
    title: String
    code: String
    startsAt: DateTime
    endsAt: DateTime
    usageLimit: Int
    appliesOncePerCustomer: Boolean
    context: DiscountContextInput
    customerSelection: DiscountCustomerSelectionInput
    destination: DiscountShippingDestinationSelectionInput
    maximumShippingPrice: Decimal
    minimumRequirement: DiscountMinimumRequirementInput
    combinesWith: DiscountCombinesWithInput
    appliesOnOneTimePurchase: Boolean
    appliesOnSubscription: Boolean
    recurringCycleLimit: Int
  }

  type DiscountUserError {
    field: [String!]
    message: String!
    code: DiscountErrorCode
    extraInfo: String
  }

  type DiscountRedeemCode { id: ID! code: String! asyncUsageCount: Int! }
  type DiscountRedeemCodeEdge { cursor: String! node: DiscountRedeemCode! }
  type DiscountRedeemCodeConnection { edges: [DiscountRedeemCodeEdge!]! nodes: [DiscountRedeemCode!]! pageInfo: PageInfo! }

  type DiscountCodeBasic {
    title: String!
    status: DiscountStatus!
    startsAt: DateTime!
    endsAt: DateTime
    usageLimit: Int
    appliesOncePerCustomer: Boolean!
    asyncUsageCount: Int!
    codes(first: Int, after: String): DiscountRedeemCodeConnection!
  }

  type DiscountCodeFreeShipping {
    title: String!
    status: DiscountStatus!
    startsAt: DateTime!
    endsAt: DateTime
    usageLimit: Int
    appliesOncePerCustomer: Boolean!
    asyncUsageCount: Int!
    codes(first: Int, after: String): DiscountRedeemCodeConnection!
  }

  union DiscountCode = DiscountCodeBasic | DiscountCodeFreeShipping

  type DiscountCodeNode { id: ID! codeDiscount: DiscountCode! }

  type DiscountCodeBasicCreatePayload { codeDiscountNode: DiscountCodeNode userErrors: [DiscountUserError!]! }
  type DiscountCodeFreeShippingCreatePayload { codeDiscountNode: DiscountCodeNode userErrors: [DiscountUserError!]! }
  type DiscountCodeDeletePayload { deletedCodeDiscountId: ID userErrors: [DiscountUserError!]! }
  type DiscountCodeDeactivatePayload { codeDiscountNode: DiscountCodeNode userErrors: [DiscountUserError!]! }

  extend type Query {
    codeDiscountNode(id: ID!): DiscountCodeNode
    codeDiscountNodeByCode(code: String!): DiscountCodeNode
  }

  extend type Mutation {
    discountCodeBasicCreate(basicCodeDiscount: DiscountCodeBasicInput!): DiscountCodeBasicCreatePayload
    discountCodeFreeShippingCreate(freeShippingCodeDiscount: DiscountCodeFreeShippingInput!): DiscountCodeFreeShippingCreatePayload
    discountCodeDelete(id: ID!): DiscountCodeDeletePayload
    discountCodeDeactivate(id: ID!): DiscountCodeDeactivatePayload
  }
`;

type Input = Record<string, unknown> & {
  title?: string | null;
  code?: string | null;
  startsAt?: string | null;
  endsAt?: string | null;
  usageLimit?: number | null;
  context?: Record<string, unknown> | null;
  customerSelection?: Record<string, unknown> | null;
  customerGets?: { value?: { discountAmount?: { amount?: string | null } | null; percentage?: number | null } | null } | null;
  maximumShippingPrice?: string | null;
};

/** A code discount as the fake stores it: Shopify's fields plus the exact input the app sent. */
export interface FakeDiscount {
  id: string; // gid://shopify/DiscountCodeNode/<n>
  type: "DiscountCodeBasic" | "DiscountCodeFreeShipping";
  code: string;
  title: string;
  startsAt: string;
  endsAt: string | null;
  usageLimit: number | null;
  appliesOncePerCustomer: boolean;
  /** Customer GIDs the code is limited to; null when every buyer may use it. */
  customerGids: string[] | null;
  status: "ACTIVE" | "DEACTIVATED";
  input: Input;
  createdAt: string;
}

/**
 * How the next create fails: REFUSED answers a userError (nothing created); UNREACHABLE answers a
 * top-level error without creating anything; LOST_AFTER_CREATE creates the discount and then
 * answers an error, as when Shopify's response never reaches the app.
 */
export type FakeDiscountFailure = { kind: "REFUSED"; message?: string; code?: string } | { kind: "UNREACHABLE" } | { kind: "LOST_AFTER_CREATE" };

let nextDiscountId = 1_000_000;

/** Makes the shop's next discountCode*Create fail the given way (failures queue up, one per create). */
export function failNextDiscountCreate(shop: FakeShop, failure: FakeDiscountFailure = { kind: "REFUSED" }): void {
  shop.discountFailures.push(failure);
}

/** The shop's code discounts that still exist (deleted ones are gone, as in Shopify). */
export function listDiscounts(shop: FakeShop): FakeDiscount[] {
  return [...shop.discounts.values()];
}

function findByCode(shop: FakeShop, code: string): FakeDiscount | undefined {
  const wanted = code.toUpperCase();
  return [...shop.discounts.values()].find((discount) => discount.code.toUpperCase() === wanted);
}

function toNode(discount: FakeDiscount) {
  const now = Date.now();
  const status =
    discount.status === "DEACTIVATED" || (discount.endsAt && Date.parse(discount.endsAt) <= now)
      ? "EXPIRED"
      : Date.parse(discount.startsAt) > now
        ? "SCHEDULED"
        : "ACTIVE";
  const redeemCode = { id: `gid://shopify/DiscountRedeemCode/${discount.id.split("/").pop()}`, code: discount.code, asyncUsageCount: 0 };
  return {
    id: discount.id,
    codeDiscount: {
      __typename: discount.type,
      title: discount.title,
      status,
      startsAt: discount.startsAt,
      endsAt: discount.endsAt,
      usageLimit: discount.usageLimit,
      appliesOncePerCustomer: discount.appliesOncePerCustomer,
      asyncUsageCount: 0,
      codes: () => ({
        edges: [{ cursor: Buffer.from("0").toString("base64url"), node: redeemCode }],
        nodes: [redeemCode],
        pageInfo: { hasNextPage: false, endCursor: Buffer.from("0").toString("base64url") },
      }),
    },
  };
}

type UserError = { field: string[]; message: string; code: string };

/** Shopify's checks on a code discount input, in the order it reports them. */
function validate(shop: FakeShop, argument: string, input: Input, type: FakeDiscount["type"]): UserError[] {
  const errors: UserError[] = [];
  const at = (...path: string[]) => [argument, ...path];
  if (!input.title?.trim()) errors.push({ field: at("title"), message: "Title can't be blank", code: "BLANK" });
  const code = input.code?.trim() ?? "";
  if (!code) errors.push({ field: at("code"), message: "Code can't be blank", code: "BLANK" });
  else if (code.length > 255) errors.push({ field: at("code"), message: "Code is too long", code: "TOO_LONG" });
  else if (/[\r\n]/.test(code)) errors.push({ field: at("code"), message: "Code cannot contain newline characters.", code: "INVALID" });
  else if (findByCode(shop, code)) {
    errors.push({ field: at("code"), message: "Code must be unique. Please try a different code.", code: "TAKEN" });
  }
  if (!input.startsAt) errors.push({ field: at("startsAt"), message: "Starts at can't be blank", code: "BLANK" });
  if (input.startsAt && input.endsAt && Date.parse(input.endsAt) <= Date.parse(input.startsAt)) {
    errors.push({ field: at("endsAt"), message: "Ends at needs to be after starts_at", code: "INVALID" });
  }
  if (input.usageLimit !== null && input.usageLimit !== undefined && input.usageLimit < 1) {
    errors.push({ field: at("usageLimit"), message: "Usage limit must be greater than 0", code: "GREATER_THAN" });
  }
  if (input.context && input.customerSelection) {
    errors.push({ field: at("context"), message: "Only one of context or customerSelection can be provided.", code: "TOO_MANY_ARGUMENTS" });
  } else if (!input.context && !input.customerSelection) {
    errors.push({ field: at("context"), message: "Context can't be blank", code: "BLANK" });
  }
  const context = (input.context ?? input.customerSelection) as { all?: unknown; customers?: { add?: string[] } } | null;
  for (const gid of context?.customers?.add ?? []) {
    if (!/^gid:\/\/shopify\/Customer\/\d+$/.test(gid)) {
      errors.push({ field: at("context", "customers", "add"), message: `Customer ${gid} does not exist`, code: "INVALID" });
    }
  }
  if (type === "DiscountCodeBasic") {
    const value = input.customerGets?.value;
    const amount = value?.discountAmount?.amount;
    const percentage = value?.percentage;
    if (!value || (amount == null && percentage == null)) {
      errors.push({ field: at("customerGets", "value"), message: "Value can't be blank", code: "BLANK" });
    } else if (amount != null && percentage != null) {
      errors.push({ field: at("customerGets", "value"), message: "Only one of discountAmount or percentage can be provided.", code: "TOO_MANY_ARGUMENTS" });
    } else if (amount != null && !(Number(amount) > 0)) {
      errors.push({ field: at("customerGets", "value", "discountAmount", "amount"), message: "Value must be greater than 0", code: "GREATER_THAN" });
    } else if (percentage != null && !(percentage > 0 && percentage <= 1)) {
      errors.push({ field: at("customerGets", "value", "percentage"), message: "Value must be between 0.0 and 1.0", code: "VALUE_OUTSIDE_RANGE" });
    }
  } else if (input.maximumShippingPrice != null && !(Number(input.maximumShippingPrice) > 0)) {
    errors.push({ field: at("maximumShippingPrice"), message: "Maximum shipping price must be greater than 0", code: "GREATER_THAN" });
  }
  return errors;
}

function create(shop: FakeShop, argument: string, input: Input, type: FakeDiscount["type"]) {
  const failure = shop.discountFailures.shift();
  if (failure?.kind === "UNREACHABLE") throw new Error("Internal error. Looks like something went wrong on our end.");
  if (failure?.kind === "REFUSED") {
    return {
      codeDiscountNode: null,
      userErrors: [{ field: [argument, "code"], message: failure.message ?? "Discount could not be created", code: failure.code ?? "INVALID", extraInfo: null }],
    };
  }
  const userErrors = validate(shop, argument, input, type);
  if (userErrors.length > 0) return { codeDiscountNode: null, userErrors: userErrors.map((error) => ({ ...error, extraInfo: null })) };
  const context = (input.context ?? input.customerSelection) as { customers?: { add?: string[] } } | null;
  const customers = context?.customers?.add ?? [];
  const discount: FakeDiscount = {
    id: `gid://shopify/DiscountCodeNode/${++nextDiscountId}`,
    type,
    code: input.code!.trim(),
    title: input.title!.trim(),
    startsAt: new Date(input.startsAt!).toISOString(),
    endsAt: input.endsAt ? new Date(input.endsAt).toISOString() : null,
    usageLimit: input.usageLimit ?? null,
    appliesOncePerCustomer: input.appliesOncePerCustomer === true,
    customerGids: customers.length > 0 ? customers : null,
    status: "ACTIVE",
    input: structuredClone(input),
    createdAt: new Date().toISOString(),
  };
  shop.discounts.set(discount.id, discount);
  if (failure?.kind === "LOST_AFTER_CREATE") throw new Error("Timeout: the response was lost after the discount was created.");
  return { codeDiscountNode: toNode(discount), userErrors: [] };
}

function notFound(argument: string) {
  return [{ field: [argument], message: "Discount does not exist", code: "INVALID", extraInfo: null }];
}

export const discountResolvers: ResolverFactory = (_store: FakeStore, shop: FakeShop) => ({
  query: {
    codeDiscountNode: ({ id }: { id: string }) => {
      const discount = shop.discounts.get(id);
      return discount ? toNode(discount) : null;
    },
    codeDiscountNodeByCode: ({ code }: { code: string }) => {
      const discount = findByCode(shop, code);
      return discount ? toNode(discount) : null;
    },
  },
  mutation: {
    discountCodeBasicCreate: ({ basicCodeDiscount }: { basicCodeDiscount: Input }) =>
      create(shop, "basicCodeDiscount", basicCodeDiscount, "DiscountCodeBasic"),
    discountCodeFreeShippingCreate: ({ freeShippingCodeDiscount }: { freeShippingCodeDiscount: Input }) =>
      create(shop, "freeShippingCodeDiscount", freeShippingCodeDiscount, "DiscountCodeFreeShipping"),
    discountCodeDelete: ({ id }: { id: string }) => {
      if (!shop.discounts.delete(id)) return { deletedCodeDiscountId: null, userErrors: notFound("id") };
      return { deletedCodeDiscountId: id, userErrors: [] };
    },
    discountCodeDeactivate: ({ id }: { id: string }) => {
      const discount = shop.discounts.get(id);
      if (!discount) return { codeDiscountNode: null, userErrors: notFound("id") };
      discount.status = "DEACTIVATED";
      return { codeDiscountNode: toNode(discount), userErrors: [] };
    },
  },
});
