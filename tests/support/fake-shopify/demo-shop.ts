/**
 * The demo shop the fake serves: a Saudi retailer in SAR with an online store and three
 * branches, two staff members (one using the admin in Arabic, one in English), and the seeded
 * shoppers, customers and two years of orders from the demo data generator (prisma/seed).
 */
import { generateShop, iteratePersons, DEFAULT_SHOP_DOMAIN } from "../../../prisma/seed/demo-data";
import type { FakeShopify } from "./server";

export const DEMO_SHOP = DEFAULT_SHOP_DOMAIN;

export interface DemoShopOptions {
  scopes: string[];
  customers?: number;
  seed?: number;
  now?: string;
}

export function addDemoShop(fake: FakeShopify, options: DemoShopOptions) {
  const generated = generateShop({ seed: options.seed ?? 42, customers: options.customers ?? 5000, now: options.now });
  const shop = fake.addShop({
    domain: DEMO_SHOP,
    name: generated.shop.name,
    currencyCode: generated.shop.currency,
    countryCode: generated.shop.country_code,
    ianaTimezone: generated.shop.iana_timezone,
    primaryLocale: "ar",
    locations: generated.branches.map((b) => ({ id: b.location.admin_graphql_api_id, name: `${b.nameAr} | ${b.nameEn}`, city: b.city })),
    grantedScopes: options.scopes,
    staff: [
      { id: "1", firstName: "نورة", lastName: "القحطاني", email: "noura@demo-wafa.example", locale: "ar", accountOwner: true },
      { id: "2", firstName: "Sarah", lastName: "Collins", email: "sarah@demo-wafa.example", locale: "en", accountOwner: false },
    ],
  });
  for (const bundle of iteratePersons({ seed: options.seed ?? 42, customers: options.customers ?? 5000, now: options.now })) {
    for (const c of bundle.customers) shop.customers.set(String(c.payload.id), c.payload as unknown as Record<string, unknown>);
    for (const o of bundle.orders) shop.orders.set(String(o.payload.id), o.payload as unknown as Record<string, unknown>);
  }
  return shop;
}
