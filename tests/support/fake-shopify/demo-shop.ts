/**
 * The demo shop the fake serves: a Saudi retailer in SAR with an online store and three
 * branches, and two staff members — one using the admin in Arabic, one in English.
 */
import type { FakeShopify } from "./server";

export const DEMO_SHOP = "demo-wafa.myshopify.com";

export const DEMO_LOCATIONS = [
  { id: "gid://shopify/Location/70001", name: "الرياض - العليا | Riyadh Olaya", city: "Riyadh" },
  { id: "gid://shopify/Location/70002", name: "جدة - التحلية | Jeddah Tahlia", city: "Jeddah" },
  { id: "gid://shopify/Location/70003", name: "الدمام | Dammam", city: "Dammam" },
];

export function addDemoShop(fake: FakeShopify, scopes: string[]) {
  return fake.addShop({
    domain: DEMO_SHOP,
    name: "Wafa Demo — متجر وفاء",
    currencyCode: "SAR",
    countryCode: "SA",
    ianaTimezone: "Asia/Riyadh",
    primaryLocale: "ar",
    locations: DEMO_LOCATIONS,
    grantedScopes: scopes,
    staff: [
      { id: "1", firstName: "نورة", lastName: "القحطاني", email: "noura@demo-wafa.example", locale: "ar", accountOwner: true },
      { id: "2", firstName: "Sarah", lastName: "Collins", email: "sarah@demo-wafa.example", locale: "en", accountOwner: false },
    ],
  });
}
