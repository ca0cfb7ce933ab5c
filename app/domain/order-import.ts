/**
 * Order history from another POS, one CSV row per order line (docs/csv-import.md): header
 * mapping, row validation and grouping rows into orders. Pure: the service streams the file and
 * stores what this module accepts.
 *
 * Rules: a bad row rejects only itself (its order is imported from its other rows); an order
 * whose rows disagree on an order-level field (two different non-blank values) is rejected whole;
 * rows of one order must be adjacent — an order_id that comes back after other orders is
 * rejected (SPLIT_ORDER) for those later rows, never merged over the earlier ones.
 */
import { getCurrencyExponent, parseAmountMinor } from "./money";

export const IMPORT_COLUMNS = [
  "order_id", "created_at", "channel", "branch", "customer_id", "email", "phone", "first_name",
  "last_name", "sku", "title", "quantity", "unit_price", "currency",
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** A file without these columns (after mapping) is refused before any row is read. */
export const REQUIRED_COLUMNS: ImportColumn[] = ["order_id", "created_at", "quantity", "unit_price"];

/** Order-level fields: every row of an order must agree on them (blank means "same as the others"). */
export const ORDER_FIELDS = ["created_at", "channel", "branch", "customer_id", "email", "phone", "first_name", "last_name", "currency"] as const;

export type RejectionCode =
  | "MISSING_ORDER_ID"
  | "INVALID_DATE"
  | "INVALID_CHANNEL"
  | "INVALID_QUANTITY"
  | "INVALID_PRICE"
  | "INVALID_CURRENCY"
  | "MISSING_TITLE"
  | "INVALID_EMAIL"
  | "ORDER_CONFLICT"
  | "SPLIT_ORDER";

export interface Rejection {
  rowNumber: number;
  code: RejectionCode;
  reason: string;
}

export class ImportHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImportHeaderError";
  }
}

/**
 * Finds each documented column in the file's header. `mapping` maps a header of the file to a
 * documented column (`{"Invoice No": "order_id"}`); headers match case-insensitively, ignoring
 * surrounding spaces. Throws ImportHeaderError naming the missing columns.
 */
export function resolveColumns(header: string[], mapping: Record<string, string> = {}): Map<ImportColumn, number> {
  const normalize = (h: string) => h.replace(/^\uFEFF/, "").trim().toLowerCase();
  const mapped = new Map(Object.entries(mapping).map(([from, to]) => [normalize(from), normalize(to)]));
  for (const target of mapped.values()) {
    if (!(IMPORT_COLUMNS as readonly string[]).includes(target)) {
      throw new ImportHeaderError(`The mapping names "${target}", which is not a column of the import (${IMPORT_COLUMNS.join(", ")}).`);
    }
  }
  const index = new Map<ImportColumn, number>();
  header.forEach((raw, i) => {
    const h = normalize(raw);
    const column = (mapped.get(h) ?? h) as ImportColumn;
    if ((IMPORT_COLUMNS as readonly string[]).includes(column) && !index.has(column)) index.set(column, i);
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !index.has(c));
  if (!index.has("title") && !index.has("sku")) missing.push("title");
  if (missing.length) throw new ImportHeaderError(`The file has no column for: ${missing.join(", ")}. Map the file's headers to them.`);
  return index;
}

export interface ImportContext {
  /** used when a row's currency is blank */
  defaultCurrency: string;
  /** IANA zone for dates written without an offset (the shop's time zone) */
  timezone: string;
}

export interface ImportRow {
  rowNumber: number;
  orderId: string;
  createdAt: Date;
  channel: "ONLINE" | "POS";
  branch: string | null;
  customerId: string | null;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  sku: string | null;
  title: string;
  quantity: number;
  unitPriceMinor: number;
  currency: string;
  /** the order-level fields as written (blank = null), for the agreement check */
  orderFields: Record<(typeof ORDER_FIELDS)[number], string | null>;
}

const ARABIC_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;
const NON_ASCII_DIGIT = /[\u0660-\u0669\u06F0-\u06F9\u066B\u066C]/;
/** Arabic-Indic and Persian digits to ASCII, Arabic decimal separator to a point. */
export function toAsciiDigits(value: string): string {
  // Most files have none: one test instead of three replacements per value.
  if (!NON_ASCII_DIGIT.test(value)) return value;
  return value
    .replace(ARABIC_DIGITS, (d) => String((d.charCodeAt(0) & 0xf) % 10))
    .replace(/\u066B/g, ".")
    .replace(/\u066C/g, ",");
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function zoneOffsetMs(utcMs: number, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** ISO 8601 date or date-time; without an offset it is wall-clock time in `timeZone`. Null if invalid. */
export function parseImportDate(value: string, timeZone: string): Date | null {
  const m = DATE_RE.exec(toAsciiDigits(value.trim()));
  if (!m) return null;
  const [y, mo, d, h = "0", mi = "0", s = "0"] = m.slice(1, 7).map((v) => v ?? undefined) as string[];
  const parts = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s)];
  const wall = Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5]);
  const check = new Date(wall);
  if (check.getUTCMonth() !== parts[1] - 1 || check.getUTCDate() !== parts[2] || parts[3] > 23 || parts[4] > 59 || parts[5] > 59) return null;
  const offset = m[7];
  if (offset) {
    if (offset.toUpperCase() === "Z") return new Date(wall);
    const sign = offset[0] === "-" ? -1 : 1;
    const digits = offset.slice(1).replace(":", "");
    return new Date(wall - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000);
  }
  let utc = wall - zoneOffsetMs(wall, timeZone);
  const again = wall - zoneOffsetMs(utc, timeZone);
  if (again !== utc) utc = again;
  return new Date(utc);
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The trimmed value of a column, null when blank or absent. */
function cell(values: string[], columns: Map<ImportColumn, number>, column: ImportColumn): string | null {
  const i = columns.get(column);
  if (i === undefined) return null;
  const raw = values[i];
  if (raw === undefined || raw === "") return null;
  const v = raw.trim();
  return v === "" ? null : v;
}

const CURRENCY_RE = /^[A-Z]{3}$/;
const QUANTITY_RE = /^\d+$/;
const PRICE_RE = /^\d+(\.\d+)?$/;

/**
 * Validates one data row. A row with problems is rejected with every problem it has. Called once
 * per row of files with millions: written without closures or intermediate objects.
 */
export function parseImportRow(
  values: string[],
  columns: Map<ImportColumn, number>,
  rowNumber: number,
  context: ImportContext,
): { ok: true; row: ImportRow } | { ok: false; rejections: Rejection[] } {
  let problems: Rejection[] | null = null;
  const reject = (code: RejectionCode, reason: string) => (problems ??= []).push({ rowNumber, code, reason });

  const orderId = cell(values, columns, "order_id");
  if (!orderId) reject("MISSING_ORDER_ID", "order_id is blank");

  const currencyRaw = cell(values, columns, "currency")?.toUpperCase() ?? null;
  let currency = context.defaultCurrency;
  if (currencyRaw !== null) {
    if (CURRENCY_RE.test(currencyRaw)) currency = currencyRaw;
    else reject("INVALID_CURRENCY", `currency "${currencyRaw}" is not an ISO 4217 code`);
  }

  const createdRaw = cell(values, columns, "created_at");
  const createdAt = createdRaw ? parseImportDate(createdRaw, context.timezone) : null;
  if (!createdAt) reject("INVALID_DATE", createdRaw ? `created_at "${createdRaw}" is not an ISO 8601 date` : "created_at is blank");

  const channelWritten = cell(values, columns, "channel");
  const channelRaw = channelWritten?.toLowerCase() ?? null;
  let channel: "ONLINE" | "POS" = "POS";
  if (channelRaw === "online") channel = "ONLINE";
  else if (channelRaw !== null && channelRaw !== "pos") reject("INVALID_CHANNEL", `channel "${channelRaw}" must be pos or online`);

  const quantityRaw = cell(values, columns, "quantity");
  const quantityText = quantityRaw ? toAsciiDigits(quantityRaw) : "";
  const quantity = QUANTITY_RE.test(quantityText) ? Number(quantityText) : NaN;
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > 1_000_000) {
    reject("INVALID_QUANTITY", `quantity "${quantityRaw ?? ""}" must be a whole number from 1`);
  }

  const priceRaw = cell(values, columns, "unit_price");
  let unitPriceMinor = NaN;
  if (priceRaw !== null) {
    const text = toAsciiDigits(priceRaw);
    const dot = text.indexOf(".");
    const decimals = dot === -1 ? 0 : text.length - dot - 1;
    try {
      if (PRICE_RE.test(text) && decimals <= getCurrencyExponent(currency)) unitPriceMinor = parseAmountMinor(text, currency);
    } catch {
      unitPriceMinor = NaN;
    }
  }
  if (!Number.isSafeInteger(unitPriceMinor)) {
    reject("INVALID_PRICE", `unit_price "${priceRaw ?? ""}" must be a non-negative amount with at most ${getCurrencyExponent(currency)} decimals in ${currency}`);
  }

  const sku = cell(values, columns, "sku");
  const title = cell(values, columns, "title") ?? sku;
  if (!title) reject("MISSING_TITLE", "both title and sku are blank");

  const email = cell(values, columns, "email");
  if (email && !EMAIL_RE.test(email)) reject("INVALID_EMAIL", `email "${email}" is not an email address`);

  if (problems) return { ok: false, rejections: problems };
  const branch = cell(values, columns, "branch");
  const customerId = cell(values, columns, "customer_id");
  const phone = cell(values, columns, "phone");
  const firstName = cell(values, columns, "first_name");
  const lastName = cell(values, columns, "last_name");
  return {
    ok: true,
    row: {
      rowNumber,
      orderId: orderId!,
      createdAt: createdAt!,
      channel,
      branch,
      customerId,
      email: email?.toLowerCase() ?? null,
      phone,
      firstName,
      lastName,
      sku,
      title: title!,
      quantity,
      unitPriceMinor,
      currency,
      orderFields: {
        created_at: createdRaw,
        channel: channelWritten,
        branch,
        customer_id: customerId,
        email,
        phone,
        first_name: firstName,
        last_name: lastName,
        currency: currencyRaw,
      },
    },
  };
}

export interface ImportedOrder {
  orderId: string;
  rows: ImportRow[];
}

/**
 * A copy of `value` that shares no memory with the string it was cut from. V8 keeps a substring
 * of 13 or more characters as a view of its parent, so an order id cut from a megabyte of CSV
 * text would keep that whole text alive as long as the id is remembered: for the ids of a whole
 * file, gigabytes. Concatenation then slicing flattens into a string of the id's own length.
 */
const detached = (value: string): string => ` ${value}`.slice(1);

/**
 * Groups adjacent rows by order_id. `push` returns the previous order when a row starts a new
 * one, or a SPLIT_ORDER rejection when the row's order was already closed earlier in the file.
 * Memory: the rows of one order plus the set of order ids seen.
 */
export class OrderRowGrouper {
  private current: ImportedOrder | null = null;
  private readonly closed = new Set<string>();

  push(row: ImportRow): { done: ImportedOrder | null; rejection: Rejection | null } {
    if (this.current?.orderId === row.orderId) {
      this.current.rows.push(row);
      return { done: null, rejection: null };
    }
    if (this.closed.has(row.orderId)) {
      return {
        done: null,
        rejection: { rowNumber: row.rowNumber, code: "SPLIT_ORDER", reason: `order ${row.orderId} appeared earlier in the file; the rows of one order must be adjacent` },
      };
    }
    const done = this.current;
    if (done) this.closed.add(detached(done.orderId));
    this.current = { orderId: row.orderId, rows: [row] };
    return { done, rejection: null };
  }

  finish(): ImportedOrder | null {
    const done = this.current;
    if (done) this.closed.add(detached(done.orderId));
    this.current = null;
    return done;
  }
}

/** The first order-level field two rows disagree on, as a rejection reason; null when they agree. */
export function findOrderConflict(order: ImportedOrder): string | null {
  if (order.rows.length < 2) return null;
  for (const field of ORDER_FIELDS) {
    let first: { value: string; row: number } | null = null;
    for (const row of order.rows) {
      // Dates compare as instants; a blank currency means the shop's, so currencies compare resolved.
      const value = field === "created_at" ? row.createdAt.toISOString() : field === "currency" ? row.currency : row.orderFields[field];
      if (value === null) continue;
      const comparable = field === "email" || field === "currency" || field === "channel" ? value.toLowerCase() : value;
      if (!first) first = { value: comparable, row: row.rowNumber };
      else if (first.value !== comparable) {
        return `rows ${first.row} and ${row.rowNumber} of order ${order.orderId} disagree on ${field}`;
      }
    }
  }
  return null;
}

const firstOf = <T>(rows: ImportRow[], pick: (r: ImportRow) => T | null): T | null => {
  for (const r of rows) {
    const v = pick(r);
    if (v !== null && v !== undefined) return v;
  }
  return null;
};

export const importedOrderGid = (orderId: string) => `gid://wafa/ImportedOrder/${encodeURIComponent(orderId)}`;
export const importedCustomerGid = (customerId: string) => `gid://wafa/ImportedCustomer/${encodeURIComponent(customerId)}`;

/**
 * The order an agreeing group of rows describes, in the shape every order is stored in: totals
 * are the sum of quantity x unit_price (no separate discount, shipping or tax in the file).
 */
export function toImportedOrderFields(order: ImportedOrder) {
  const rows = order.rows;
  const createdAt = rows[0].createdAt;
  const currency = rows[0].currency;
  const channel = firstOf(rows, (r) => (r.orderFields.channel ? r.channel : null)) ?? "POS";
  const lines = rows.map((r, i) => ({
    lineGid: `gid://wafa/ImportedOrderLine/${encodeURIComponent(order.orderId)}/${i + 1}`,
    productGid: null,
    variantGid: null,
    sku: r.sku,
    title: r.title,
    variantTitle: null,
    quantity: r.quantity,
    priceMinor: r.unitPriceMinor,
    discountMinor: 0,
    // The documented CSV columns carry no gift-card flag: history from another POS earns on every line.
    giftCard: false,
  }));
  const subtotal = lines.reduce((sum, l) => sum + l.quantity * l.priceMinor, 0);
  const customerId = firstOf(rows, (r) => r.customerId);
  return {
    orderGid: importedOrderGid(order.orderId),
    name: order.orderId,
    channel,
    sourceName: "import",
    locationGid: null,
    branchName: firstOf(rows, (r) => r.branch),
    shopifyCreatedAt: createdAt,
    processedAt: createdAt,
    shopifyUpdatedAt: createdAt,
    cancelledAt: null,
    cancelReason: null,
    financialStatus: "paid",
    currency,
    subtotalMinor: subtotal,
    discountsMinor: 0,
    shippingMinor: 0,
    taxMinor: 0,
    totalMinor: subtotal,
    taxesIncluded: false,
    discountCodes: [],
    gateways: [],
    customerGid: customerId ? importedCustomerGid(customerId) : null,
    email: firstOf(rows, (r) => r.email),
    phone: firstOf(rows, (r) => r.phone),
    firstName: firstOf(rows, (r) => r.firstName),
    lastName: firstOf(rows, (r) => r.lastName),
    address1: null,
    address2: null,
    city: null,
    province: null,
    zip: null,
    countryCode: null,
    tags: ["imported"],
    lines,
  };
}
