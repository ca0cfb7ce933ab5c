import { runGraphql, type AdminGraphql } from "./graphql-client";

export interface ShopInfo {
  name: string;
  currencyCode: string;
  ianaTimezone: string;
  countryCode: string;
  primaryLocale: string;
}

const SHOP_INFO_QUERY = `#graphql
  query WafaShopInfo {
    shop { name currencyCode ianaTimezone billingAddress { countryCodeV2 } }
    shopLocales(published: true) { locale primary }
  }`;

/** Reads what Wafa needs to know about a shop: currency (money), country (phone region), timezone, locale. */
export async function getShopInfo(graphql: AdminGraphql): Promise<ShopInfo> {
  const data = await runGraphql<{
    shop: { name: string; currencyCode: string; ianaTimezone: string; billingAddress: { countryCodeV2: string | null } | null };
    shopLocales: Array<{ locale: string; primary: boolean }>;
  }>(graphql, SHOP_INFO_QUERY);
  return {
    name: data.shop.name,
    currencyCode: data.shop.currencyCode,
    ianaTimezone: data.shop.ianaTimezone,
    countryCode: data.shop.billingAddress?.countryCodeV2 ?? "US",
    primaryLocale: data.shopLocales.find((l) => l.primary)?.locale ?? "en",
  };
}
