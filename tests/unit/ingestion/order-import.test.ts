import { describe, expect, it } from "vitest";
import {
  findOrderConflict,
  ImportHeaderError,
  IMPORT_COLUMNS,
  OrderRowGrouper,
  parseImportDate,
  parseImportRow,
  resolveColumns,
  toAsciiDigits,
  toImportedOrderFields,
  type ImportContext,
  type ImportRow,
  type RejectionCode,
} from "~/domain/order-import";

const SAR: ImportContext = { defaultCurrency: "SAR", timezone: "Asia/Riyadh" };
const ALL_COLUMNS = resolveColumns([...IMPORT_COLUMNS]);

/** A data row in the documented column order, from the fields given. */
function values(fields: Partial<Record<(typeof IMPORT_COLUMNS)[number], string>>): string[] {
  return IMPORT_COLUMNS.map((c) => fields[c] ?? "");
}

const GOOD = { order_id: "A-1", created_at: "2024-03-01 10:00", sku: "OUD-50", title: "Oud", quantity: "2", unit_price: "120.00" };

function row(fields: Partial<Record<(typeof IMPORT_COLUMNS)[number], string>>, rowNumber = 2, context = SAR): ImportRow {
  const parsed = parseImportRow(values({ ...GOOD, ...fields }), ALL_COLUMNS, rowNumber, context);
  if (!parsed.ok) throw new Error(`row rejected: ${JSON.stringify(parsed.rejections)}`);
  return parsed.row;
}

describe("resolveColumns", () => {
  const cases: Array<[string, string[], Record<string, string>, Array<[string, number]>]> = [
    ["documented names in any order", ["quantity", "unit_price", "order_id", "created_at", "title"], {}, [["quantity", 0], ["unit_price", 1], ["order_id", 2], ["created_at", 3], ["title", 4]]],
    ["case, spaces and a BOM are ignored", ["\uFEFFOrder_ID", " Created_At ", "SKU", "Quantity", "UNIT_PRICE"], {}, [["order_id", 0], ["created_at", 1], ["sku", 2], ["quantity", 3], ["unit_price", 4]]],
    ["mapped headers", ["Invoice No", "Date", "Item", "Qty", "Price"], { "invoice no": "order_id", Date: "created_at", Item: "title", Qty: "quantity", Price: "unit_price" }, [["order_id", 0], ["created_at", 1], ["title", 2], ["quantity", 3], ["unit_price", 4]]],
    ["the first of two same-named columns wins; unknown columns are ignored", ["order_id", "notes", "order_id", "created_at", "sku", "quantity", "unit_price"], {}, [["order_id", 0], ["created_at", 3], ["sku", 4], ["quantity", 5], ["unit_price", 6]]],
  ];
  it.each(cases)("finds %s", (_name, header, mapping, expected) => {
    expect([...resolveColumns(header, mapping).entries()]).toEqual(expected);
  });

  const refused: Array<[string, string[], Record<string, string>, string]> = [
    ["missing required columns", ["order_id", "title"], {}, "The file has no column for: created_at, quantity, unit_price. Map the file's headers to them."],
    ["neither title nor sku", ["order_id", "created_at", "quantity", "unit_price"], {}, "The file has no column for: title. Map the file's headers to them."],
    ["a mapping to an undocumented column", ["a"], { a: "invoice" }, `The mapping names "invoice", which is not a column of the import (${IMPORT_COLUMNS.join(", ")}).`],
  ];
  it.each(refused)("refuses %s", (_name, header, mapping, message) => {
    expect(() => resolveColumns(header, mapping)).toThrow(new ImportHeaderError(message));
  });
});

describe("toAsciiDigits", () => {
  it.each([
    ["٤٥٫٥٠", "45.50"],
    ["۱۲۳", "123"],
    ["١٬٢٣٤٫٥", "1,234.5"],
    ["12.5", "12.5"],
  ])("reads %s as %s", (input, expected) => {
    expect(toAsciiDigits(input)).toBe(expected);
  });
});

describe("parseImportDate", () => {
  it.each<[string, string, string | null]>([
    ["2024-03-01", "Asia/Riyadh", "2024-02-29T21:00:00.000Z"],
    ["2024-03-01 10:00", "Asia/Riyadh", "2024-03-01T07:00:00.000Z"],
    ["2024-03-01T10:00:30", "UTC", "2024-03-01T10:00:30.000Z"],
    ["2024-03-01T10:00:00+03:00", "UTC", "2024-03-01T07:00:00.000Z"],
    ["2024-03-01T10:00:00+0530", "UTC", "2024-03-01T04:30:00.000Z"],
    ["2024-03-01T10:00:00-05:00", "Asia/Riyadh", "2024-03-01T15:00:00.000Z"],
    ["2024-03-01T10:00:00Z", "Asia/Riyadh", "2024-03-01T10:00:00.000Z"],
    ["2024-07-01 12:00", "America/New_York", "2024-07-01T16:00:00.000Z"],
    ["2024-01-15 12:00", "America/New_York", "2024-01-15T17:00:00.000Z"],
    ["٢٠٢٤-٠٣-٠١", "UTC", "2024-03-01T00:00:00.000Z"],
    ["2024-02-29", "UTC", "2024-02-29T00:00:00.000Z"],
    ["2023-02-29", "UTC", null],
    ["2024-03-01 24:00", "UTC", null],
    ["2024-03-01 10:60", "UTC", null],
    ["01/03/2024", "UTC", null],
    ["yesterday", "UTC", null],
  ])("%s in %s is %s", (input, zone, expected) => {
    expect(parseImportDate(input, zone)?.toISOString() ?? null).toBe(expected);
  });
});

describe("parseImportRow", () => {
  it("reads a full row, with the order-level fields as written", () => {
    const parsed = row({ channel: "Online", branch: "Olaya", customer_id: "C-9", email: "Sara@Example.com", phone: "0501234567", first_name: "Sara", last_name: "Al-Harbi", currency: "sar" });
    expect(parsed).toEqual({
      rowNumber: 2,
      orderId: "A-1",
      createdAt: new Date("2024-03-01T07:00:00.000Z"),
      channel: "ONLINE",
      branch: "Olaya",
      customerId: "C-9",
      email: "sara@example.com",
      phone: "0501234567",
      firstName: "Sara",
      lastName: "Al-Harbi",
      sku: "OUD-50",
      title: "Oud",
      quantity: 2,
      unitPriceMinor: 12000,
      currency: "SAR",
      orderFields: {
        created_at: "2024-03-01 10:00", channel: "Online", branch: "Olaya", customer_id: "C-9", email: "Sara@Example.com",
        phone: "0501234567", first_name: "Sara", last_name: "Al-Harbi", currency: "SAR",
      },
    });
  });

  it.each<[string, Record<string, string>, Partial<ImportRow>]>([
    ["blank channel is POS and blank currency the shop's", { channel: "", currency: "" }, { channel: "POS", currency: "SAR", unitPriceMinor: 12000 }],
    ["the title falls back to the sku", { title: "" }, { title: "OUD-50", sku: "OUD-50" }],
    ["SAR with one decimal", { unit_price: "45.5" }, { unitPriceMinor: 4550 }],
    ["Arabic-Indic price and quantity", { unit_price: "٤٥٫٥٠", quantity: "٣" }, { unitPriceMinor: 4550, quantity: 3 }],
    ["KWD has three decimals", { unit_price: "1.234", currency: "KWD" }, { unitPriceMinor: 1234, currency: "KWD" }],
    ["JPY has none", { unit_price: "1500", currency: "JPY" }, { unitPriceMinor: 1500, currency: "JPY" }],
    ["a free item", { unit_price: "0" }, { unitPriceMinor: 0 }],
    ["surrounding spaces are trimmed", { order_id: "  A-1 ", quantity: " 2 " }, { orderId: "A-1", quantity: 2 }],
  ])("accepts %s", (_name, fields, expected) => {
    expect(row(fields)).toMatchObject(expected);
  });

  it.each<[string, Record<string, string>, Array<[RejectionCode, string]>]>([
    ["a blank order id", { order_id: "" }, [["MISSING_ORDER_ID", "order_id is blank"]]],
    ["a blank date", { created_at: "" }, [["INVALID_DATE", "created_at is blank"]]],
    ["an impossible date", { created_at: "2024-02-30" }, [["INVALID_DATE", 'created_at "2024-02-30" is not an ISO 8601 date']]],
    ["an unknown channel", { channel: "web" }, [["INVALID_CHANNEL", 'channel "web" must be pos or online']]],
    ["quantity zero", { quantity: "0" }, [["INVALID_QUANTITY", 'quantity "0" must be a whole number from 1']]],
    ["a fractional quantity", { quantity: "1.5" }, [["INVALID_QUANTITY", 'quantity "1.5" must be a whole number from 1']]],
    ["a negative quantity", { quantity: "-1" }, [["INVALID_QUANTITY", 'quantity "-1" must be a whole number from 1']]],
    ["too many decimals for SAR", { unit_price: "10.005" }, [["INVALID_PRICE", 'unit_price "10.005" must be a non-negative amount with at most 2 decimals in SAR']]],
    ["decimals for JPY", { unit_price: "10.5", currency: "JPY" }, [["INVALID_PRICE", 'unit_price "10.5" must be a non-negative amount with at most 0 decimals in JPY']]],
    ["a negative price", { unit_price: "-5.00" }, [["INVALID_PRICE", 'unit_price "-5.00" must be a non-negative amount with at most 2 decimals in SAR']]],
    ["a decimal comma", { unit_price: "5,00" }, [["INVALID_PRICE", 'unit_price "5,00" must be a non-negative amount with at most 2 decimals in SAR']]],
    ["a blank price", { unit_price: "" }, [["INVALID_PRICE", 'unit_price "" must be a non-negative amount with at most 2 decimals in SAR']]],
    ["a currency that is not a code", { currency: "riyal" }, [["INVALID_CURRENCY", 'currency "RIYAL" is not an ISO 4217 code']]],
    ["neither title nor sku", { title: "", sku: "" }, [["MISSING_TITLE", "both title and sku are blank"]]],
    ["a bad email", { email: "sara@" }, [["INVALID_EMAIL", 'email "sara@" is not an email address']]],
    [
      "every problem of a row at once",
      { order_id: "", created_at: "soon", quantity: "x" },
      [["MISSING_ORDER_ID", "order_id is blank"], ["INVALID_DATE", 'created_at "soon" is not an ISO 8601 date'], ["INVALID_QUANTITY", 'quantity "x" must be a whole number from 1']],
    ],
  ])("rejects %s", (_name, fields, expected) => {
    const parsed = parseImportRow(values({ ...GOOD, ...fields }), ALL_COLUMNS, 7, SAR);
    expect(parsed).toEqual({ ok: false, rejections: expected.map(([code, reason]) => ({ rowNumber: 7, code, reason })) });
  });
});

describe("OrderRowGrouper", () => {
  it("closes an order when the next starts and rejects an order id that comes back later", () => {
    const grouper = new OrderRowGrouper();
    const ids = ["A", "A", "B", "A", "C", "C"];
    const events = ids.map((orderId, i) => {
      const { done, rejection } = grouper.push(row({ order_id: orderId }, i + 2));
      return [done ? `${done.orderId}:${done.rows.map((r) => r.rowNumber).join(",")}` : null, rejection ? `${rejection.code}@${rejection.rowNumber}` : null];
    });
    expect(events).toEqual([
      [null, null],
      [null, null],
      ["A:2,3", null],
      [null, "SPLIT_ORDER@5"],
      ["B:4", null],
      [null, null],
    ]);
    const last = grouper.finish();
    expect([last?.orderId, last?.rows.map((r) => r.rowNumber)]).toEqual(["C", [6, 7]]);
    expect(grouper.finish()).toBeNull();
  });
});

describe("findOrderConflict", () => {
  it.each<[string, Array<Record<string, string>>, string | null]>([
    ["blanks agree with anything", [{ email: "sara@example.com", branch: "Olaya" }, { email: "", branch: "" }], null],
    ["emails compare without case", [{ email: "Sara@Example.com" }, { email: "sara@example.com" }], null],
    ["the same instant written two ways", [{ created_at: "2024-03-01 10:00" }, { created_at: "2024-03-01T07:00:00Z" }], null],
    ["a blank currency is the shop's", [{ currency: "SAR" }, { currency: "" }], null],
    ["two branches", [{ branch: "Olaya" }, { branch: "Malaz" }], "rows 2 and 3 of order A-1 disagree on branch"],
    ["two dates", [{}, { created_at: "2024-03-02 10:00" }], "rows 2 and 3 of order A-1 disagree on created_at"],
    ["a currency against the shop's", [{ currency: "" }, { currency: "KWD", unit_price: "1.000" }], "rows 2 and 3 of order A-1 disagree on currency"],
    ["customers on the first and third rows", [{ customer_id: "C-1" }, {}, { customer_id: "C-2" }], "rows 2 and 4 of order A-1 disagree on customer_id"],
  ])("%s", (_name, rows, expected) => {
    expect(findOrderConflict({ orderId: "A-1", rows: rows.map((fields, i) => row(fields, i + 2)) })).toBe(expected);
  });
});

describe("toImportedOrderFields", () => {
  it("sums quantity x unit price and takes each order-level field from the first row that has it", () => {
    const order = {
      orderId: "INV/7 A",
      rows: [
        row({ order_id: "INV/7 A", unit_price: "120.00", quantity: "2", branch: "" }, 2),
        row({ order_id: "INV/7 A", unit_price: "45.50", quantity: "1", sku: "MSK", title: "", branch: "Olaya", customer_id: "C 9", email: "s@example.com" }, 3),
      ],
    };
    const fields = toImportedOrderFields(order);
    expect(fields).toMatchObject({
      orderGid: "gid://wafa/ImportedOrder/INV%2F7%20A",
      name: "INV/7 A",
      channel: "POS",
      sourceName: "import",
      branchName: "Olaya",
      shopifyCreatedAt: new Date("2024-03-01T07:00:00.000Z"),
      currency: "SAR",
      subtotalMinor: 28550,
      totalMinor: 28550,
      discountsMinor: 0,
      shippingMinor: 0,
      taxMinor: 0,
      financialStatus: "paid",
      customerGid: "gid://wafa/ImportedCustomer/C%209",
      email: "s@example.com",
      tags: ["imported"],
    });
    expect(fields.lines.map((l) => [l.lineGid, l.sku, l.title, l.quantity, l.priceMinor])).toEqual([
      ["gid://wafa/ImportedOrderLine/INV%2F7%20A/1", "OUD-50", "Oud", 2, 12000],
      ["gid://wafa/ImportedOrderLine/INV%2F7%20A/2", "MSK", "MSK", 1, 4550],
    ]);
  });

  it("is ONLINE when any row says online, and totals in the currency's own minor units", () => {
    const order = { orderId: "K", rows: [row({ order_id: "K", currency: "KWD", unit_price: "1.250", quantity: "3" }), row({ order_id: "K", channel: "online", currency: "KWD", unit_price: "0.005", quantity: "2" }, 3)] };
    expect(toImportedOrderFields(order)).toMatchObject({ channel: "ONLINE", currency: "KWD", subtotalMinor: 3760, totalMinor: 3760, customerGid: null });
  });
});
