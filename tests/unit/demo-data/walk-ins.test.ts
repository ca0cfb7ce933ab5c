import { describe, expect, it } from "vitest";
import { generateShop } from "../../../prisma/seed/demo-data";
import { collect, toNsn } from "./helpers";

describe("POS walk-ins and junk phones", () => {
  const { orders, bundles } = collect({ seed: 9, customers: 2000 });

  it("rings up POS walk-ins with no customer, some with only a phone or an email typed", () => {
    const walkIns = orders.filter((order) => order.truth.walkIn);
    expect(walkIns.length).toBeGreaterThan(200);
    for (const { payload } of walkIns) {
      expect(payload.customer).toBeNull();
      expect(payload.source_name).toBe("pos");
    }
    expect(walkIns.some((order) => order.payload.billing_address?.phone && !order.truth.junkPhone)).toBe(true);
    expect(walkIns.some((order) => order.payload.email && !order.payload.customer)).toBe(true);
    expect(walkIns.some((order) => !order.payload.email && !order.payload.phone && !order.payload.billing_address)).toBe(true);
  });

  it("shares each junk phone across many different walk-ins", () => {
    const personsByJunk = new Map<string, Set<string>>();
    for (const order of orders) {
      if (!order.truth.junkPhone) continue;
      expect(order.payload.billing_address?.phone).toBe(order.truth.junkPhone);
      const persons = personsByJunk.get(order.truth.junkPhone) ?? new Set<string>();
      persons.add(order.truth.personId);
      personsByJunk.set(order.truth.junkPhone, persons);
    }
    const junkPhones = generateShop().junkPhones;
    expect(junkPhones).toContain("0112345678");
    expect(junkPhones).toContain("0500000000");
    expect(junkPhones).toContain("0555555555");
    expect(personsByJunk.size).toBeGreaterThanOrEqual(5);
    const top = Math.max(...[...personsByJunk.values()].map((persons) => persons.size));
    expect(top).toBeGreaterThanOrEqual(10);
  });

  it("never gives a real shopper a junk number", () => {
    const junk = new Set(generateShop().junkPhones.map(toNsn));
    for (const { person } of bundles) {
      expect(junk.has(toNsn(person.phone))).toBe(false);
      expect(junk.has(toNsn(person.secondPhone))).toBe(false);
    }
  });

  it("honours walkInRate and junkPhoneRate of zero", () => {
    const { orders: none } = collect({ seed: 9, customers: 500, walkInRate: 0 });
    expect(none.some((order) => order.truth.walkIn)).toBe(false);
    const { orders: noJunk } = collect({ seed: 9, customers: 500, junkPhoneRate: 0 });
    expect(noJunk.some((order) => order.truth.junkPhone)).toBe(false);
    expect(noJunk.some((order) => order.truth.walkIn)).toBe(true);
  });
});
