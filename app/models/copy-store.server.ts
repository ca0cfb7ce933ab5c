/**
 * Bulk storage of orders for imports (CSV history, bulk-operation backfills): the batch travels
 * with COPY, straight into "Order" and "OrderLine" when none of its orders is stored yet, else
 * into session-local staging tables merged from there with the same rule as every other path
 * (order-store: newest Shopify updated_at wins, lines replaced only for orders whose row was
 * written). COPY's text format costs a fraction of building, sending and parsing one JSON
 * document per batch, which is what bounds an import of millions of orders.
 *
 * Everything runs on the caller's pg client inside the caller's transaction (the direct COPY
 * within a savepoint): the staging tables are ON COMMIT DELETE ROWS, so nothing leaks between
 * batches and a rolled-back batch leaves nothing behind.
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
const LINE_COLUMNS = ["shop", "orderGid", "lineGid", "productGid", "variantGid", "sku", "title", "variantTitle", "quantity", "priceMinor", "discountMinor", "giftCard"] as const;

const UNIQUE_VIOLATION = "23505";
const q = (c: string) => `"${c}"`;
const ORDER_COLUMN_LIST = ORDER_COLUMNS.map(q).join(", ");
const LINE_COLUMN_LIST = LINE_COLUMNS.map(q).join(", ");

const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const escapeChar = (c: string) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r");

/** A text value in COPY text format: \N for null, backslash escapes for the separators. */
function text(value: string | null | undefined): string {
  if (value === null || value === undefined) return "\\N";
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, escapeChar) : value;
}
const date = (value: Date | null | undefined) => (value ? copyTimestamp(value) : "\\N");
const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/**
 * A timestamp in COPY text, UTC, to the millisecond ("2026-06-11 20:23:46.000"), the same instant
 * toISOString() gives. Computed with integer arithmetic (days to a civil date, H. Hinnant's
 * algorithm): toISOString() was 650 ns a call, this 200 ns, and an import writes four per order.
 * Years outside 1000-9999 fall back to toISOString().
 */
export function copyTimestamp(value: Date): string {
  const ms = value.getTime();
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (!(year >= 1000 && year <= 9999)) return value.toISOString();
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  return `${year}-${pad2(month)}-${pad2(day)} ${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${millis < 10 ? `00${millis}` : millis < 100 ? `0${millis}` : millis}`;
}
const num = (value: number | null | undefined) => (value === null || value === undefined ? "\\N" : String(value));
function array(values: string[] | null | undefined): string {
  if (!values) return "\\N";
  if (values.length === 0) return "{}";
  return text(`{${values.map((v) => `"${String(v).replace(/["\\]/g, "\\$&")}"`).join(",")}}`);
}

/**
 * One "Order" row in COPY text, columns in ORDER_COLUMNS order. Written out by hand (not a loop
 * over the column list): an import encodes millions of these, and the generic version built an
 * array per row and dispatched on every value's type.
 */
function orderLine(shop: string, o: OrderRecord, origin: Origin, now: string): string {
  return `${text(shop)}\t${text(o.orderGid)}\t${text(o.name)}\t${o.channel}\t${text(o.sourceName)}\t${text(o.locationGid)}\t${text(o.branchName)}\t${date(
    o.shopifyCreatedAt,
  )}\t${date(o.processedAt)}\t${date(o.shopifyUpdatedAt)}\t${date(o.cancelledAt)}\t${text(o.cancelReason)}\t${text(o.financialStatus)}\t${text(o.currency)}\t${num(
    o.subtotalMinor,
  )}\t${num(o.discountsMinor)}\t${num(o.shippingMinor)}\t${num(o.taxMinor)}\t${num(o.totalMinor)}\t${o.taxesIncluded ? "t" : "f"}\t${array(o.discountCodes)}\t${array(
    o.gateways,
  )}\t${text(o.customerGid)}\t${text(o.email)}\t${text(o.phone)}\t${text(o.firstName)}\t${text(o.lastName)}\t${text(o.address1)}\t${text(o.address2)}\t${text(
    o.city,
  )}\t${text(o.province)}\t${text(o.zip)}\t${text(o.countryCode)}\t${array(o.tags)}\t${origin}\t${now}\n`;
}

/** The "OrderLine" rows of one order in COPY text, columns in LINE_COLUMNS order. */
function orderLineRows(shop: string, o: OrderRecord): string {
  let out = "";
  const head = `${text(shop)}\t${text(o.orderGid)}\t`;
  for (const l of o.lines) {
    out += `${head}${text(l.lineGid)}\t${text(l.productGid)}\t${text(l.variantGid)}\t${text(l.sku)}\t${text(l.title)}\t${text(l.variantTitle)}\t${num(l.quantity)}\t${num(
      l.priceMinor,
    )}\t${num(l.discountMinor)}\t${l.giftCard ? "t" : "f"}\n`;
  }
  return out;
}

const CHUNK_BYTES = 1 << 20;
const utf8 = new TextEncoder();

/**
 * COPY text as UTF-8 in chunks of about 1 MB, each in a buffer of its own (so a chunk can be
 * handed to another thread without copying). Each row is encoded straight into the chunk:
 * concatenating the rows into a string and converting that was measured at ten times the cost
 * (the joined string must be flattened before it is encoded), about 8 µs of CPU per imported order.
 */
class CopyChunkWriter {
  private chunks: Uint8Array[] = [];
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;

  write(row: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    if (this.used + row.length * 3 > CHUNK_BYTES) {
      if (this.used) this.chunks.push(this.chunk.subarray(0, this.used));
      this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      this.used = 0;
      if (row.length * 3 > CHUNK_BYTES) {
        this.chunks.push(Buffer.from(row));
        return;
      }
    }
    this.used += utf8.encodeInto(row, this.chunk.subarray(this.used)).written;
  }

  finish(): Uint8Array[] {
    if (this.used) this.chunks.push(this.chunk.subarray(0, this.used));
    const chunks = this.chunks;
    this.chunks = [];
    this.used = 0;
    return chunks;
  }
}

async function copyChunks(client: pg.PoolClient, sql: string, chunks: readonly Uint8Array[]) {
  await pipeline(Readable.from(chunks, { objectMode: false }), client.query(copyFrom(sql)));
}

/**
 * A batch of orders as COPY text for "Order" and "OrderLine": one row per order, with `orderGids`
 * in the same order.
 */
export interface EncodedOrders {
  orderGids: string[];
  orderRows: Uint8Array[];
  lineRows: Uint8Array[];
}

/**
 * Encodes a batch for storeOrdersByCopy an order at a time, as each is read: an import keeps only
 * the COPY text of the batch, never its records (a batch of records outlived the young generation:
 * the garbage collector copied every one of them twice and then collected it from the old one).
 * Pure, so a backfill encodes in the thread that parses while the importing thread sends the
 * previous batch. A batch holds an order once: `has` tells the caller to end the batch before a
 * second version (storeOrdersByCopy then merges it, newest wins). `now` is the rows' updatedAt.
 */
export class OrderBatchEncoder {
  private readonly orderGids: string[] = [];
  private readonly seen = new Set<string>();
  private readonly orderRows = new CopyChunkWriter();
  private readonly lineRows = new CopyChunkWriter();

  constructor(
    private readonly shop: string,
    private readonly origin: Origin,
    private readonly now = new Date().toISOString(),
  ) {}

  get size(): number {
    return this.orderGids.length;
  }

  has(orderGid: string): boolean {
    return this.seen.has(orderGid);
  }

  add(order: OrderRecord): void {
    if (this.seen.has(order.orderGid)) throw new Error(`Order ${order.orderGid} is in this batch already.`);
    this.seen.add(order.orderGid);
    this.orderGids.push(order.orderGid);
    this.orderRows.write(orderLine(this.shop, order, this.origin, this.now));
    if (order.lines.length) this.lineRows.write(orderLineRows(this.shop, order));
  }

  finish(): EncodedOrders {
    return { orderGids: this.orderGids, orderRows: this.orderRows.finish(), lineRows: this.lineRows.finish() };
  }
}

/** Encodes records for storeOrdersByCopy: one row per order, the newest of duplicates (by Shopify updated_at). */
export function encodeOrders({ shop, orders, origin, now }: { shop: string; orders: readonly OrderRecord[]; origin: Origin; now?: string }): EncodedOrders {
  const newest = new Map<string, OrderRecord>();
  for (const o of orders) {
    const seen = newest.get(o.orderGid);
    if (!seen || seen.shopifyUpdatedAt <= o.shopifyUpdatedAt) newest.set(o.orderGid, o);
  }
  const encoder = new OrderBatchEncoder(shop, origin, now);
  for (const o of newest.values()) encoder.add(o);
  return encoder.finish();
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
 * Stores orders (newest version wins) and their lines within the client's open transaction,
 * as records or already encoded (encodeOrders). Returns the GIDs of the orders whose row was written.
 *
 * Two ways in. First the batch is copied straight into "Order" and "OrderLine", as if none of its
 * orders were stored yet: true of almost every batch of a large load (a first import, the backfill
 * of a new shop), where there is nothing to compare with and no line to replace, and staging
 * would write every row twice. If one is stored already, the unique key stops that COPY (at the
 * first such row, so a re-import wastes little), it is rolled back to a savepoint, and the batch
 * is merged through staging tables with the newest-wins rule of every path. No lookup decides
 * between the two beforehand: during a load the planner's statistics lag behind the shop's
 * growing row count, and such a lookup was measured scanning the shop's orders on every batch.
 */
export async function storeOrdersByCopy(
  client: pg.PoolClient,
  { shop, orders, origin }: { shop: string; orders: OrderRecord[] | EncodedOrders; origin: Origin },
): Promise<string[]> {
  const batch = Array.isArray(orders) ? encodeOrders({ shop, orders, origin }) : orders;
  if (batch.orderGids.length === 0) return [];
  await client.query("savepoint wafa_copy_new");
  try {
    await copyChunks(client, `copy "Order" (${ORDER_COLUMN_LIST}) from stdin`, batch.orderRows);
    await copyChunks(client, `copy "OrderLine" (${LINE_COLUMN_LIST}) from stdin`, batch.lineRows);
    await client.query("release savepoint wafa_copy_new");
    return batch.orderGids;
  } catch (error) {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    // Some order is stored already (or an order names a line twice): the merge decides row by row.
    await client.query("rollback to savepoint wafa_copy_new");
  }
  return mergeOrders(client, { shop, batch });
}

async function mergeOrders(client: pg.PoolClient, { shop, batch }: { shop: string; batch: EncodedOrders }) {
  await ensureStaging(client);
  await copyChunks(client, `copy wafa_stage_order (${ORDER_COLUMN_LIST}) from stdin`, batch.orderRows);
  const updates = ORDER_COLUMNS.filter((c) => c !== "shop" && c !== "orderGid").map((c) => `${q(c)} = excluded.${q(c)}`).join(", ");
  // xmax = 0: the row was inserted by this statement, so it has no lines to replace (an import of
  // new orders deletes nothing).
  const written = await client.query<{ orderGid: string; inserted: boolean }>(`
    with written as (
      insert into "Order" (${ORDER_COLUMN_LIST}) select ${ORDER_COLUMN_LIST} from wafa_stage_order
      on conflict (shop, "orderGid") do update set ${updates}
      where "Order"."shopifyUpdatedAt" <= excluded."shopifyUpdatedAt"
      returning "orderGid", xmax = 0 as inserted)
    insert into wafa_stage_written select "orderGid", inserted from written returning "orderGid", inserted`);
  if (written.rowCount === 0) return [];
  const replaced = written.rows.filter((r) => !r.inserted).map((r) => r.orderGid);
  if (replaced.length) await client.query(`delete from "OrderLine" where shop = $1 and "orderGid" = any($2::text[])`, [shop, replaced]);
  await copyChunks(client, `copy wafa_stage_line (${LINE_COLUMN_LIST}) from stdin`, batch.lineRows);
  await client.query(`
    insert into "OrderLine" (${LINE_COLUMN_LIST})
    select ${LINE_COLUMNS.map((c) => `s.${q(c)}`).join(", ")} from wafa_stage_line s join wafa_stage_written w on w."orderGid" = s."orderGid"
    on conflict do nothing`);
  return written.rows.map((r) => r.orderGid);
}

/**
 * Fresh statistics for the columns a bulk load of orders looks rows up by (see
 * refreshLoadStatistics for why a load needs them at all): the keys the foreign-key checks and
 * merges probe, and the customer the order-stored steps read orders by. Only those columns: a
 * full ANALYZE of "Order" and "OrderLine" (some fifty columns) was measured at five times the cost,
 * over half the database's CPU during a backfill into a large database. Other columns are left
 * to autovacuum's analyze. Best effort: a failure only costs speed.
 */
export async function refreshOrderKeyStatistics(db: Pick<pg.Pool, "query">): Promise<void> {
  await db
    .query(`analyze "Order" (shop, "orderGid", "customerGid"), "OrderLine" (shop, "orderGid", "lineGid"), "Refund" (shop, "refundGid", "orderGid"), "RefundLine" (shop, "refundGid", "lineGid")`)
    .catch(() => {});
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
