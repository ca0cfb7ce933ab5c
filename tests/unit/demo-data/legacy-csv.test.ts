import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import {
  LEGACY_CSV_COLUMNS,
  LEGACY_CSV_HEADER,
  csvField,
  iterateLegacyRows,
  iterateOrders,
  toCsvLine,
} from "../../../prisma/seed/demo-data";

const options = { seed: 21, customers: 400 };

describe("legacy POS order-history CSV", () => {
  const rows = [...iterateLegacyRows(options)];

  it("has the documented columns and one row per line of every non-cancelled order", () => {
    expect(LEGACY_CSV_HEADER).toBe(
      "order_id,created_at,channel,branch,customer_id,email,phone,first_name,last_name,sku,title,quantity,unit_price,currency\n",
    );
    const expected = [...iterateOrders(options)]
      .filter((order) => !order.payload.cancelled_at)
      .reduce((sum, order) => sum + order.payload.line_items.length, 0);
    expect(rows.length).toBe(expected);
    for (const { row } of rows) {
      expect(Object.keys(row)).toEqual([...LEGACY_CSV_COLUMNS]);
      expect(row.order_id).toMatch(/^LEGACY-\d+$/);
      expect(["pos", "online"]).toContain(row.channel);
      expect(row.branch === "") .toBe(row.channel === "online");
      expect(Number(row.quantity)).toBeGreaterThan(0);
      expect(row.unit_price).toMatch(/^\d+\.\d{2}$/);
      expect(row.currency).toBe("SAR");
    }
  });

  it("stores phones as an old POS did, Arabic-Indic digits included, and titles in both languages", () => {
    expect(rows.some(({ row }) => /^[٠-٩]+$/.test(row.phone))).toBe(true);
    expect(rows.some(({ row }) => /^05\d{8}$/.test(row.phone))).toBe(true);
    expect(rows.some(({ row }) => /[\u0600-\u06FF]/.test(row.title))).toBe(true);
    expect(rows.some(({ row }) => /^[A-Za-z]/.test(row.title))).toBe(true);
    expect(rows.some(({ row }) => row.customer_id === "")).toBe(true);
  });

  it("round-trips through a CSV parser, quotes included", () => {
    expect(csvField('say "hi", ok')).toBe('"say ""hi"", ok"');
    expect(csvField("plain")).toBe("plain");
    const text = LEGACY_CSV_HEADER + rows.map(({ row }) => toCsvLine(row)).join("");
    const parsed = parse(text, { columns: true }) as Record<string, string>[];
    expect(parsed.length).toBe(rows.length);
    expect(parsed[0]).toEqual(rows[0].row);
    expect(parsed.find((row) => row.title.includes(","))).toEqual(rows.find(({ row }) => row.title.includes(","))?.row);
  });
});
