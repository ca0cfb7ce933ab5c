/**
 * Bulk storage of orders for imports (CSV history, bulk-operation backfills): the batch travels
 * with COPY into session-local staging tables and is merged from there with the same rule as
 * every other path (order-store: newest Shopify updated_at wins, lines replaced only for orders
 * whose row was written). COPY's text format costs a fraction of building, sending and parsing
 * one JSON document per batch, which is what bounds an import of millions of orders.
 *
 * Everything runs on the caller's pg client inside the caller's transaction: the staging tables
 * are ON COMMIT DELETE ROWS, so nothing leaks between batches and a rolled-back batch leaves
 * nothing behind.
 */
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import type { OrderRecord, RefundRecord } from "../shopify/webhook-payloads";
import type { Origin } from "./order.server";

const ORDER_COLUMNS = [
  "shop", "orderGid", "name", "channel", "sourceName", "locationGid", "branchName", "shopifyCreatedAt", "processedAt",
  "shopifyUpdatedAt", "cancelledAt", "cancelReason", "financialStatus", "currency", "subtotalMinor", "discountsMinor",
  "shippingMinor", "taxMinor", "totalMinor", "taxesIncluded", "discountCodes", "gateways", "customerGid", "email", "phone",
  "firstName", "lastName", "address1", "address2", "city", "province", "zip", "countryCode", "tags", "origin", "updatedAt",
] as const;
const LINE_COLUMNS = ["shop", "orderGid", "lineGid", "productGid", "variantGid", "sku", "title", "variantTitle", "quantity", "priceMinor", "discountMinor"] as const;

const q = (c: string) => `"${c}"`;

/** One value in COPY text format: \N for null, backslash escapes for the separators. */
function field(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return escape(`{${value.map((v) => `"${String(v).replace(/["\\]/g, "\\$&")}"`).join(",")}}`);
  if (typeof value === "boolean") return value ? "t" : "f";
  return escape(String(value));
}

function escape(text: string): string {
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r")) : text;
}

async function copyRows(client: pg.PoolClient, table: string, columns: readonly string[], rows: Iterable<unknown[]>) {
  function* lines() {
    let chunk = "";
    for (const row of rows) {
      chunk += `${row.map(field).join("\t")}\n`;
      if (chunk.length > 256 * 1024) {
        yield chunk;
        chunk = "";
      }
    }
    if (chunk) yield chunk;
  }
  await pipeline(Readable.from(lines()), client.query(copyFrom(`copy ${table} (${columns.map(q).join(", ")}) from stdin`)));
}

const prepared = new WeakSet<pg.PoolClient>();

async function ensureStaging(client: pg.PoolClient) {
  if (prepared.has(client)) return;
  await client.query(`
    create temporary table if not exists wafa_stage_order (like "Order" including defaults) on commit delete rows;
    create temporary table if not exists wafa_stage_line (like "OrderLine" including defaults) on commit delete rows;
    create temporary table if not exists wafa_stage_written ("orderGid" text primary key, inserted boolean not null) on commit delete rows;`);
  prepared.add(client);
}

/**
 * Stores orders (newest version wins) and their lines within the client's open transaction.
 * Returns the GIDs of the orders whose row was written.
 */
export async function storeOrdersByCopy(client: pg.PoolClient, { shop, orders, origin }: { shop: string; orders: OrderRecord[]; origin: Origin }): Promise<string[]> {
  if (orders.length === 0) return [];
  await ensureStaging(client);
  // One row per order: with duplicates in a batch the newest must be the one offered.
  const newest = new Map<string, OrderRecord>();
  for (const o of orders) {
    const seen = newest.get(o.orderGid);
    if (!seen || seen.shopifyUpdatedAt <= o.shopifyUpdatedAt) newest.set(o.orderGid, o);
  }
  const now = new Date();
  const batch = [...newest.values()];
  await copyRows(
    client,
    "wafa_stage_order",
    ORDER_COLUMNS,
    batch.map((o) => ORDER_COLUMNS.map((c) => (c === "shop" ? shop : c === "origin" ? origin : c === "updatedAt" ? now : o[c as keyof OrderRecord]))),
  );
  const columns = ORDER_COLUMNS.map(q).join(", ");
  const updates = ORDER_COLUMNS.filter((c) => c !== "shop" && c !== "orderGid").map((c) => `${q(c)} = excluded.${q(c)}`).join(", ");
  // xmax = 0: the row was inserted by this statement, so it has no lines to replace (an import of
  // new orders deletes nothing).
  const written = await client.query<{ orderGid: string; inserted: boolean }>(`
    with written as (
      insert into "Order" (${columns}) select ${columns} from wafa_stage_order
      on conflict (shop, "orderGid") do update set ${updates}
      where "Order"."shopifyUpdatedAt" <= excluded."shopifyUpdatedAt"
      returning "orderGid", xmax = 0 as inserted)
    insert into wafa_stage_written select "orderGid", inserted from written returning "orderGid", inserted`);
  if (written.rowCount === 0) return [];
  const replaced = written.rows.filter((r) => !r.inserted).map((r) => r.orderGid);
  if (replaced.length) await client.query(`delete from "OrderLine" where shop = $1 and "orderGid" = any($2::text[])`, [shop, replaced]);
  await copyRows(
    client,
    "wafa_stage_line",
    LINE_COLUMNS,
    (function* () {
      for (const o of batch) {
        for (const l of o.lines) yield [shop, o.orderGid, l.lineGid, l.productGid, l.variantGid, l.sku, l.title, l.variantTitle, l.quantity, l.priceMinor, l.discountMinor];
      }
    })(),
  );
  const lineColumns = LINE_COLUMNS.map(q).join(", ");
  await client.query(`
    insert into "OrderLine" (${lineColumns})
    select ${LINE_COLUMNS.map((c) => `s.${q(c)}`).join(", ")} from wafa_stage_line s join wafa_stage_written w on w."orderGid" = s."orderGid"
    on conflict do nothing`);
  return written.rows.map((r) => r.orderGid);
}

/**
 * Stores refunds once each (a refund never changes) within the client's open transaction, with
 * their lines; refunds are few next to orders, so one json parameter each. Returns the new GIDs.
 */
export async function insertRefundsWithClient(client: pg.PoolClient, { shop, refunds, origin }: { shop: string; refunds: RefundRecord[]; origin: Origin }): Promise<string[]> {
  if (refunds.length === 0) return [];
  const json = (rows: unknown[]) => JSON.stringify(rows);
  const inserted = await client.query<{ refundGid: string }>(
    `insert into "Refund" (shop, "refundGid", "orderGid", "shopifyCreatedAt", "amountMinor", "linesSubtotalMinor", currency, origin)
     select $1, r."refundGid", r."orderGid", r."shopifyCreatedAt", r."amountMinor", r."linesSubtotalMinor", r.currency, $2::"RecordOrigin"
     from json_to_recordset($3::json) as r("refundGid" text, "orderGid" text, "shopifyCreatedAt" timestamp, "amountMinor" bigint, "linesSubtotalMinor" bigint, currency text)
     on conflict do nothing
     returning "refundGid"`,
    [shop, origin, json(refunds.map(({ lines: _lines, ...r }) => r))],
  );
  const fresh = new Set(inserted.rows.map((r) => r.refundGid));
  const lines = refunds.filter((r) => fresh.has(r.refundGid)).flatMap((r) => r.lines.map((l) => ({ refundGid: r.refundGid, ...l })));
  if (lines.length) {
    await client.query(
      `insert into "RefundLine" (shop, "refundGid", "lineGid", "orderLineGid", quantity, "subtotalMinor")
       select $1, l."refundGid", l."lineGid", l."orderLineGid", l.quantity, l."subtotalMinor"
       from json_to_recordset($2::json) as l("refundGid" text, "lineGid" text, "orderLineGid" text, quantity int, "subtotalMinor" bigint)
       on conflict do nothing`,
      [shop, json(lines)],
    );
  }
  return [...fresh];
}
