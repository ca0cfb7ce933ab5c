import { describe, expect, it } from "vitest";
import { parseMinor } from "../../../prisma/seed/demo-data";
import { collect } from "./helpers";

describe("shopper distributions", () => {
  const { bundles, orders } = collect({ seed: 5, customers: 2500 });

  it("has many one-time buyers and a Pareto head of loyal customers", () => {
    const oneTime = bundles.filter((bundle) => bundle.orders.length === 1).length / bundles.length;
    expect(oneTime).toBeGreaterThan(0.45);
    expect(oneTime).toBeLessThan(0.65);
    const spend = bundles
      .map((bundle) => bundle.orders.reduce((sum, order) => sum + parseMinor(order.payload.total_price, 2), 0))
      .sort((a, b) => b - a);
    const total = spend.reduce((a, b) => a + b, 0);
    const head = spend.slice(0, Math.floor(spend.length * 0.2)).reduce((a, b) => a + b, 0);
    expect(head / total).toBeGreaterThan(0.55);
    expect(bundles.some((bundle) => bundle.orders.length >= 20)).toBe(true);
  });

  it("has lapsed shoppers whose last order is more than six months old", () => {
    const lapsed = bundles.filter((bundle) => bundle.person.lapsed);
    expect(lapsed.length).toBeGreaterThan(50);
    const sixMonthsBefore = Date.parse("2026-05-01T00:00:00+03:00");
    for (const bundle of lapsed) {
      expect(Date.parse(bundle.orders[bundle.orders.length - 1].payload.created_at)).toBeLessThan(sixMonthsBefore);
    }
  });

  it("makes about omnichannelRate of persons buy on both channels", () => {
    const omni = bundles.filter((bundle) => new Set(bundle.orders.map((order) => order.truth.channel)).size === 2);
    expect(omni.length / bundles.length).toBeGreaterThan(0.15);
    expect(omni.length / bundles.length).toBeLessThan(0.25);
    const none = collect({ seed: 5, customers: 500, omnichannelRate: 0 }).bundles;
    expect(none.every((bundle) => new Set(bundle.orders.map((order) => order.truth.channel)).size === 1)).toBe(true);
  });

  it("sells more per day in the last ten nights of Ramadan and on White Friday than on an ordinary day", () => {
    const perDay = new Map<string, number>();
    for (const order of orders) {
      const day = order.payload.created_at.slice(0, 10);
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    const mean = (days: string[]) => days.reduce((sum, day) => sum + (perDay.get(day) ?? 0), 0) / days.length;
    const range = (from: string, count: number) =>
      Array.from({ length: count }, (_, i) => new Date(Date.parse(from) + i * 86_400_000).toISOString().slice(0, 10));
    const lastTenNights2026 = range("2026-03-10", 9); // Ramadan 1447 began about 18 February 2026
    const ordinary2026 = range("2026-04-20", 30);
    expect(mean(lastTenNights2026)).toBeGreaterThan(1.3 * mean(ordinary2026));
    const whiteFriday2025 = ["2025-11-28"];
    expect(mean(whiteFriday2025)).toBeGreaterThan(2 * mean(range("2025-10-01", 30)));
  });

  it("sells in all three branches and online", () => {
    const branches = new Set(orders.map((order) => order.truth.branch));
    expect(branches).toEqual(new Set([null, "riyadh-olaya", "jeddah-tahlia", "dammam"]));
  });
});
