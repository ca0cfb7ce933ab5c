/**
 * The fake's in-memory state: shops with their details, locations, staff, access tokens, and
 * (growing with each issue) customers, orders, bulk operations, discounts and metafields.
 */
import crypto from "node:crypto";
import type { FakeDiscount, FakeDiscountFailure } from "./discounts";
import type { FakeMetafield } from "./metafields";

export interface FakeStaff {
  id: string; // numeric user id, the session token's `sub`
  firstName: string;
  lastName: string;
  email: string;
  locale: string;
  accountOwner: boolean;
}

export interface FakeLocation {
  id: string; // gid://shopify/Location/<n>
  name: string;
  city: string;
}

export interface FakeShop {
  domain: string;
  name: string;
  currencyCode: string;
  countryCode: string;
  ianaTimezone: string;
  primaryLocale: string;
  locations: FakeLocation[];
  staff: FakeStaff[];
  /** customer and order payloads in Shopify's webhook (REST) JSON shape, by numeric id */
  customers: Map<string, Record<string, unknown>>;
  orders: Map<string, Record<string, unknown>>;
  installed: boolean;
  grantedScopes: string[];
  /** code discounts by node GID, and failures queued for the next creates (see discounts.ts) */
  discounts: Map<string, FakeDiscount>;
  discountFailures: FakeDiscountFailure[];
  /** metafields by owner GID, then by "namespace.key" (see metafields.ts) */
  metafields: Map<string, Map<string, FakeMetafield>>;
  /** this shop's Admin API bucket, when a test wants it smaller than the default */
  apiLimits?: { maximumAvailable: number; restoreRate: number };
}

export interface AccessToken {
  token: string;
  shop: string;
  online: boolean;
  userId?: string;
  expiresAt?: number;
}

export class FakeStore {
  readonly shops = new Map<string, FakeShop>();
  readonly tokens = new Map<string, AccessToken>();
  readonly refreshTokens = new Map<string, { shop: string }>();
  /** every GraphQL operation the app sent, for assertions */
  readonly graphqlLog: Array<{ shop: string; query: string; variables: unknown }> = [];

  addShop(shop: Partial<FakeShop> & { domain: string }): FakeShop {
    const value: FakeShop = {
      name: shop.domain.replace(".myshopify.com", ""),
      currencyCode: "USD",
      countryCode: "US",
      ianaTimezone: "UTC",
      primaryLocale: "en",
      locations: [],
      staff: [{ id: "1", firstName: "Store", lastName: "Owner", email: `owner@${shop.domain}`, locale: "en", accountOwner: true }],
      customers: new Map(),
      orders: new Map(),
      installed: true,
      grantedScopes: [],
      discounts: new Map(),
      discountFailures: [],
      metafields: new Map(),
      ...shop,
    };
    this.shops.set(value.domain, value);
    return value;
  }

  requireShop(domain: string): FakeShop {
    const shop = this.shops.get(domain);
    if (!shop) throw new Error(`the fake has no shop ${domain}`);
    return shop;
  }

  issueToken(entry: Omit<AccessToken, "token">): AccessToken {
    const token = { ...entry, token: `shpat_fake_${crypto.randomBytes(16).toString("hex")}` };
    this.tokens.set(token.token, token);
    return token;
  }

  /** The access token a request carries, if it is valid for that shop. */
  authenticate(shop: string, token: string | null): AccessToken | null {
    if (!token) return null;
    const entry = this.tokens.get(token);
    if (!entry || entry.shop !== shop) return null;
    if (entry.expiresAt && entry.expiresAt < Date.now()) return null;
    return entry;
  }
}
