import { describe, expect, it } from "vitest";
import { formatMinor, generateShop, parseMinor } from "../../../prisma/seed/demo-data";
import { collect, orderArithmeticProblems } from "./helpers";

const cases = [
  { label: "SAR, tax-inclusive 15% VAT", options: { currency: "SAR" }, exponent: 2 },
  { label: "SAR, tax-exclusive", options: { currency: "SAR", taxesIncluded: false }, exponent: 2 },
  { label: "JPY (0 decimals), 10% tax", options: { currency: "JPY" }, exponent: 0 },
  { label: "KWD (3 decimals), no VAT", options: { currency: "KWD" }, exponent: 3 },
  { label: "KWD (3 decimals), 5% VAT exclusive", options: { currency: "KWD", taxRate: 0.05, taxesIncluded: false }, exponent: 3 },
] as const;

describe("order arithmetic", () => {
  for (const { label, options, exponent } of cases) {
    it(`is consistent to the minor unit for ${label}`, () => {
      const { orders } = collect({ seed: 11, customers: 400, ...options });
      const problems = orders.flatMap((order) => orderArithmeticProblems(order.payload, exponent));
      expect(problems.slice(0, 10)).toEqual([]);
      expect(orders.every((order) => order.payload.currency === options.currency)).toBe(true);
      // Every kind of money movement is exercised.
      expect(orders.some((order) => order.payload.discount_codes.length > 0)).toBe(true);
      expect(orders.some((order) => order.payload.financial_status === "partially_refunded")).toBe(true);
      expect(orders.some((order) => order.payload.financial_status === "refunded")).toBe(true);
    });
  }

  it("writes amounts with the currency's own number of decimals", () => {
    const sar = collect({ seed: 11, customers: 400, currency: "SAR" }).orders[0].payload;
    const jpy = collect({ seed: 11, customers: 400, currency: "JPY" }).orders[0].payload;
    const kwd = collect({ seed: 11, customers: 400, currency: "KWD" }).orders[0].payload;
    expect(sar.total_price).toMatch(/^\d+\.\d{2}$/);
    expect(jpy.total_price).toMatch(/^\d+$/);
    expect(kwd.total_price).toMatch(/^\d+\.\d{3}$/);
    expect(formatMinor(12950, 2)).toBe("129.50");
    expect(formatMinor(4015, 3)).toBe("4.015");
    expect(formatMinor(1200, 0)).toBe("1200");
    expect(formatMinor(-2500, 2)).toBe("-25.00");
    expect(parseMinor("0.005", 3)).toBe(5);
    expect(() => parseMinor("1.5", 2)).toThrow();
  });

  it("prices the catalogue realistically in SAR", () => {
    const shop = generateShop({ currency: "SAR" });
    const prices = shop.products.flatMap((product) => product.payload.variants.map((variant) => variant.price));
    expect(prices).toContain("49.00");
    expect(prices).toContain("129.50");
    expect(prices.every((price) => /^\d+\.\d{2}$/.test(price))).toBe(true);
  });

  it("has refunds on a few percent of orders and a few cancellations", () => {
    const { orders } = collect({ seed: 11, customers: 400, currency: "SAR" });
    const refunded = orders.filter((order) => order.payload.refunds.length > 0).length / orders.length;
    const cancelled = orders.filter((order) => order.payload.cancelled_at !== null);
    expect(refunded).toBeGreaterThan(0.02);
    expect(refunded).toBeLessThan(0.08);
    expect(cancelled.length).toBeGreaterThan(0);
    for (const { payload } of cancelled) {
      expect(payload.cancel_reason).not.toBeNull();
      expect(payload.financial_status).toBe("refunded");
      expect(payload.current_total_price).toBe("0.00");
    }
  });
});
