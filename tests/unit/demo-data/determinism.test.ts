import { describe, expect, it } from "vitest";
import { generateShop, iterateCustomers, iterateOrders, iteratePersons } from "../../../prisma/seed/demo-data";

const serialise = (options: Parameters<typeof iteratePersons>[0]) => {
  let text = "";
  for (const customer of iterateCustomers(options)) text += JSON.stringify(customer) + "\n";
  for (const order of iterateOrders(options)) text += JSON.stringify(order) + "\n";
  return text;
};

describe("demo data determinism", () => {
  it("gives byte-identical customers and orders for the same seed and options", () => {
    const options = { seed: 7, customers: 250 };
    expect(serialise(options)).toBe(serialise({ ...options }));
  });

  it("gives different data for a different seed", () => {
    const a = serialise({ seed: 1, customers: 200 });
    const b = serialise({ seed: 2, customers: 200 });
    expect(a).not.toBe(b);
  });

  it("treats string seeds deterministically too", () => {
    expect(serialise({ seed: "ramadan", customers: 100 })).toBe(serialise({ seed: "ramadan", customers: 100 }));
    expect(serialise({ seed: "ramadan", customers: 100 })).not.toBe(serialise({ seed: "eid", customers: 100 }));
  });

  it("keeps the first persons identical when more persons are requested", () => {
    const small = [...iteratePersons({ seed: 3, customers: 50 })];
    const large = iteratePersons({ seed: 3, customers: 500 });
    for (const bundle of small) expect(JSON.stringify(large.next().value)).toBe(JSON.stringify(bundle));
  });

  it("does not read the wall clock: history follows the `now` option", () => {
    const now = "2024-06-01T12:00:00+03:00";
    const orders = [...iterateOrders({ customers: 300, now })];
    const nowMs = Date.parse(now);
    const twoYearsBefore = Date.parse("2022-06-01T12:00:00+03:00");
    for (const { payload } of orders) {
      const created = Date.parse(payload.created_at);
      expect(created).toBeLessThan(nowMs);
      expect(created).toBeGreaterThan(twoYearsBefore);
      expect(Date.parse(payload.updated_at)).toBeLessThan(nowMs);
    }
    expect(JSON.stringify(generateShop({ now }))).toBe(JSON.stringify(generateShop({ now })));
  });

  it("rejects bad options with a clear message", () => {
    expect(() => [...iteratePersons({ customers: -1 })]).toThrow(/customers/);
    expect(() => [...iteratePersons({ now: "yesterday" })]).toThrow(/now/);
    expect(() => [...iteratePersons({ currency: "XXX" })]).toThrow(/currency/i);
    expect(() => [...iteratePersons({ walkInRate: 2 })]).toThrow(/walkInRate/);
    expect(() => [...iteratePersons({ shopDomain: "example.com" })]).toThrow(/myshopify/);
  });
});
