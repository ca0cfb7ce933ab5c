/**
 * Metafields in the fake, with the 2026-10 Admin API shapes Wafa uses for loyalty values on
 * customers: `metafieldsSet` (atomic, at most 25 inputs, typed values, userErrors with
 * elementIndex) and `metafieldsDelete`
 * (https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/metafieldsSet). Owners must exist:
 * customers of the fake shop (`shop.customers`, by numeric id). Namespaces are stored as sent
 * (`$app` stays `$app`; Shopify stores it as `app--<app id>`). Tests read values with
 * `getMetafields`.
 */
import type { FakeShop, FakeStore } from "./store";
import type { ResolverFactory } from "./admin-graphql";

export const METAFIELDS_SDL = /* GraphQL */ `
  enum MetafieldsSetUserErrorCode {
    BLANK INCLUSION INVALID_TYPE INVALID_VALUE LESS_THAN_OR_EQUAL_TO TOO_LONG INVALID_COMPARE_DIGEST
  }
  input MetafieldsSetInput {
    ownerId: ID!
    namespace: String
    key: String!
    type: String
    value: String!
    compareDigest: String
  }
  input MetafieldIdentifierInput { ownerId: ID! namespace: String! key: String! }
  type Metafield {
    id: ID!
    namespace: String!
    key: String!
    type: String!
    value: String!
    compareDigest: String!
    updatedAt: DateTime!
  }
  type MetafieldIdentifier { ownerId: ID! namespace: String! key: String! }
  type MetafieldsSetUserError { field: [String!] message: String! code: MetafieldsSetUserErrorCode elementIndex: Int }
  type MetafieldsSetPayload { metafields: [Metafield!] userErrors: [MetafieldsSetUserError!]! }
  type MetafieldsDeletePayload { deletedMetafields: [MetafieldIdentifier] userErrors: [UserError!]! }
  extend type Mutation {
    metafieldsSet(metafields: [MetafieldsSetInput!]!): MetafieldsSetPayload
    metafieldsDelete(metafields: [MetafieldIdentifierInput!]!): MetafieldsDeletePayload
  }
`;

export interface FakeMetafield {
  id: string;
  ownerId: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
  updatedAt: string;
}

const MAX_INPUTS = 25;
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
let nextId = 1;

/** The metafields of one owner, by "namespace.key" (what the app wrote, for assertions). */
export function getMetafields(shop: FakeShop, ownerId: string): Record<string, { type: string; value: string }> {
  const stored = shop.metafields.get(ownerId) ?? new Map<string, FakeMetafield>();
  return Object.fromEntries([...stored].map(([name, field]) => [name, { type: field.type, value: field.value }]));
}

function ownerExists(shop: FakeShop, ownerId: string): boolean {
  const match = /^gid:\/\/shopify\/Customer\/(\d+)$/.exec(ownerId);
  return match !== null && shop.customers.has(match[1]);
}

function validateValue(type: string, value: string): { code: string; message: string } | null {
  switch (type) {
    case "number_integer": {
      if (!/^-?\d+$/.test(value)) return { code: "INVALID_VALUE", message: "Value must be an integer." };
      const number = BigInt(value);
      return number < INT64.min || number > INT64.max ? { code: "INVALID_VALUE", message: "Value is out of range." } : null;
    }
    case "single_line_text_field":
      if (/[\r\n]/.test(value)) return { code: "INVALID_VALUE", message: "Value must be a single line of text." };
      return value.length > 5000 ? { code: "TOO_LONG", message: "Value is too long." } : null;
    default:
      return { code: "INVALID_TYPE", message: `Type ${type} is not supported by the fake.` };
  }
}

interface SetInput {
  ownerId: string;
  namespace?: string | null;
  key: string;
  type?: string | null;
  value: string;
}

function metafieldsSet(shop: FakeShop, inputs: SetInput[]) {
  if (inputs.length > MAX_INPUTS) {
    return {
      metafields: [],
      userErrors: [{ field: ["metafields"], message: `Exceeded the maximum metafields input limit of ${MAX_INPUTS}.`, code: "LESS_THAN_OR_EQUAL_TO", elementIndex: null }],
    };
  }
  const userErrors: Array<{ field: string[]; message: string; code: string; elementIndex: number }> = [];
  inputs.forEach((input, index) => {
    const at = (field: string) => ["metafields", String(index), field];
    const existing = shop.metafields.get(input.ownerId)?.get(`${input.namespace ?? "$app"}.${input.key}`);
    const type = input.type ?? existing?.type;
    // Shopify's wording for an owner it cannot find; the code is our closest match.
    if (!ownerExists(shop, input.ownerId)) userErrors.push({ field: at("ownerId"), message: "Owner does not exist.", code: "INVALID_VALUE", elementIndex: index });
    else if (!type) userErrors.push({ field: at("type"), message: "Type can't be blank.", code: "BLANK", elementIndex: index });
    else {
      const error = validateValue(type, input.value);
      if (error) userErrors.push({ field: at("value"), ...error, elementIndex: index });
    }
  });
  // Atomic: one bad input and nothing is written.
  if (userErrors.length > 0) return { metafields: [], userErrors };
  const now = new Date().toISOString();
  const written = inputs.map((input) => {
    const namespace = input.namespace ?? "$app";
    if (!shop.metafields.has(input.ownerId)) shop.metafields.set(input.ownerId, new Map());
    const owned = shop.metafields.get(input.ownerId)!;
    const existing = owned.get(`${namespace}.${input.key}`);
    const field: FakeMetafield = {
      id: existing?.id ?? `gid://shopify/Metafield/${nextId++}`,
      ownerId: input.ownerId,
      namespace,
      key: input.key,
      type: input.type ?? existing!.type,
      value: input.value,
      updatedAt: now,
    };
    owned.set(`${namespace}.${input.key}`, field);
    return field;
  });
  return { metafields: written.map((field) => ({ ...field, compareDigest: Buffer.from(field.value).toString("base64url") })), userErrors: [] };
}

function metafieldsDelete(shop: FakeShop, inputs: Array<{ ownerId: string; namespace: string; key: string }>) {
  // Deleting a metafield that does not exist is not an error: its identifier comes back as null.
  const deletedMetafields = inputs.map((input) =>
    shop.metafields.get(input.ownerId)?.delete(`${input.namespace}.${input.key}`) ? { ownerId: input.ownerId, namespace: input.namespace, key: input.key } : null,
  );
  return { deletedMetafields, userErrors: [] };
}

export const metafieldResolvers: ResolverFactory = (_store: FakeStore, shop: FakeShop) => ({
  mutation: {
    metafieldsSet: ({ metafields }: { metafields: SetInput[] }) => metafieldsSet(shop, metafields),
    metafieldsDelete: ({ metafields }: { metafields: Array<{ ownerId: string; namespace: string; key: string }> }) => metafieldsDelete(shop, metafields),
  },
});
