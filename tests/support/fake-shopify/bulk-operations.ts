/**
 * Bulk operations in the fake, as Shopify runs them (https://shopify.dev/docs/api/usage/bulk-operations/queries):
 * `bulkOperationRunQuery` validates the inner query against the schema, the operation completes a
 * moment later on a timer, `bulk_operations/finish` is POSTed to the app signed with the app
 * secret (switchable off, so tests can exercise the app's polling fallback), and the JSONL result
 * is served over HTTP from the fake's own base URL — generated line by line from the shop's
 * customers/orders maps while it is written, never built whole in memory.
 *
 * JSONL format (groupObjects: false): one line per object of the root connection; each object of
 * a nested connection (an order's lineItems) on its own line after its parent, with `__parentId`.
 * List fields (Order.refunds) stay inline in their parent's line. As in Shopify, a connection
 * inside a list field is refused (refund line items come from the regular API, `nodes(ids:)`).
 */
import fs from "node:fs";
import type http from "node:http";
import { once } from "node:events";
import {
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from "graphql";
import type { FakeShop, FakeStore } from "./store";
import type { WebhookDelivery } from "./webhooks";
import { connection, type ResolverFactory } from "./admin-graphql";

export const BULK_OPERATIONS_SDL = /* GraphQL */ `
  interface Node {
    id: ID!
  }

  enum BulkOperationStatus { CANCELED CANCELING COMPLETED CREATED EXPIRED FAILED RUNNING }
  enum BulkOperationErrorCode { ACCESS_DENIED INTERNAL_SERVER_ERROR TIMEOUT }
  enum BulkOperationType { MUTATION QUERY }
  enum BulkOperationUserErrorCode { INVALID LIMIT_REACHED OPERATION_IN_PROGRESS }

  type BulkOperation implements Node {
    id: ID!
    status: BulkOperationStatus!
    type: BulkOperationType!
    errorCode: BulkOperationErrorCode
    objectCount: String!
    rootObjectCount: String!
    fileSize: String
    url: URL
    partialDataUrl: URL
    query: String!
    createdAt: DateTime!
    completedAt: DateTime
  }

  type BulkOperationUserError {
    field: [String!]
    message: String!
    code: BulkOperationUserErrorCode
  }

  type BulkOperationRunQueryPayload {
    bulkOperation: BulkOperation
    userErrors: [BulkOperationUserError!]!
  }

  type MoneyV2 { amount: String! currencyCode: String! }
  type MoneyBag { shopMoney: MoneyV2! presentmentMoney: MoneyV2! }

  type MailingAddress {
    firstName: String
    lastName: String
    address1: String
    address2: String
    city: String
    province: String
    zip: String
    countryCodeV2: String
    phone: String
  }

  type CustomerEmailAddress { emailAddress: String! }
  type CustomerPhoneNumber { phoneNumber: String! }

  type Customer implements Node {
    id: ID!
    legacyResourceId: String!
    firstName: String
    lastName: String
    email: String
    phone: String
    defaultEmailAddress: CustomerEmailAddress
    defaultPhoneNumber: CustomerPhoneNumber
    defaultAddress: MailingAddress
    state: String!
    note: String
    tags: [String!]!
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  type CustomerEdge { cursor: String! node: Customer! }
  type CustomerConnection { edges: [CustomerEdge!]! nodes: [Customer!]! pageInfo: PageInfo! }

  type Product { id: ID! }
  type ProductVariant { id: ID! }
  type DiscountAllocation { allocatedAmountSet: MoneyBag! }
  type OrderLocation { id: ID! }

  type LineItem implements Node {
    id: ID!
    sku: String
    title: String!
    variantTitle: String
    quantity: Int!
    originalUnitPriceSet: MoneyBag!
    discountAllocations: [DiscountAllocation!]!
    product: Product
    variant: ProductVariant
    isGiftCard: Boolean!
  }

  type LineItemEdge { cursor: String! node: LineItem! }
  type LineItemConnection { edges: [LineItemEdge!]! nodes: [LineItem!]! pageInfo: PageInfo! }

  type RefundLineItem {
    id: ID
    lineItem: LineItem!
    quantity: Int!
    subtotalSet: MoneyBag!
  }

  type RefundLineItemEdge { cursor: String! node: RefundLineItem! }
  type RefundLineItemConnection { edges: [RefundLineItemEdge!]! nodes: [RefundLineItem!]! pageInfo: PageInfo! }

  type OrderRef { id: ID! }

  type Refund implements Node {
    id: ID!
    createdAt: DateTime
    order: OrderRef!
    totalRefundedSet: MoneyBag!
    refundLineItems(first: Int, after: String): RefundLineItemConnection!
  }

  type Order implements Node {
    id: ID!
    legacyResourceId: String!
    name: String!
    createdAt: DateTime!
    updatedAt: DateTime!
    processedAt: DateTime!
    cancelledAt: DateTime
    cancelReason: String
    displayFinancialStatus: String
    currencyCode: String!
    sourceName: String
    retailLocation: OrderLocation
    email: String
    phone: String
    taxesIncluded: Boolean!
    customer: Customer
    billingAddress: MailingAddress
    shippingAddress: MailingAddress
    subtotalPriceSet: MoneyBag
    totalDiscountsSet: MoneyBag
    totalShippingPriceSet: MoneyBag!
    totalTaxSet: MoneyBag
    totalPriceSet: MoneyBag!
    discountCodes: [String!]!
    paymentGatewayNames: [String!]!
    tags: [String!]!
    lineItems(first: Int, after: String): LineItemConnection!
    refunds(first: Int): [Refund!]!
  }

  type OrderEdge { cursor: String! node: Order! }
  type OrderConnection { edges: [OrderEdge!]! nodes: [Order!]! pageInfo: PageInfo! }

  extend type Query {
    currentBulkOperation(type: BulkOperationType = QUERY): BulkOperation
    bulkOperation(id: ID!): BulkOperation
    node(id: ID!): Node
    nodes(ids: [ID!]!): [Node]!
    orders(first: Int, after: String, query: String): OrderConnection!
    customers(first: Int, after: String, query: String): CustomerConnection!
  }

  extend type Mutation {
    bulkOperationRunQuery(query: String!, groupObjects: Boolean! = false): BulkOperationRunQueryPayload
  }
`;

export interface BulkOperationsOptions {
  /** how long an operation runs before it completes */
  completeAfterMs: number;
  /** POST bulk_operations/finish to the app when an operation finishes (off: the app must poll) */
  webhooks: boolean;
  /** how a webhook reaches the app; default: a signed POST to the app URL */
  deliver?: (delivery: WebhookDelivery) => Promise<unknown>;
  /** make the next operations fail with this error code instead of completing */
  failWith?: "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT" | null;
}

/**
 * A result served from elsewhere than the shop's maps — a generated JSONL file — so a bulk
 * operation over a million orders never sits in the fake's memory (bench:ingest). `refund`
 * answers `nodes(ids:)` for the refunds named in the file.
 */
export interface BulkResultSource {
  objectCount: number;
  rootObjectCount: number;
  /** the result file, sent through two reused buffers (no garbage per chunk) */
  file: string;
  refund?(gid: string): unknown;
}

/**
 * Sends a file through two 1 MB buffers used in turn, each reused only once the socket has taken
 * its last chunk. A read stream allocates a buffer per chunk; for a file of gigabytes those pile up
 * outside the heap and set off full garbage collections in the process serving it, which on this
 * machine competes with the import being measured.
 */
async function sendFile(file: string, res: http.ServerResponse): Promise<void> {
  const handle = await fs.promises.open(file, "r");
  try {
    const { size } = await handle.stat();
    res.writeHead(200, { "Content-Type": "application/jsonl", "Content-Length": String(size) });
    const buffers = [Buffer.allocUnsafe(1 << 20), Buffer.allocUnsafe(1 << 20)];
    // Each write resolves once the socket has taken its chunk (or failed: the client went away).
    let failed = false;
    const write = (chunk: Buffer) => new Promise<void>((resolve) => res.write(chunk, (error) => ((failed ||= !!error), resolve())));
    const written: Array<Promise<void> | null> = [null, null];
    for (let turn = 0, sent = 0; sent < size; turn ^= 1) {
      await written[turn];
      if (failed || res.destroyed) break;
      const { bytesRead } = await handle.read(buffers[turn], 0, buffers[turn].length, sent);
      if (bytesRead === 0) break;
      sent += bytesRead;
      written[turn] = write(buffers[turn].subarray(0, bytesRead));
    }
    await Promise.all(written);
    if (failed || res.destroyed) res.destroy();
    else res.end();
  } finally {
    await handle.close();
  }
}

interface FakeBulkOperation {
  id: string;
  shop: string;
  status: "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELED";
  errorCode: string | null;
  query: string;
  document: DocumentNode;
  root: "orders" | "customers";
  objectCount: number;
  rootObjectCount: number;
  createdAt: string;
  completedAt: string | null;
}

// ---------------------------------------------------------------------------------------------
// Admin GraphQL shapes of the REST payloads the fake store keeps

type Rest = Record<string, unknown>;
const gid = (type: string, id: unknown) => (id == null ? null : `gid://shopify/${type}/${String(id)}`);
const money = (amount: unknown, currencyCode: string) => {
  const value = { amount: String(amount ?? "0.0"), currencyCode };
  return { shopMoney: value, presentmentMoney: value };
};
const iso = (value: unknown) => (value == null ? null : new Date(String(value)).toISOString());
const tagList = (tags: unknown) =>
  (Array.isArray(tags) ? tags : String(tags ?? "").split(",")).map((t) => String(t).trim()).filter(Boolean);

/** A connection field: callable by graphql-js with its arguments, and its items readable by the bulk exporter. */
function conn<T>(items: T[]) {
  return Object.assign((args: { first?: number; after?: string }) => connection(items, args?.first ?? 50, args?.after), { items });
}
type Conn = ReturnType<typeof conn>;
const isConn = (value: unknown): value is Conn => typeof value === "function" && Array.isArray((value as { items?: unknown }).items);

function toAddress(a: unknown) {
  if (!a || typeof a !== "object") return null;
  const r = a as Rest;
  return {
    firstName: r.first_name ?? null,
    lastName: r.last_name ?? null,
    address1: r.address1 ?? null,
    address2: r.address2 ?? null,
    city: r.city ?? null,
    province: r.province ?? null,
    zip: r.zip ?? null,
    countryCodeV2: r.country_code ?? null,
    phone: r.phone ?? null,
  };
}

export function toGraphqlCustomer(c: Rest) {
  return {
    __typename: "Customer",
    id: (c.admin_graphql_api_id as string) ?? gid("Customer", c.id),
    legacyResourceId: String(c.id),
    firstName: c.first_name ?? null,
    lastName: c.last_name ?? null,
    email: c.email ?? null,
    phone: c.phone ?? null,
    defaultEmailAddress: c.email ? { emailAddress: c.email } : null,
    defaultPhoneNumber: c.phone ? { phoneNumber: c.phone } : null,
    defaultAddress: toAddress(c.default_address),
    state: String(c.state ?? "enabled").toUpperCase(),
    note: c.note ?? null,
    tags: tagList(c.tags),
    createdAt: iso(c.created_at ?? c.updated_at),
    updatedAt: iso(c.updated_at),
  };
}

function toGraphqlRefund(r: Rest, orderGid: string, currency: string) {
  const refundGid = (r.admin_graphql_api_id as string) ?? gid("Refund", r.id)!;
  const transactions = (r.transactions as Rest[] | undefined) ?? [];
  const refunded = transactions
    .filter((t) => (t.kind ?? "refund") === "refund" && (t.status == null || t.status === "success"))
    .reduce((sum, t) => sum + Math.round(Number(t.amount) * 1000), 0);
  const lines = ((r.refund_line_items as Rest[] | undefined) ?? []).map((l) => ({
    id: gid("RefundLineItem", l.id),
    lineItem: { __typename: "LineItem", id: gid("LineItem", l.line_item_id) },
    quantity: l.quantity,
    subtotalSet: money(l.subtotal ?? (l.subtotal_set as { shop_money?: { amount?: string } } | undefined)?.shop_money?.amount, currency),
  }));
  return {
    __typename: "Refund",
    id: refundGid,
    createdAt: iso(r.created_at),
    order: { id: orderGid },
    totalRefundedSet: money((refunded / 1000).toFixed(3), currency),
    refundLineItems: conn(lines),
  };
}

export function toGraphqlOrder(o: Rest) {
  const currency = String(o.currency);
  const id = (o.admin_graphql_api_id as string) ?? gid("Order", o.id)!;
  const lineItems = ((o.line_items as Rest[] | undefined) ?? []).map((l) => ({
    __typename: "LineItem",
    id: (l.admin_graphql_api_id as string) ?? gid("LineItem", l.id),
    sku: l.sku ?? null,
    title: l.title ?? "",
    variantTitle: l.variant_title ?? null,
    quantity: l.quantity,
    originalUnitPriceSet: money(l.price, currency),
    discountAllocations: ((l.discount_allocations as Rest[] | undefined) ?? []).map((d) => ({ allocatedAmountSet: money(d.amount, currency) })),
    product: l.product_id ? { id: gid("Product", l.product_id) } : null,
    variant: l.variant_id ? { id: gid("ProductVariant", l.variant_id) } : null,
    isGiftCard: l.gift_card === true,
  }));
  const customer = o.customer as Rest | null | undefined;
  return {
    __typename: "Order",
    id,
    legacyResourceId: String(o.id),
    name: o.name ?? `#${String(o.id)}`,
    createdAt: iso(o.created_at),
    updatedAt: iso(o.updated_at),
    processedAt: iso(o.processed_at ?? o.created_at),
    cancelledAt: iso(o.cancelled_at),
    cancelReason: o.cancel_reason ? String(o.cancel_reason).toUpperCase() : null,
    displayFinancialStatus: o.financial_status ? String(o.financial_status).toUpperCase() : null,
    currencyCode: currency,
    sourceName: o.source_name ?? null,
    retailLocation: o.location_id ? { id: gid("Location", o.location_id) } : null,
    email: o.email ?? o.contact_email ?? null,
    phone: o.phone ?? null,
    taxesIncluded: Boolean(o.taxes_included),
    customer: customer ? toGraphqlCustomer({ updated_at: o.updated_at, ...customer }) : null,
    billingAddress: toAddress(o.billing_address),
    shippingAddress: toAddress(o.shipping_address),
    subtotalPriceSet: money(o.subtotal_price, currency),
    totalDiscountsSet: money(o.total_discounts, currency),
    totalShippingPriceSet: money((o.total_shipping_price_set as { shop_money?: { amount?: string } } | undefined)?.shop_money?.amount, currency),
    totalTaxSet: money(o.total_tax, currency),
    totalPriceSet: money(o.total_price, currency),
    discountCodes: ((o.discount_codes as Rest[] | undefined) ?? []).map((d) => String(d.code)),
    paymentGatewayNames: (o.payment_gateway_names as string[] | undefined) ?? [],
    tags: tagList(o.tags),
    lineItems: conn(lineItems),
    refunds: ((o.refunds as Rest[] | undefined) ?? []).map((r) => toGraphqlRefund(r, id, currency)),
  };
}

// ---------------------------------------------------------------------------------------------
// JSONL export: project each object on the query's selection; nested connections become lines

function fieldsOf(set: SelectionSetNode | undefined, document: DocumentNode): FieldNode[] {
  if (!set) return [];
  const out: FieldNode[] = [];
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) out.push(s);
    else if (s.kind === Kind.INLINE_FRAGMENT) out.push(...fieldsOf(s.selectionSet, document));
    else if (s.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === s.name.value);
      if (fragment && fragment.kind === Kind.FRAGMENT_DEFINITION) out.push(...fieldsOf(fragment.selectionSet, document));
    }
  }
  return out;
}

/** The node selection of a connection field: `edges { node { … } }` or `nodes { … }`. */
function nodeSelection(field: FieldNode, document: DocumentNode): SelectionSetNode | undefined {
  for (const f of fieldsOf(field.selectionSet, document)) {
    if (f.name.value === "nodes") return f.selectionSet;
    if (f.name.value === "edges") {
      const node = fieldsOf(f.selectionSet, document).find((n) => n.name.value === "node");
      if (node) return node.selectionSet;
    }
  }
  return undefined;
}

type Emit = (line: Record<string, unknown>) => void;

function project(value: unknown, set: SelectionSetNode | undefined, document: DocumentNode, emitChildren: Array<() => void>, emit: Emit, inList: boolean): unknown {
  if (value == null || !set) return value ?? null;
  if (Array.isArray(value)) return value.map((v) => project(v, set, document, emitChildren, emit, true));
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of fieldsOf(set, document)) {
    const name = field.name.value;
    const key = field.alias?.value ?? name;
    if (name === "__typename") {
      out[key] = source.__typename;
      continue;
    }
    const raw = source[name];
    if (isConn(raw)) {
      if (inList) throw new Error("Queries that contain a connection field within a list field are not currently supported.");
      const childSet = nodeSelection(field, document);
      const parentId = source.id;
      emitChildren.push(() => {
        for (const child of raw.items) {
          const nested: Array<() => void> = [];
          const line = project(child, childSet, document, nested, emit, false) as Record<string, unknown>;
          emit({ ...line, __parentId: parentId });
          for (const n of nested) n();
        }
      });
      continue;
    }
    out[key] = project(raw, field.selectionSet, document, emitChildren, emit, inList);
  }
  return out;
}

function rootField(document: DocumentNode): FieldNode {
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION || operation.operation !== "query") {
    throw new Error("Bulk queries must be a single query operation.");
  }
  const fields = fieldsOf(operation.selectionSet, document);
  if (fields.length !== 1) throw new Error("Bulk queries must select exactly one root connection.");
  return fields[0];
}

/** Every JSONL line of one root object, in Shopify's order: the object, then its children. */
function linesOf(object: unknown, field: FieldNode, document: DocumentNode, emit: Emit) {
  const children: Array<() => void> = [];
  const line = project(object, nodeSelection(field, document), document, children, emit, false) as Record<string, unknown>;
  emit(line);
  for (const child of children) child();
}

/** The JSONL lines of objects for a bulk query (a generator of test or bench result files). */
export function bulkJsonlLines(query: string, objects: Iterable<unknown>, emit: (line: Record<string, unknown>) => void): void {
  const document = parse(query);
  const field = rootField(document);
  for (const object of objects) linesOf(object, field, document, emit);
}

export { toGraphqlRefund };

function* rootObjects(shop: FakeShop, root: "orders" | "customers") {
  if (root === "orders") for (const o of shop.orders.values()) yield toGraphqlOrder(o);
  else for (const c of shop.customers.values()) yield toGraphqlCustomer(c);
}

// ---------------------------------------------------------------------------------------------

export class FakeBulkOperations {
  readonly options: BulkOperationsOptions = { completeAfterMs: 20, webhooks: true, failWith: null };
  readonly deliveryFailures: Array<{ operationId: string; error: string }> = [];
  private readonly operations = new Map<string, FakeBulkOperation>();
  private readonly pending = new Set<Promise<unknown>>();
  private sequence = 0;
  private baseUrl = "";
  private readonly sources = new Map<string, BulkResultSource>();

  /** Serves the next operations over `root` of `shop` from `source` instead of the shop's maps. */
  useResultSource(shop: string, root: "orders" | "customers", source: BulkResultSource): void {
    this.sources.set(`${shop}:${root}`, source);
  }

  constructor(
    private readonly store: FakeStore,
    private readonly schema: () => GraphQLSchema,
    private readonly defaultDeliver: (delivery: WebhookDelivery) => Promise<unknown>,
  ) {}

  configure(options: Partial<BulkOperationsOptions>): void {
    Object.assign(this.options, options);
  }

  setBaseUrl(url: string): void {
    this.baseUrl = url;
  }

  /** Waits until every operation started so far has finished and its webhook (if any) was answered. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  get(id: string): FakeBulkOperation | undefined {
    return this.operations.get(id);
  }

  private view(op: FakeBulkOperation | undefined) {
    if (!op) return null;
    const done = op.status === "COMPLETED";
    const numeric = op.id.split("/").pop();
    return {
      __typename: "BulkOperation",
      id: op.id,
      status: op.status,
      type: "QUERY",
      errorCode: op.errorCode,
      objectCount: String(op.objectCount),
      rootObjectCount: String(op.rootObjectCount),
      fileSize: null,
      url: done && op.objectCount > 0 ? `${this.baseUrl}/bulk-results/${op.shop}/${numeric}.jsonl` : null,
      partialDataUrl: op.status === "FAILED" && op.objectCount > 0 ? `${this.baseUrl}/bulk-results/${op.shop}/${numeric}.jsonl` : null,
      query: op.query,
      createdAt: op.createdAt,
      completedAt: op.completedAt,
    };
  }

  /** Resolves `node(id:)`/`nodes(ids:)` for the objects this module knows: bulk operations, orders, customers, refunds. */
  private findNode(shop: FakeShop, id: string): unknown {
    const [, type, numeric] = /^gid:\/\/shopify\/(\w+)\/(.+)$/.exec(id) ?? [];
    if (type === "BulkOperation") {
      const op = this.operations.get(id);
      return op && op.shop === shop.domain ? this.view(op) : null;
    }
    if (type === "Order") {
      const order = shop.orders.get(numeric);
      return order ? toGraphqlOrder(order) : null;
    }
    if (type === "Customer") {
      const customer = shop.customers.get(numeric);
      return customer ? toGraphqlCustomer(customer) : null;
    }
    if (type === "Refund") {
      for (const source of this.sources.values()) {
        const found = source.refund?.(id);
        if (found) return found;
      }
      for (const o of shop.orders.values()) {
        for (const r of (o.refunds as Rest[] | undefined) ?? []) {
          if (String(r.id) === numeric || r.admin_graphql_api_id === id) {
            return toGraphqlRefund(r, (o.admin_graphql_api_id as string) ?? gid("Order", o.id)!, String(o.currency));
          }
        }
      }
    }
    return null;
  }

  readonly resolvers: ResolverFactory = (_store, shop) => ({
    query: {
      currentBulkOperation: ({ type }: { type?: string }) => {
        if (type === "MUTATION") return null;
        const mine = [...this.operations.values()].filter((o) => o.shop === shop.domain);
        return this.view(mine.at(-1));
      },
      bulkOperation: ({ id }: { id: string }) => this.findNode(shop, id),
      node: ({ id }: { id: string }) => this.findNode(shop, id),
      nodes: ({ ids }: { ids: string[] }) => ids.map((id) => this.findNode(shop, id)),
      orders: ({ first, after }: { first?: number; after?: string }) => connection([...rootObjects(shop, "orders")], first ?? 50, after),
      customers: ({ first, after }: { first?: number; after?: string }) => connection([...rootObjects(shop, "customers")], first ?? 50, after),
    },
    mutation: {
      bulkOperationRunQuery: ({ query }: { query: string; groupObjects: boolean }) => this.run(shop, query),
    },
  });

  private run(shop: FakeShop, query: string) {
    const invalid = (message: string) => ({ bulkOperation: null, userErrors: [{ field: ["query"], message, code: "INVALID" }] });
    let document: DocumentNode;
    let root: FieldNode;
    try {
      document = parse(query);
      root = rootField(document);
    } catch (error) {
      return invalid((error as Error).message);
    }
    const errors = validate(this.schema(), document);
    if (errors.length) return invalid(errors.map((e) => e.message).join("; "));
    if (root.name.value !== "orders" && root.name.value !== "customers") {
      return invalid(`The fake serves bulk queries over orders and customers, not ${root.name.value}.`);
    }
    try {
      // A dry run over one object surfaces Shopify's structural refusals before the operation starts.
      const first = rootObjects(shop, root.name.value).next();
      if (!first.done) linesOf(first.value, root, document, () => {});
    } catch (error) {
      return invalid((error as Error).message);
    }
    const running = [...this.operations.values()].filter((o) => o.shop === shop.domain && (o.status === "CREATED" || o.status === "RUNNING"));
    if (running.length >= 5) {
      return { bulkOperation: null, userErrors: [{ field: null, message: "A bulk query operation for this app and shop is already in progress.", code: "LIMIT_REACHED" }] };
    }
    const op: FakeBulkOperation = {
      id: `gid://shopify/BulkOperation/${Date.now()}${String(++this.sequence).padStart(4, "0")}`,
      shop: shop.domain,
      status: "CREATED",
      errorCode: null,
      query,
      document,
      root: root.name.value,
      objectCount: 0,
      rootObjectCount: 0,
      createdAt: new Date().toISOString(),
      completedAt: null,
    };
    this.operations.set(op.id, op);
    const work = this.finishLater(op);
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
    return { bulkOperation: { id: op.id, status: op.status }, userErrors: [] };
  }

  private async finishLater(op: FakeBulkOperation) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.floor(this.options.completeAfterMs / 2))));
    op.status = "RUNNING";
    await new Promise((resolve) => setTimeout(resolve, Math.ceil(this.options.completeAfterMs / 2)));
    const shop = this.store.requireShop(op.shop);
    const field = rootField(op.document);
    const source = this.sources.get(`${op.shop}:${op.root}`);
    if (source) {
      op.rootObjectCount = source.rootObjectCount;
      op.objectCount = source.objectCount;
    } else {
      for (const object of rootObjects(shop, op.root)) {
        op.rootObjectCount++;
        linesOf(object, field, op.document, () => op.objectCount++);
      }
    }
    op.completedAt = new Date().toISOString();
    if (this.options.failWith) {
      op.status = "FAILED";
      op.errorCode = this.options.failWith;
    } else {
      op.status = "COMPLETED";
    }
    if (!this.options.webhooks) return;
    const delivery: WebhookDelivery = {
      shop: op.shop,
      topic: "bulk_operations/finish",
      payload: {
        admin_graphql_api_id: op.id,
        completed_at: op.completedAt,
        created_at: op.createdAt,
        error_code: op.errorCode ? op.errorCode.toLowerCase() : null,
        status: op.status.toLowerCase(),
        type: "query",
      },
    };
    try {
      await (this.options.deliver ?? this.defaultDeliver)(delivery);
    } catch (error) {
      // Shopify would retry; the app's polling fallback covers a lost delivery. (Tests whose app
      // URL is not served land here on every install; the failures are kept, not printed.)
      this.deliveryFailures.push({ operationId: op.id, error: (error as Error).message });
    }
  }

  /** GET /bulk-results/<shop>/<id>.jsonl — streams the result; returns false when the path is not a result. */
  async serveResult(pathname: string, res: http.ServerResponse): Promise<boolean> {
    const match = pathname.match(/^\/bulk-results\/([^/]+)\/(\d+)\.jsonl$/);
    if (!match) return false;
    const op = this.operations.get(`gid://shopify/BulkOperation/${match[2]}`);
    if (!op || op.shop !== match[1] || (op.status !== "COMPLETED" && op.status !== "FAILED")) {
      res.writeHead(404, { "Content-Type": "application/xml" });
      res.end("<Error><Code>NoSuchKey</Code></Error>");
      return true;
    }
    const source = this.sources.get(`${op.shop}:${op.root}`);
    if (source) {
      await sendFile(source.file, res).catch(() => res.destroy());
      return true;
    }
    res.writeHead(200, { "Content-Type": "application/jsonl" });
    const shop = this.store.requireShop(op.shop);
    const field = rootField(op.document);
    let buffer = "";
    const emit = (line: Record<string, unknown>) => {
      buffer += `${JSON.stringify(line)}\n`;
    };
    for (const object of rootObjects(shop, op.root)) {
      linesOf(object, field, op.document, emit);
      if (buffer.length >= 64 * 1024) {
        const chunk = buffer;
        buffer = "";
        if (!res.write(chunk)) await once(res, "drain");
      }
    }
    res.end(buffer);
    return true;
  }
}
