import { describe, expect, it } from "vitest";
import { collect, toNsn } from "./helpers";

const options = { seed: 42, customers: 2000 };
const hasArabic = (text: string | null | undefined) => !!text && /[\u0600-\u06FF]/.test(text);
const gmailCanonical = (email: string) => {
  const [local, domain] = email.toLowerCase().split("@");
  return domain === "gmail.com" || domain === "googlemail.com" ? local.split("+")[0].replace(/\./g, "") + "@gmail.com" : email;
};

describe("identity variants in the demo data", () => {
  it("has persons with a Latin-named online record and an Arabic-named POS record with another phone format", () => {
    const { bundles } = collect(options);
    const matches = bundles.filter(({ customers }) => {
      const online = customers.find((c) => c.truth.role === "online");
      const pos = customers.find((c) => c.truth.role === "pos");
      if (!online || !pos) return false;
      if (hasArabic(online.payload.first_name) || !hasArabic(pos.payload.first_name)) return false;
      const onlinePhone = online.payload.default_address?.phone ?? online.payload.phone;
      const posPhone = pos.payload.phone ?? pos.payload.default_address?.phone;
      return !!onlinePhone && !!posPhone && onlinePhone !== posPhone && toNsn(onlinePhone) === toNsn(posPhone);
    });
    expect(matches.length).toBeGreaterThan(20);
    // ... and every such pair is the same person in the truth side channel.
    for (const { customers, person } of matches) {
      expect(customers.every((customer) => customer.truth.personId === person.personId)).toBe(true);
    }
  });

  it("spells the same Arabic names in several real Latin ways", () => {
    const { customers, bundles } = collect(options);
    const arabicFirstOf = new Map(bundles.map((bundle) => [bundle.person.personId, bundle.person.firstNameAr]));
    const spellingsOf = (arabicFirst: string) =>
      new Set(
        customers
          .filter((c) => c.truth.script === "latin" && !c.truth.typo && arabicFirstOf.get(c.truth.personId) === arabicFirst)
          .map((c) => c.payload.first_name),
      );
    const mohammed = spellingsOf("محمد");
    expect([...mohammed].filter((name) => ["Mohammed", "Muhammad", "Mohamed", "Mohamad", "Mohammad"].includes(name!)).length).toBeGreaterThanOrEqual(4);
    expect([...spellingsOf("عبدالله")].filter((name) => ["Abdullah", "Abdallah", "Abdulla"].includes(name!)).length).toBeGreaterThanOrEqual(2);
    expect([...spellingsOf("فاطمة")].filter((name) => ["Fatimah", "Fatima", "Fatma"].includes(name!)).length).toBeGreaterThanOrEqual(2);
    const qahtani = new Set(customers.map((c) => c.payload.last_name).filter((name) => name && /qahtani|kahtani/i.test(name)));
    expect(qahtani.size).toBeGreaterThanOrEqual(3);
    expect(customers.some((c) => c.payload.first_name === "محمد" || c.payload.first_name?.startsWith("محمد "))).toBe(true);
  });

  it("includes expatriate shoppers as in the Gulf", () => {
    const origins = new Set(collect(options).bundles.map((bundle) => bundle.person.origin));
    for (const origin of ["saudi", "egyptian", "indian", "pakistani", "filipino", "western"]) expect(origins).toContain(origin);
  });

  it("writes phones in every format shoppers and staff use", () => {
    const { customers, orders } = collect(options);
    const phones = [
      ...customers.flatMap((c) => [c.payload.default_address?.phone]),
      ...orders.flatMap((o) => [o.payload.billing_address?.phone, o.payload.shipping_address?.phone]),
    ].filter((phone): phone is string => !!phone);
    const formats = {
      local: /^05\d{8}$/,
      international_spaced: /^\+966 5\d \d{3} \d{4}$/,
      double_zero: /^009665\d{8}$/,
      bare: /^5\d{8}$/,
      arabic_indic: /^[٠-٩]{10}$/,
    };
    for (const [name, pattern] of Object.entries(formats)) {
      expect(phones.some((phone) => pattern.test(phone)), name).toBe(true);
    }
    // Shopify stores customer.phone in E.164 only.
    expect(customers.every((c) => c.payload.phone === null || /^\+9665\d{8}$/.test(c.payload.phone))).toBe(true);
  });

  it("gives a person's records Gmail dot and plus-tag variants of one mailbox", () => {
    const { bundles } = collect(options);
    let variants = 0;
    for (const { customers } of bundles) {
      const emails = customers.map((c) => c.payload.email).filter((email): email is string => !!email);
      for (let i = 0; i < emails.length; i++) {
        for (let j = i + 1; j < emails.length; j++) {
          if (emails[i] !== emails[j] && gmailCanonical(emails[i]) === gmailCanonical(emails[j])) variants++;
        }
      }
    }
    expect(variants).toBeGreaterThan(5);
  });

  it("keeps Shopify's uniqueness rules: one email and one phone per customer record", () => {
    const { customers } = collect(options);
    const emails = customers.map((c) => c.payload.email?.toLowerCase()).filter(Boolean);
    const phones = customers.map((c) => c.payload.phone).filter(Boolean);
    const ids = customers.map((c) => c.payload.id);
    expect(new Set(emails).size).toBe(emails.length);
    expect(new Set(phones).size).toBe(phones.length);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("types some POS records with slips and marks them in the truth", () => {
    const { customers } = collect(options);
    expect(customers.filter((c) => c.truth.typo && c.truth.role !== "online").length).toBeGreaterThan(10);
    expect(customers.some((c) => c.truth.role === "pos_duplicate")).toBe(true);
  });

  it("keeps the truth beside the payload, never inside it", () => {
    const { customers, orders } = collect(options);
    for (const item of [...customers.slice(0, 500), ...orders.slice(0, 500)]) {
      const text = JSON.stringify(item.payload);
      expect(text).not.toContain("personId");
      expect(text).not.toContain(item.truth.personId);
    }
    for (const order of orders) {
      expect(order.truth.customerId).toBe(order.payload.customer?.id ?? null);
    }
  });
});
