/**
 * The Admin GraphQL API of the fake: a real GraphQL schema (graphql-js) holding the subset of
 * Shopify's 2026-10 schema that Wafa uses, with Shopify's response shapes, userErrors and the
 * `extensions.cost` block fed by a leaky bucket per shop (THROTTLED when it runs dry).
 * Each issue adds the operations it needs to SDL and to the resolvers below.
 */
import {
  buildSchema,
  execute,
  getNamedType,
  isObjectType,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type GraphQLObjectType,
  Kind,
} from "graphql";
import type { FakeShop, FakeStore } from "./store";
import { DISCOUNTS_SDL, discountResolvers } from "./discounts";
import { METAFIELDS_SDL, metafieldResolvers } from "./metafields";
import { CUSTOMER_MERGE_SDL, customerMergeResolvers } from "./customer-merge";

export const SDL = /* GraphQL */ `
  scalar DateTime
  scalar URL

  type Query {
    shop: Shop!
    shopLocales(published: Boolean): [ShopLocale!]!
    locations(first: Int, after: String): LocationConnection!
  }

  type Mutation {
    _noop: Boolean
  }

  type Shop {
    id: ID!
    name: String!
    myshopifyDomain: String!
    currencyCode: String!
    ianaTimezone: String!
    billingAddress: ShopAddress
  }

  type ShopAddress {
    countryCodeV2: String
  }

  type ShopLocale {
    locale: String!
    primary: Boolean!
    published: Boolean!
  }

  type Location {
    id: ID!
    name: String!
    address: LocationAddress!
  }

  type LocationAddress {
    city: String
  }

  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }

  type LocationEdge {
    cursor: String!
    node: Location!
  }

  type LocationConnection {
    edges: [LocationEdge!]!
    nodes: [Location!]!
    pageInfo: PageInfo!
  }

  type UserError {
    field: [String!]
    message: String!
    code: String
  }
`;

/** Cursor pagination over an array, as Shopify's connections page. */
export function connection<T>(items: T[], first = 50, after?: string | null) {
  const start = after ? Number(Buffer.from(after, "base64url").toString("utf8")) + 1 : 0;
  const slice = items.slice(start, start + Math.min(first, 250));
  const edges = slice.map((node, i) => ({ cursor: Buffer.from(String(start + i)).toString("base64url"), node }));
  return {
    edges,
    nodes: slice,
    pageInfo: { hasNextPage: start + slice.length < items.length, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

export type Resolvers = Record<string, unknown>;
/** Extra root fields added by later issues: (store, shop) -> { query fields, mutation fields }. */
export type ResolverFactory = (store: FakeStore, shop: FakeShop) => { query?: Resolvers; mutation?: Resolvers };

function baseResolvers(_store: FakeStore, shop: FakeShop) {
  return {
    query: {
      shop: () => ({
        id: `gid://shopify/Shop/${Math.abs(hash(shop.domain))}`,
        name: shop.name,
        myshopifyDomain: shop.domain,
        currencyCode: shop.currencyCode,
        ianaTimezone: shop.ianaTimezone,
        billingAddress: { countryCodeV2: shop.countryCode },
      }),
      shopLocales: () => [{ locale: shop.primaryLocale, primary: true, published: true }],
      locations: ({ first, after }: { first?: number; after?: string }) =>
        connection(
          shop.locations.map((l) => ({ id: l.id, name: l.name, address: { city: l.city } })),
          first ?? 50,
          after,
        ),
    },
    mutation: {},
  };
}

function hash(value: string): number {
  let h = 0;
  for (const c of value) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}

/** Shopify's calculated query cost, simplified: 1 per object, x `first` for connections, 10 per mutation. */
function requestedCost(schema: GraphQLSchema, document: DocumentNode): number {
  let cost = 0;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (definition.operation === "mutation") {
      cost += 10;
      continue;
    }
    const walk = (set: SelectionSetNode, type: GraphQLObjectType, multiplier: number) => {
      for (const selection of set.selections) {
        if (selection.kind !== Kind.FIELD || !selection.selectionSet) continue;
        const field = type.getFields()[selection.name.value];
        if (!field) continue;
        const named = getNamedType(field.type);
        if (!isObjectType(named)) continue;
        const firstArg = selection.arguments?.find((a) => a.name.value === "first");
        const first = firstArg && firstArg.value.kind === Kind.INT ? Number(firstArg.value.value) : 1;
        const isConnection = named.name.endsWith("Connection");
        cost += isConnection ? 2 : multiplier;
        walk(selection.selectionSet, named, isConnection ? multiplier * first : multiplier);
      }
    };
    walk(definition.selectionSet, schema.getQueryType()!, 1);
  }
  return Math.max(cost, 1);
}

interface Bucket {
  available: number;
  updatedAt: number;
}

export class AdminGraphqlApi {
  readonly schema: GraphQLSchema;
  private readonly buckets = new Map<string, Bucket>();
  private readonly factories: ResolverFactory[] = [baseResolvers, discountResolvers, metafieldResolvers, customerMergeResolvers];

  constructor(
    private readonly store: FakeStore,
    extraSdl: string[] = [],
    readonly limits = { maximumAvailable: 2000, restoreRate: 100 },
  ) {
    this.schema = buildSchema([SDL, DISCOUNTS_SDL, METAFIELDS_SDL, CUSTOMER_MERGE_SDL, ...extraSdl].join("\n"));
  }

  addResolvers(factory: ResolverFactory): void {
    this.factories.push(factory);
  }

  /** A shop's own bucket size and restore rate (FakeShop.apiLimits), else the API's. */
  limitsOf(shop: string) {
    return this.store.shops.get(shop)?.apiLimits ?? this.limits;
  }

  private takeFromBucket(shop: string, cost: number) {
    const limits = this.limitsOf(shop);
    const now = Date.now();
    const bucket = this.buckets.get(shop) ?? { available: limits.maximumAvailable, updatedAt: now };
    bucket.available = Math.min(
      limits.maximumAvailable,
      bucket.available + ((now - bucket.updatedAt) / 1000) * limits.restoreRate,
    );
    bucket.updatedAt = now;
    const ok = bucket.available >= cost;
    if (ok) bucket.available -= cost;
    this.buckets.set(shop, bucket);
    return { ok, available: Math.floor(bucket.available) };
  }

  async run(shopDomain: string, body: { query?: string; variables?: Record<string, unknown>; operationName?: string }) {
    const shop = this.store.requireShop(shopDomain);
    this.store.graphqlLog.push({ shop: shopDomain, query: body.query ?? "", variables: body.variables });
    let document: DocumentNode;
    try {
      document = parse(body.query ?? "");
    } catch (error) {
      return { errors: [{ message: (error as Error).message, extensions: { code: "PARSE_ERROR" } }] };
    }
    const validationErrors = validate(this.schema, document);
    if (validationErrors.length) {
      return { errors: validationErrors.map((e) => ({ message: e.message, locations: e.locations, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } })) };
    }
    const cost = requestedCost(this.schema, document);
    const throttle = this.takeFromBucket(shopDomain, cost);
    const costExtension = (actual: number) => ({
      cost: {
        requestedQueryCost: cost,
        actualQueryCost: actual,
        throttleStatus: { maximumAvailable: this.limitsOf(shopDomain).maximumAvailable, currentlyAvailable: throttle.available, restoreRate: this.limitsOf(shopDomain).restoreRate },
      },
    });
    if (!throttle.ok) {
      return { errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }], extensions: costExtension(0) };
    }
    const query: Resolvers = {};
    const mutation: Resolvers = {};
    for (const factory of this.factories) {
      const r = factory(this.store, shop);
      Object.assign(query, r.query);
      Object.assign(mutation, r.mutation);
    }
    const result = await execute({
      schema: this.schema,
      document,
      rootValue: { ...query, ...mutation },
      variableValues: body.variables,
      operationName: body.operationName,
    });
    return {
      ...(result.data ? { data: result.data } : {}),
      // A resolver's own extensions (ACCESS_DENIED) travel as Shopify sends them.
      ...(result.errors ? { errors: result.errors.map((e) => ({ message: e.message, path: e.path, ...(e.extensions?.code ? { extensions: e.extensions } : {}) })) } : {}),
      extensions: costExtension(cost),
    };
  }
}
