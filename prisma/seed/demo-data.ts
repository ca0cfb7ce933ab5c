/**
 * Deterministic, seeded demo data for Wafa: a Saudi shop with three branches and an online store,
 * and N shoppers ("persons") with two years of online and POS orders, as Shopify webhook payloads.
 *
 * Everything streams: each person is generated from hashSeed(seed, personIndex) alone, so a
 * million persons never sit in memory, and the same options always give byte-identical output.
 * The true person behind every customer record and order travels beside the payload (`truth`),
 * never inside it, so identity resolution can be scored for precision and recall.
 */
import { CATALOG, variantSku, type CatalogProduct, type CatalogVariant, type Category } from "./catalog";
import {
  DAY_MS,
  HOUR_WEIGHTS,
  SEASON_COUNT,
  Season,
  describeDay,
  riyadhDay,
  riyadhDayStart,
  toRiyadhIso,
} from "./calendar";
import { fromHalalas, formatMinor, requireCurrency, type CurrencySpec } from "./money";
import {
  ORIGINS,
  arabicTypingVariant,
  arabicTypo,
  emailToken,
  latinTypo,
  pickSpelling,
  type NameEntry,
  type Origin,
  type OriginPool,
} from "./names";
import {
  JUNK_EMAILS,
  JUNK_NAMES,
  JUNK_PHONES,
  formatPhone,
  mobileForSlot,
  pickFreeTextStyle,
  type JunkPhone,
  type PhoneStyle,
} from "./phones";
import { Prng, WeightedTable, hashSeed, hashString, searchCumulative } from "./prng";
import type {
  ShopifyAddress,
  ShopifyCustomer,
  ShopifyCustomerAddress,
  ShopifyDiscountAllocation,
  ShopifyLineItem,
  ShopifyLocation,
  ShopifyMoneySet,
  ShopifyOrder,
  ShopifyOrderCustomer,
  ShopifyProduct,
  ShopifyRefund,
  ShopifyShop,
  ShopifyTaxLine,
} from "./shopify-types";

export type * from "./shopify-types";
export { formatMinor, parseMinor, CURRENCIES } from "./money";

// ---------------------------------------------------------------------------------------------
// Options

export interface DemoDataOptions {
  /** Any integer or string; the same seed and options give byte-identical output. Default 42. */
  seed?: number | string;
  /** Number of shoppers (persons); each has 0 to 3 Shopify customer records. Default 5,000. */
  customers?: number;
  /** The demo's "now" as an ISO date; history ends before it. Default 2026-11-01T00:00:00+03:00. */
  now?: string;
  shopDomain?: string;
  /** SAR (default), KWD (3 decimals) or JPY (0 decimals); AED and USD also work. */
  currency?: string;
  /** Years of history before `now`. Default 2. */
  years?: number;
  /** Share of POS walk-in orders (no customer attached) that carry a staff-typed junk phone. Default 0.15. */
  junkPhoneRate?: number;
  /** Share of POS orders of known shoppers rung up without attaching the customer. Default 0.3. */
  walkInRate?: number;
  /** Share of all persons who buy on both channels. Default 0.2. */
  omnichannelRate?: number;
  /** Shopify's taxes_included flag. Default true (tax-inclusive prices, as Saudi shops usually are). */
  taxesIncluded?: boolean;
  /** VAT rate; defaults to the currency's country (SA 15%, KW 0%, JP 10%). */
  taxRate?: number;
}

export interface ResolvedDemoOptions {
  seed: number | string;
  customers: number;
  now: string;
  shopDomain: string;
  currency: string;
  years: number;
  junkPhoneRate: number;
  walkInRate: number;
  omnichannelRate: number;
  taxesIncluded: boolean;
  taxRate: number;
}

export const DEFAULT_NOW = "2026-11-01T00:00:00+03:00";
export const DEFAULT_SHOP_DOMAIN = "demo-wafa.myshopify.com";
export const SHOP_NAME = "Wafa Demo — متجر وفاء";

export function resolveOptions(options: DemoDataOptions = {}): ResolvedDemoOptions {
  const currency = requireCurrency(options.currency ?? "SAR");
  const resolved: ResolvedDemoOptions = {
    seed: options.seed ?? 42,
    customers: options.customers ?? 5000,
    now: options.now ?? DEFAULT_NOW,
    shopDomain: options.shopDomain ?? DEFAULT_SHOP_DOMAIN,
    currency: currency.code,
    years: options.years ?? 2,
    junkPhoneRate: options.junkPhoneRate ?? 0.15,
    walkInRate: options.walkInRate ?? 0.3,
    omnichannelRate: options.omnichannelRate ?? 0.2,
    taxesIncluded: options.taxesIncluded ?? true,
    taxRate: options.taxRate ?? currency.taxRate,
  };
  if (!Number.isSafeInteger(resolved.customers) || resolved.customers < 0 || resolved.customers > 30_000_000) {
    throw new Error(`customers must be an integer from 0 to 30,000,000, got ${resolved.customers}`);
  }
  if (Number.isNaN(Date.parse(resolved.now))) throw new Error(`now must be an ISO date, got "${resolved.now}"`);
  if (!(resolved.years > 0 && resolved.years <= 10)) throw new Error(`years must be in (0, 10], got ${resolved.years}`);
  for (const key of ["junkPhoneRate", "walkInRate", "omnichannelRate"] as const) {
    const value = resolved[key];
    if (!(value >= 0 && value <= 1)) throw new Error(`${key} must be between 0 and 1, got ${value}`);
  }
  if (!(resolved.taxRate >= 0 && resolved.taxRate < 1)) throw new Error(`taxRate must be in [0, 1), got ${resolved.taxRate}`);
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(resolved.shopDomain)) {
    throw new Error(`shopDomain must be a *.myshopify.com domain, got "${resolved.shopDomain}"`);
  }
  return resolved;
}

// ---------------------------------------------------------------------------------------------
// Id spaces. Shopify ids are opaque integers; each resource type gets its own range.

const SHOP_ID = 68_123_456_789;
const LOCATION_ID_BASE = 71_234_560_001;
const STAFF_ID_BASE = 91_234_567_001;
const DEVICE_ID_BASE = 3_456_789_001;
const PRODUCT_ID_BASE = 8_100_000_000_000;
const VARIANT_ID_BASE = 45_100_000_000_000;
const CUSTOMER_ID_BASE = 7_100_000_000_000;
const ADDRESS_ID_BASE = 8_900_000_000_000;
const ORDER_ID_BASE = 5_800_000_000_000;
const LINE_ITEM_ID_BASE = 14_600_000_000_000;
const SHIPPING_LINE_ID_BASE = 4_900_000_000_000;
const REFUND_ID_BASE = 9_400_000_000_000;
const REFUND_LINE_ID_BASE = 5_300_000_000_000;
const TRANSACTION_ID_BASE = 7_500_000_000_000;
const ADJUSTMENT_ID_BASE = 2_600_000_000_000;
/** Customer ids are personIndex * 4 + slot, so iterateCustomers never needs to count orders. */
const RECORDS_PER_PERSON = 4;
const FIRST_ORDER_NUMBER = 1001;

const gid = (type: string, id: number) => `gid://shopify/${type}/${id}`;

// ---------------------------------------------------------------------------------------------
// The shop: branches, catalogue, discount codes

export interface Branch {
  index: number;
  code: string;
  nameEn: string;
  nameAr: string;
  city: string;
  cityAr: string;
  location: ShopifyLocation;
}

interface BranchSeed {
  code: string;
  nameEn: string;
  nameAr: string;
  city: string;
  cityAr: string;
  address1: string;
  zip: string;
  phone: string;
}

const BRANCH_SEEDS: readonly BranchSeed[] = [
  { code: "riyadh-olaya", nameEn: "Riyadh Olaya", nameAr: "الرياض - العليا", city: "Riyadh", cityAr: "الرياض", address1: "7596 Olaya St, Al Olaya", zip: "12213", phone: "+966112345678" },
  { code: "jeddah-tahlia", nameEn: "Jeddah Tahlia", nameAr: "جدة - التحلية", city: "Jeddah", cityAr: "جدة", address1: "3120 Prince Mohammed Bin Abdulaziz Rd (Tahlia St), Al Andalus", zip: "23326", phone: "+966126543210" },
  { code: "dammam", nameEn: "Dammam", nameAr: "الدمام", city: "Dammam", cityAr: "الدمام", address1: "8421 King Saud St, Al Faisaliyah", zip: "32272", phone: "+966138889999" },
];

export interface DemoProduct {
  catalog: CatalogProduct;
  payload: ShopifyProduct;
}

export interface DiscountCodeSpec {
  code: string;
  type: "percentage" | "fixed_amount";
  /** Percent for percentage codes; minor units of the shop currency for fixed codes. */
  value: number;
  /** Minimum order subtotal in minor units, or 0. */
  minimumMinor: number;
  /** Season in which the code runs, or null for always-on codes. */
  season: Season | null;
  title: string;
}

export interface DemoShop {
  options: ResolvedDemoOptions;
  shop: ShopifyShop;
  branches: Branch[];
  locations: ShopifyLocation[];
  products: DemoProduct[];
  discountCodes: DiscountCodeSpec[];
  /** The junk phones staff type for walk-ins, as typed. */
  junkPhones: string[];
  /** First and last instant of generated history (ISO, +03:00). */
  historyStartsAt: string;
  historyEndsAt: string;
}

interface PricedVariant {
  product: CatalogProduct;
  productIndex: number;
  variant: CatalogVariant;
  productId: number;
  variantId: number;
  sku: string;
  priceMinor: number;
}

/** Everything derived once from the options and shared by all persons (read-only). */
interface Context {
  options: ResolvedDemoOptions;
  seedHash: number;
  currency: CurrencySpec;
  exponent: number;
  nowMs: number;
  startMs: number;
  firstDay: number;
  dayCount: number;
  dayCumulative: Float64Array;
  daySeason: Uint8Array;
  productTables: WeightedTable<number>[];
  variantsByProduct: PricedVariant[][];
  codes: DiscountCodeSpec[];
  seasonCodes: (DiscountCodeSpec | null)[];
  shippingStandardMinor: number;
  shippingExpressMinor: number;
  freeShippingMinor: number;
  branches: Branch[];
  originTable: WeightedTable<OriginPool>;
  hourTables: { online: WeightedTable<number>; pos: WeightedTable<number>; onlineRamadan: WeightedTable<number>; posRamadan: WeightedTable<number> };
  shop: DemoShop;
  /** Minor units -> Shopify decimal string in the shop currency. */
  fmt: (minor: number) => string;
  /** Minor units -> Shopify money set (shop and presentment money are the shop currency). */
  set: (minor: number) => ShopifyMoneySet;
  /** The VAT tax_lines for a tax amount (empty when the rate is 0). */
  taxLine: (minor: number) => ShopifyTaxLine[];
}

const CATEGORY_BOOST: Record<Category, readonly number[]> = {
  // Normal, Ramadan, RamadanLastTen, Eid, WhiteFriday, NationalDay, FoundingDay
  perfume: [1, 1.2, 2, 2.2, 1.5, 1.2, 1.2],
  fashion: [1, 1.3, 2.2, 1.6, 1.2, 1.8, 1.5],
  dates: [1, 3.5, 3, 1.5, 0.8, 1, 1.2],
  coffee: [1, 2.2, 1.8, 1.3, 1, 1.2, 1.3],
  electronics: [1, 0.7, 0.7, 0.9, 3, 1.3, 1],
};

const contextCache = new Map<string, Context>();

function getContext(options: DemoDataOptions): Context {
  const resolved = resolveOptions(options);
  const key = JSON.stringify(resolved);
  const cached = contextCache.get(key);
  if (cached) return cached;
  const context = buildContext(resolved);
  if (contextCache.size > 16) contextCache.clear();
  contextCache.set(key, context);
  return context;
}

function buildContext(options: ResolvedDemoOptions): Context {
  const currency = requireCurrency(options.currency);
  const seedHash =
    typeof options.seed === "string" ? hashSeed(hashString(options.seed), 0x5eed) : hashSeed(options.seed, 0x5eed);
  const nowMs = Date.parse(options.now);
  const nowDate = new Date(nowMs);
  const wholeYears = Math.floor(options.years);
  const startMsCalendar = Date.UTC(
    nowDate.getUTCFullYear() - wholeYears,
    nowDate.getUTCMonth(),
    nowDate.getUTCDate(),
    nowDate.getUTCHours(),
    nowDate.getUTCMinutes(),
  );
  const startMs = startMsCalendar - Math.round((options.years - wholeYears) * 365.25 * DAY_MS);
  // History covers whole Riyadh days strictly after startMs's day and strictly before now's day.
  const firstDay = riyadhDay(startMs) + 1;
  const dayCount = Math.max(1, riyadhDay(nowMs) - firstDay);

  const dayCumulative = new Float64Array(dayCount);
  const daySeason = new Uint8Array(dayCount);
  let sum = 0;
  for (let d = 0; d < dayCount; d++) {
    const info = describeDay(firstDay + d);
    const trend = 0.75 + (0.5 * d) / dayCount; // the shop grows over the two years
    sum += info.weight * trend;
    dayCumulative[d] = sum;
    daySeason[d] = info.season;
  }

  const shop = buildShop(options, currency, startMs, nowMs);
  const variantsByProduct: PricedVariant[][] = shop.products.map((product, productIndex) =>
    product.catalog.variants.map((variant, variantIndex) => ({
      product: product.catalog,
      productIndex,
      variant,
      productId: product.payload.id,
      variantId: product.payload.variants[variantIndex].id,
      sku: variantSku(product.catalog, variant),
      priceMinor: fromHalalas(variant.priceHalalas, currency),
    })),
  );
  const productIndexes = CATALOG.map((_, i) => i);
  const productTables: WeightedTable<number>[] = [];
  for (let season = 0; season < SEASON_COUNT; season++) {
    productTables.push(
      new WeightedTable(
        productIndexes,
        CATALOG.map((product) => product.popularity * CATEGORY_BOOST[product.category][season]),
      ),
    );
  }
  const seasonCodes: (DiscountCodeSpec | null)[] = [];
  for (let season = 0; season < SEASON_COUNT; season++) {
    seasonCodes.push(shop.discountCodes.find((code) => code.season === season) ?? null);
  }
  const hours = Array.from({ length: 24 }, (_, h) => h);
  const exponent = currency.exponent;
  const code = currency.code;
  const rate = options.taxRate;
  const fmt = (minor: number): string => formatMinor(minor, exponent);
  const set = (minor: number): ShopifyMoneySet => {
    const amount = formatMinor(minor, exponent);
    return { shop_money: { amount, currency_code: code }, presentment_money: { amount, currency_code: code } };
  };
  const taxLine = (minor: number): ShopifyTaxLine[] =>
    rate === 0 ? [] : [{ price: fmt(minor), rate, title: "VAT", price_set: set(minor), channel_liable: false }];
  return {
    fmt,
    set,
    taxLine,
    options,
    seedHash,
    currency,
    exponent: currency.exponent,
    nowMs,
    startMs,
    firstDay,
    dayCount,
    dayCumulative,
    daySeason,
    productTables,
    variantsByProduct,
    codes: shop.discountCodes,
    seasonCodes,
    shippingStandardMinor: fromHalalas(2500, currency),
    shippingExpressMinor: fromHalalas(4500, currency),
    freeShippingMinor: fromHalalas(19900, currency),
    branches: shop.branches,
    originTable: new WeightedTable(ORIGINS, ORIGINS.map((origin) => origin.weight)),
    hourTables: {
      online: new WeightedTable(hours, HOUR_WEIGHTS.online),
      pos: new WeightedTable(hours, HOUR_WEIGHTS.pos),
      onlineRamadan: new WeightedTable(hours, HOUR_WEIGHTS.onlineRamadan),
      posRamadan: new WeightedTable(hours, HOUR_WEIGHTS.posRamadan),
    },
    shop,
  };
}

function buildShop(options: ResolvedDemoOptions, currency: CurrencySpec, startMs: number, nowMs: number): DemoShop {
  const createdAt = toRiyadhIso(startMs - 45 * DAY_MS);
  const branches: Branch[] = BRANCH_SEEDS.map((seed, index) => {
    const id = LOCATION_ID_BASE + index;
    return {
      index,
      code: seed.code,
      nameEn: seed.nameEn,
      nameAr: seed.nameAr,
      city: seed.city,
      cityAr: seed.cityAr,
      location: {
        id,
        admin_graphql_api_id: gid("Location", id),
        name: seed.nameEn,
        address1: seed.address1,
        address2: null,
        city: seed.city,
        zip: seed.zip,
        province: null,
        country: "SA",
        country_code: "SA",
        phone: seed.phone,
        active: true,
        legacy: false,
        created_at: createdAt,
        updated_at: createdAt,
      },
    };
  });
  let variantCounter = 0;
  const products: DemoProduct[] = CATALOG.map((catalog, index) => {
    const id = PRODUCT_ID_BASE + index;
    return {
      catalog,
      payload: {
        id,
        admin_graphql_api_id: gid("Product", id),
        title: catalog.titleEn,
        body_html: `<p>${catalog.titleAr}</p>`,
        vendor: catalog.vendor,
        product_type: catalog.category,
        handle: catalog.handle,
        status: "active",
        tags: catalog.category,
        created_at: createdAt,
        updated_at: createdAt,
        published_at: createdAt,
        options: [{ name: catalog.variants.length > 1 ? "Variant" : "Title", position: 1, values: catalog.variants.map((v) => v.title) }],
        variants: catalog.variants.map((variant, position) => {
          const variantId = VARIANT_ID_BASE + variantCounter++;
          return {
            id: variantId,
            admin_graphql_api_id: gid("ProductVariant", variantId),
            product_id: id,
            title: variant.title,
            price: formatMinor(fromHalalas(variant.priceHalalas, currency), currency.exponent),
            sku: variantSku(catalog, variant),
            position: position + 1,
            option1: variant.title,
            taxable: true,
            barcode: String(6_281_000_000_000 + variantId % 1_000_000),
            inventory_policy: "deny",
            requires_shipping: true,
            created_at: createdAt,
            updated_at: createdAt,
          };
        }),
      },
    };
  });
  const nationalDayNumber = new Date(nowMs).getUTCFullYear() - 1930;
  const discountCodes: DiscountCodeSpec[] = [
    { code: "WELCOME10", type: "percentage", value: 10, minimumMinor: 0, season: null, title: "Welcome 10%" },
    { code: "WAFA15", type: "percentage", value: 15, minimumMinor: 0, season: null, title: "Wafa members 15%" },
    { code: "SAVE50", type: "fixed_amount", value: fromHalalas(5000, currency), minimumMinor: fromHalalas(30000, currency), season: null, title: "50 off 300" },
    { code: "RAMADAN20", type: "percentage", value: 20, minimumMinor: 0, season: Season.Ramadan, title: "Ramadan Kareem 20%" },
    { code: "LAST10NIGHTS", type: "percentage", value: 15, minimumMinor: 0, season: Season.RamadanLastTen, title: "Last ten nights 15%" },
    { code: "EID50", type: "fixed_amount", value: fromHalalas(5000, currency), minimumMinor: fromHalalas(25000, currency), season: Season.Eid, title: "Eidiya 50" },
    { code: "WHITEFRIDAY", type: "percentage", value: 25, minimumMinor: 0, season: Season.WhiteFriday, title: "White Friday 25%" },
    { code: `SAUDI${nationalDayNumber}`, type: "percentage", value: 23, minimumMinor: 0, season: Season.NationalDay, title: "National Day 23%" },
    { code: "FOUNDING1727", type: "percentage", value: 17, minimumMinor: 0, season: Season.FoundingDay, title: "Founding Day 17%" },
  ];
  const shop: ShopifyShop = {
    id: SHOP_ID,
    admin_graphql_api_id: gid("Shop", SHOP_ID),
    name: SHOP_NAME,
    email: "owner@demo-wafa.sa",
    domain: options.shopDomain,
    myshopify_domain: options.shopDomain,
    country: currency.country,
    country_code: currency.country,
    country_name: currency.countryName,
    currency: currency.code,
    enabled_presentment_currencies: [currency.code],
    money_format: `{{amount}} ${currency.code}`,
    iana_timezone: "Asia/Riyadh",
    timezone: "(GMT+03:00) Asia/Riyadh",
    primary_locale: "ar",
    taxes_included: options.taxesIncluded,
    plan_name: "advanced",
    created_at: createdAt,
    updated_at: createdAt,
  };
  return {
    options,
    shop,
    branches,
    locations: branches.map((branch) => branch.location),
    products,
    discountCodes,
    junkPhones: JUNK_PHONES.map((junk) => junk.raw),
    historyStartsAt: toRiyadhIso(riyadhDayStart(riyadhDay(startMs) + 1)),
    historyEndsAt: toRiyadhIso(riyadhDayStart(riyadhDay(nowMs)) - 1000),
  };
}

/** The demo shop, its three branches (Shopify locations), catalogue and discount codes. */
export function generateShop(options: DemoDataOptions = {}): DemoShop {
  return getContext(options).shop;
}

// ---------------------------------------------------------------------------------------------
// Persons, records and orders: the yielded shapes

export type Channel = "online" | "pos";
export type ChannelMode = "online" | "pos" | "omnichannel";
export type Segment = "one_time" | "occasional" | "regular" | "frequent" | "vip";

/** Ground truth about one shopper; never part of a Shopify payload. */
export interface PersonTruth {
  personId: string;
  index: number;
  origin: Origin;
  gender: "female" | "male";
  segment: Segment;
  channelMode: ChannelMode;
  lapsed: boolean;
  /** Never gave details at the till: every order is a walk-in with no customer. */
  anonymous: boolean;
  homeBranch: string;
  firstNameEn: string;
  lastNameEn: string;
  firstNameAr: string;
  lastNameAr: string;
  /** Main mobile in E.164, and the second number some persons also use. */
  phone: string;
  secondPhone: string;
  email: string;
}

export type CustomerRole = "online" | "pos" | "pos_duplicate";

export interface CustomerTruth {
  personId: string;
  role: CustomerRole;
  script: "latin" | "arabic";
  /** The names were typed with a slip. */
  typo: boolean;
}

export interface OrderTruth {
  personId: string;
  channel: Channel;
  branch: string | null;
  customerId: number | null;
  /** POS order with no customer attached. */
  walkIn: boolean;
  /** The staff-typed junk phone on this order, if any. */
  junkPhone: string | null;
}

export interface GeneratedCustomer {
  payload: ShopifyCustomer;
  truth: CustomerTruth;
}

export interface GeneratedOrder {
  payload: ShopifyOrder;
  truth: OrderTruth;
}

export interface PersonBundle {
  person: PersonTruth;
  /** Final state of each Shopify customer record of the person, oldest first. */
  customers: GeneratedCustomer[];
  /** The person's orders, oldest first. */
  orders: GeneratedOrder[];
}

// ---------------------------------------------------------------------------------------------
// Generation

interface Counters {
  order: number;
  lineItem: number;
  shippingLine: number;
  refund: number;
  refundLine: number;
  transaction: number;
  adjustment: number;
}

interface PersonPlan {
  index: number;
  personId: string;
  pool: OriginPool;
  female: boolean;
  first: NameEntry;
  family: NameEntry;
  father: NameEntry | null;
  firstSpelling: number;
  familySpelling: number;
  mobile: string; // 9-digit NSN
  secondMobile: string;
  emailLocal: string;
  emailDomain: string;
  email: string;
  homeBranch: number;
  address: AddressSeed;
  vip: boolean;
}

interface AddressSeed {
  latin: { address1: string; address2: string; city: string };
  arabic: { address1: string; address2: string; city: string };
  zip: string;
}

interface RecordState {
  payload: ShopifyCustomer;
  truth: CustomerTruth;
  lastOrderMs: number;
}

const EMAIL_DOMAINS = new WeightedTable(
  ["gmail.com", "hotmail.com", "outlook.com", "yahoo.com", "icloud.com", "outlook.sa", "live.com"],
  [52, 15, 9, 6, 10, 4, 4],
);
const DOMAIN_TYPOS: Record<string, readonly string[]> = {
  "gmail.com": ["gmial.com", "gmail.con", "gamil.com", "gmail.co"],
  "hotmail.com": ["hotmial.com", "hotmail.co", "hotmal.com"],
  "outlook.com": ["outlok.com", "outlook.co"],
  "yahoo.com": ["yaho.com", "yahoo.co"],
  "icloud.com": ["iclod.com", "icloud.co"],
  "outlook.sa": ["outlok.sa"],
  "live.com": ["live.co", "live.cm"],
};

interface CitySeed {
  branch: number;
  city: string;
  cityAr: string;
  zipPrefix: string;
  districts: readonly (readonly [string, string])[];
}
const CITIES: readonly CitySeed[] = [
  { branch: 0, city: "Riyadh", cityAr: "الرياض", zipPrefix: "12", districts: [["Al Olaya", "العليا"], ["Al Malqa", "الملقا"], ["Al Yasmin", "الياسمين"], ["Al Nakheel", "النخيل"], ["Al Sulimaniyah", "السليمانية"], ["Hittin", "حطين"], ["Al Rawdah", "الروضة"], ["Al Narjis", "النرجس"]] },
  { branch: 1, city: "Jeddah", cityAr: "جدة", zipPrefix: "23", districts: [["Al Rawdah", "الروضة"], ["Al Zahra", "الزهراء"], ["Al Safa", "الصفا"], ["Obhur", "أبحر"], ["Al Hamra", "الحمراء"], ["Al Andalus", "الأندلس"]] },
  { branch: 2, city: "Dammam", cityAr: "الدمام", zipPrefix: "32", districts: [["Al Faisaliyah", "الفيصلية"], ["Al Shati", "الشاطئ"], ["Al Mazruiyah", "المزروعية"]] },
  { branch: 2, city: "Khobar", cityAr: "الخبر", zipPrefix: "34", districts: [["Al Aqrabiyah", "العقربية"], ["Al Olaya", "العليا"], ["Al Rakah", "الراكة"]] },
  { branch: 1, city: "Makkah", cityAr: "مكة المكرمة", zipPrefix: "24", districts: [["Al Aziziyah", "العزيزية"], ["Al Awali", "العوالي"]] },
  { branch: 1, city: "Madinah", cityAr: "المدينة المنورة", zipPrefix: "42", districts: [["Quba", "قباء"], ["Al Aziziyah", "العزيزية"]] },
  { branch: 0, city: "Buraydah", cityAr: "بريدة", zipPrefix: "52", districts: [["Al Rayyan", "الريان"]] },
  { branch: 0, city: "Abha", cityAr: "أبها", zipPrefix: "62", districts: [["Al Mansak", "المنسك"]] },
];
const CITY_TABLE = new WeightedTable(CITIES, [40, 28, 10, 7, 5, 4, 3, 3]);
const STREETS: readonly (readonly [string, string])[] = [
  ["King Fahd Rd", "طريق الملك فهد"],
  ["King Abdulaziz Rd", "طريق الملك عبدالعزيز"],
  ["Prince Sultan St", "شارع الأمير سلطان"],
  ["Al Takhassusi St", "شارع التخصصي"],
  ["Omar Bin Al Khattab St", "شارع عمر بن الخطاب"],
  ["Al Madinah Rd", "طريق المدينة"],
  ["Anas Bin Malik Rd", "طريق أنس بن مالك"],
];

const ONLINE_GATEWAYS = new WeightedTable(
  [["mada"], ["apple_pay"], ["visa"], ["mastercard"], ["tabby"], ["tamara"], ["Cash on Delivery (COD)"]],
  [35, 25, 12, 5, 10, 6, 7],
);
const POS_GATEWAYS = new WeightedTable([["mada"], ["cash"], ["apple_pay"], ["visa"]], [45, 25, 20, 10]);
const REFUND_NOTES = ["Wrong size", "مقاس غير مناسب", "Damaged item", "المنتج تالف", "Changed mind", null];
const POS_NOTES = ["يفضل التواصل واتساب", "Prefers WhatsApp", "عميل مميز", "Gift wrapping every visit"];

function sampleDay(ctx: Context, rng: Prng, from: number, to: number): number {
  const low = from === 0 ? 0 : ctx.dayCumulative[from - 1];
  const high = ctx.dayCumulative[to];
  return searchCumulative(ctx.dayCumulative, low + rng.float() * (high - low));
}

function planPerson(ctx: Context, rng: Prng, index: number): PersonPlan {
  const pool = ctx.originTable.pick(rng);
  const female = rng.chance(pool.origin === "saudi" ? 0.55 : 0.45);
  const first = rng.pick(female ? pool.female : pool.male);
  const family = rng.pick(pool.family);
  const father = pool.arabic && rng.chance(0.35) ? rng.pick(pool.origin === "saudi" ? ORIGINS[0].male : pool.male) : null;
  const firstSpelling = pickSpelling(rng, first);
  const familySpelling = pickSpelling(rng, family);
  const mobile = mobileForSlot(index * 2);
  const secondMobile = mobileForSlot(index * 2 + 1);
  const firstToken = emailToken(first.en[firstSpelling]) || "user";
  const familyToken = emailToken(family.en[familySpelling]) || "mail";
  const pattern = rng.int(0, 5);
  const base =
    pattern === 0
      ? `${firstToken}.${familyToken}`
      : pattern === 1
        ? `${firstToken}${familyToken}`
        : pattern === 2
          ? `${firstToken}_${familyToken}`
          : pattern === 3
            ? `${firstToken[0]}.${familyToken}`
            : pattern === 4
              ? firstToken
              : `${familyToken}.${firstToken}`;
  // The trailing digit run is the person index, which makes every person's emails unique.
  const emailLocal = base + String(index + 1);
  const emailDomain = EMAIL_DOMAINS.pick(rng);
  const city = CITY_TABLE.pick(rng);
  const [districtEn, districtAr] = rng.pick(city.districts);
  const [streetEn, streetAr] = rng.pick(STREETS);
  const building = rng.int(1000, 9999);
  return {
    index,
    personId: personIdFor(index),
    pool,
    female,
    first,
    family,
    father,
    firstSpelling,
    familySpelling,
    mobile,
    secondMobile,
    emailLocal,
    emailDomain,
    email: `${emailLocal}@${emailDomain}`,
    homeBranch: city.branch,
    address: {
      latin: { address1: `${building} ${streetEn}`, address2: districtEn, city: city.city },
      arabic: { address1: `${building} ${streetAr}`, address2: `حي ${districtAr}`, city: city.cityAr },
      zip: city.zipPrefix + String(rng.int(100, 999)),
    },
    vip: false,
  };
}

/** "P0000042": stable id of the person with index 41 (zero-based). */
export function personIdFor(index: number): string {
  return "P" + String(index + 1).padStart(7, "0");
}

function latinFamily(plan: PersonPlan, spelling: number, withFather: boolean, fatherSpelling = 0): string {
  const family = plan.family.en[spelling];
  if (!withFather || !plan.father) return family;
  return `${plan.father.en[fatherSpelling]} ${family}`;
}

function maybeCaseSlip(rng: Prng, text: string): string {
  const r = rng.float();
  if (r < 0.03) return text.toLowerCase();
  if (r < 0.04) return text.toUpperCase();
  return text;
}

function emailVariant(rng: Prng, plan: PersonPlan, avoid: ReadonlySet<string>): string {
  for (let attempt = 0; attempt < 6; attempt++) {
    const kind = rng.int(0, 4);
    let local = plan.emailLocal;
    let domain = plan.emailDomain;
    if (kind === 0 && domain === "gmail.com") {
      // Gmail ignores dots: staff or shopper writes the same mailbox differently.
      if (local.includes(".")) local = local.replace(/\./g, "");
      else {
        const letters = local.replace(/\d+$/, "");
        const at = rng.int(1, Math.max(1, letters.length - 1));
        local = local.slice(0, at) + "." + local.slice(at);
      }
    } else if (kind === 1 && (domain === "gmail.com" || domain === "outlook.com" || domain === "icloud.com")) {
      local = `${local}+${rng.pick(["shop", "wafa", "store", "offers"])}`;
    } else if (kind === 2) {
      domain = rng.pick(DOMAIN_TYPOS[domain] ?? ["gmail.con"]);
    } else if (kind === 3 && domain === "gmail.com") {
      domain = "googlemail.com";
    } else {
      // A second mailbox: other pattern, other provider, same index so it stays unique.
      const firstToken = emailToken(plan.first.en[pickSpelling(rng, plan.first)]) || "user";
      const familyToken = emailToken(plan.family.en[pickSpelling(rng, plan.family)]) || "mail";
      local = `${firstToken[0]}${familyToken}${plan.index + 1}`;
      domain = rng.pick(["hotmail.com", "yahoo.com", "icloud.com", "outlook.com"].filter((d) => d !== plan.emailDomain));
    }
    const email = `${local}@${domain}`;
    if (!avoid.has(email)) return email;
  }
  return `${plan.emailLocal}+pos@${plan.emailDomain}`;
}

function makeCustomerAddress(
  plan: PersonPlan,
  customerId: number,
  addressId: number,
  firstName: string | null,
  lastName: string | null,
  arabic: boolean,
  phone: string | null,
  countryName: string,
  countryCode: string,
  cityOnly: boolean,
): ShopifyCustomerAddress {
  const lines = arabic ? plan.address.arabic : plan.address.latin;
  return {
    id: addressId,
    customer_id: customerId,
    first_name: firstName,
    last_name: lastName,
    name: joinName(firstName, lastName),
    company: null,
    address1: cityOnly ? null : lines.address1,
    address2: cityOnly ? null : lines.address2,
    city: lines.city,
    province: null,
    province_code: null,
    country: countryName,
    country_code: countryCode,
    zip: cityOnly ? null : plan.address.zip,
    phone,
    country_name: countryName,
    default: true,
  };
}

function joinName(first: string | null, last: string | null): string | null {
  const name = [first, last].filter((part) => part).join(" ");
  return name || null;
}

/** The customer as embedded in an order: no address list, updated when the order was placed. */
function toOrderCustomer(payload: ShopifyCustomer, updatedAt: string): ShopifyOrderCustomer {
  return {
    id: payload.id,
    admin_graphql_api_id: payload.admin_graphql_api_id,
    email: payload.email,
    phone: payload.phone,
    first_name: payload.first_name,
    last_name: payload.last_name,
    created_at: payload.created_at,
    updated_at: updatedAt,
    state: payload.state,
    note: payload.note,
    verified_email: payload.verified_email,
    multipass_identifier: null,
    tax_exempt: payload.tax_exempt,
    tags: payload.tags,
    currency: payload.currency,
    tax_exemptions: payload.tax_exemptions,
    email_marketing_consent: payload.email_marketing_consent,
    sms_marketing_consent: payload.sms_marketing_consent,
    default_address: payload.default_address,
  };
}

function stripAddress(address: ShopifyCustomerAddress): ShopifyAddress {
  return {
    first_name: address.first_name,
    last_name: address.last_name,
    name: address.name,
    company: address.company,
    address1: address.address1,
    address2: address.address2,
    city: address.city,
    province: address.province,
    province_code: address.province_code,
    country: address.country,
    country_code: address.country_code,
    zip: address.zip,
    phone: address.phone,
  };
}

function newCustomer(
  ctx: Context,
  plan: PersonPlan,
  slot: number,
  createdMs: number,
  fields: {
    email: string | null;
    phone: string | null;
    firstName: string | null;
    lastName: string | null;
    state: ShopifyCustomer["state"];
    note: string | null;
    tags: string;
    subscribed: boolean;
    address: ((customerId: number, addressId: number) => ShopifyCustomerAddress) | null;
  },
): ShopifyCustomer {
  const id = CUSTOMER_ID_BASE + plan.index * RECORDS_PER_PERSON + slot;
  const createdAt = toRiyadhIso(createdMs);
  const address = fields.address ? fields.address(id, ADDRESS_ID_BASE + plan.index * RECORDS_PER_PERSON + slot) : null;
  return {
    id,
    admin_graphql_api_id: gid("Customer", id),
    email: fields.email,
    phone: fields.phone,
    first_name: fields.firstName,
    last_name: fields.lastName,
    created_at: createdAt,
    updated_at: createdAt,
    state: fields.state,
    note: fields.note,
    verified_email: fields.state === "enabled",
    multipass_identifier: null,
    tax_exempt: false,
    tags: fields.tags,
    currency: ctx.currency.code,
    tax_exemptions: [],
    email_marketing_consent: fields.email
      ? {
          state: fields.subscribed ? "subscribed" : "not_subscribed",
          opt_in_level: "single_opt_in",
          consent_updated_at: fields.subscribed ? createdAt : null,
        }
      : null,
    sms_marketing_consent: fields.phone
      ? { state: "not_subscribed", opt_in_level: "single_opt_in", consent_updated_at: null, consent_collected_from: "OTHER" }
      : null,
    addresses: address ? [address] : [],
    default_address: address,
  };
}

function createOnlineRecord(
  ctx: Context,
  rng: Prng,
  plan: PersonPlan,
  slot: number,
  createdMs: number,
  usedPhones: Set<string>,
): RecordState {
  const arabicName = plan.pool.arabic && rng.chance(0.12);
  const withFather = rng.chance(0.25);
  const firstName = arabicName ? plan.first.ar : maybeCaseSlip(rng, plan.first.en[plan.firstSpelling]);
  const lastName = arabicName
    ? withFather && plan.father
      ? `${plan.father.ar} ${plan.family.ar}`
      : plan.family.ar
    : maybeCaseSlip(rng, latinFamily(plan, plan.familySpelling, withFather));
  // Shopify keeps customer phones unique: a number already on the POS record stays off this one.
  const phoneOnRecord = rng.chance(0.3) && !usedPhones.has("+966" + plan.mobile) ? "+966" + plan.mobile : null;
  const addressPhone = rng.chance(0.85) ? formatPhone(plan.mobile, pickFreeTextStyle(rng)) : null;
  const arabicAddress = arabicName || (plan.pool.arabic && rng.chance(0.2));
  const subscribed = rng.chance(0.35);
  const payload = newCustomer(ctx, plan, slot, createdMs, {
    email: plan.email,
    phone: phoneOnRecord,
    firstName,
    lastName,
    state: rng.chance(0.4) ? "enabled" : "disabled",
    note: null,
    tags: subscribed ? "newsletter" : "",
    subscribed,
    address: (customerId, addressId) =>
      makeCustomerAddress(plan, customerId, addressId, firstName, lastName, arabicAddress, addressPhone, "Saudi Arabia", "SA", false),
  });
  return { payload, truth: { personId: plan.personId, role: "online", script: arabicName ? "arabic" : "latin", typo: false }, lastOrderMs: createdMs };
}

/** A record created in a hurry at the till: other spelling or Arabic script, other phone, slips. */
function createPosRecord(
  ctx: Context,
  rng: Prng,
  plan: PersonPlan,
  slot: number,
  createdMs: number,
  role: CustomerRole,
  usedPhones: Set<string>,
  usedEmails: Set<string>,
  branch: Branch,
): RecordState {
  const arabicName = plan.pool.arabic ? rng.chance(0.55) : rng.chance(0.12);
  let firstName: string | null;
  let lastName: string | null;
  if (arabicName) {
    const first = rng.chance(0.35) ? arabicTypingVariant(rng, plan.first.ar) : plan.first.ar;
    const family = rng.chance(0.3) ? arabicTypingVariant(rng, plan.family.ar) : plan.family.ar;
    if (rng.chance(0.15)) {
      firstName = `${first} ${family}`;
      lastName = null;
    } else {
      firstName = first;
      lastName = plan.father && rng.chance(0.3) ? `${plan.father.ar} ${family}` : family;
    }
  } else {
    const firstSpelling = rng.chance(0.6) ? pickSpelling(rng, plan.first, plan.firstSpelling) : plan.firstSpelling;
    const familySpelling = rng.chance(0.6) ? pickSpelling(rng, plan.family, plan.familySpelling) : plan.familySpelling;
    firstName = maybeCaseSlip(rng, plan.first.en[firstSpelling]);
    lastName = rng.chance(0.1) ? null : maybeCaseSlip(rng, plan.family.en[familySpelling]);
  }
  const typo = rng.chance(0.12);
  if (typo) {
    const slip = arabicName ? arabicTypo : latinTypo;
    if (lastName && rng.chance(0.5)) lastName = slip(rng, lastName);
    else if (firstName) firstName = slip(rng, firstName);
  }
  // Shopify keeps customer phones unique, so a second record cannot reuse a number already on
  // another record: staff then type the second SIM, or leave the phone off.
  const main = "+966" + plan.mobile;
  const second = "+966" + plan.secondMobile;
  let phone: string | null = null;
  if (!usedPhones.has(main)) phone = rng.chance(0.88) ? main : null;
  else if (!usedPhones.has(second) && rng.chance(0.55)) phone = second;
  if (phone) usedPhones.add(phone);
  let email: string | null = null;
  if (rng.chance(phone ? 0.25 : 0.6)) {
    email = emailVariant(rng, plan, usedEmails);
    usedEmails.add(email);
  }
  const addressPhone = rng.chance(0.35)
    ? formatPhone(rng.chance(0.8) ? plan.mobile : plan.secondMobile, pickFreeTextStyle(rng, "e164"))
    : null;
  const payload = newCustomer(ctx, plan, slot, createdMs, {
    email,
    phone,
    firstName,
    lastName,
    state: "disabled",
    note: rng.chance(0.08) ? rng.pick(POS_NOTES) : null,
    tags: `pos,${branch.code}`,
    subscribed: false,
    address: addressPhone
      ? (customerId, addressId) => {
          const address = makeCustomerAddress(plan, customerId, addressId, firstName, lastName, arabicName, addressPhone, "Saudi Arabia", "SA", true);
          address.city = arabicName ? branch.cityAr : branch.city;
          return address;
        }
      : null,
  });
  return { payload, truth: { personId: plan.personId, role, script: arabicName ? "arabic" : "latin", typo }, lastOrderMs: createdMs };
}

function pickSegment(rng: Prng): { segment: Segment; count: number } {
  const r = rng.float();
  if (r < 0.55) return { segment: "one_time", count: 1 };
  if (r < 0.82) return { segment: "occasional", count: rng.int(2, 3) };
  if (r < 0.93) return { segment: "regular", count: rng.int(4, 8) };
  if (r < 0.98) return { segment: "frequent", count: rng.int(9, 20) };
  return { segment: "vip", count: Math.min(80, Math.floor(rng.pareto(20, 1.6))) };
}

function buildPerson(ctx: Context, index: number, counters: Counters): PersonBundle {
  const { options } = ctx;
  const rng = new Prng(hashSeed(ctx.seedHash, index));
  const plan = planPerson(ctx, rng, index);
  const { segment, count } = pickSegment(rng);
  plan.vip = segment === "vip";

  // Channel habits: one-time buyers use one channel; the omnichannel share is drawn from repeaters.
  let channelMode: ChannelMode;
  if (count >= 2 && rng.chance(Math.min(1, options.omnichannelRate / 0.45))) channelMode = "omnichannel";
  else channelMode = rng.chance(0.56) ? "online" : "pos";
  // Some branch-only shoppers never give any details (12% at the default walk-in rate of 0.3).
  const anonymous = channelMode === "pos" && rng.chance(0.4 * options.walkInRate);

  // Active window: lapsed shoppers stopped at least six months before now.
  const last = ctx.dayCount - 1;
  let lapsed = count >= 2 && ctx.dayCount > 420 && rng.chance(0.25);
  let fromDay = 0;
  let toDay = last;
  if (count === 1) {
    fromDay = 0;
  } else if (lapsed) {
    fromDay = sampleDay(ctx, rng, 0, ctx.dayCount - 250);
    toDay = Math.min(ctx.dayCount - 190, fromDay + rng.int(60, 420));
    if (toDay < fromDay) lapsed = false;
  } else {
    fromDay = sampleDay(ctx, rng, 0, Math.floor(last * (plan.vip ? 0.4 : 0.85)));
  }
  if (toDay < fromDay) toDay = last;

  const times: number[] = [];
  for (let k = 0; k < count; k++) times.push(sampleDay(ctx, rng, fromDay, toDay));
  times.sort((a, b) => a - b);
  const channels: Channel[] = times.map(() =>
    channelMode === "omnichannel" ? (rng.chance(0.5) ? "online" : "pos") : channelMode,
  );
  if (channelMode === "omnichannel" && channels.every((channel) => channel === channels[0])) {
    const flip = rng.int(0, channels.length - 1);
    channels[flip] = channels[flip] === "online" ? "pos" : "online";
  }

  const reuseOnlineRecord = channelMode === "omnichannel" && rng.chance(0.25);
  const wantsDuplicatePos = rng.chance(0.06);
  const usedPhones = new Set<string>();
  const usedEmails = new Set<string>([plan.email]);
  let online: RecordState | null = null;
  let pos: RecordState | null = null;
  let posDuplicate: RecordState | null = null;
  let onlineOrders = 0;
  const orders: GeneratedOrder[] = [];

  for (let k = 0; k < count; k++) {
    const day = times[k];
    const channel = channels[k];
    const season = ctx.daySeason[day] as Season;
    const ramadan = season === Season.Ramadan || season === Season.RamadanLastTen;
    const hourTable =
      channel === "online"
        ? ramadan
          ? ctx.hourTables.onlineRamadan
          : ctx.hourTables.online
        : ramadan
          ? ctx.hourTables.posRamadan
          : ctx.hourTables.pos;
    const hour = hourTable.pick(rng);
    const ms = riyadhDayStart(ctx.firstDay + day) + hour * 3600_000 + rng.int(0, 3599) * 1000;
    const branchIndex = channel === "pos" ? (rng.chance(0.92) ? plan.homeBranch : rng.int(0, 2)) : -1;
    let record: RecordState | null = null;
    let walkIn = false;
    if (channel === "online") {
      if (!online) {
        const createdMs = rng.chance(0.1) ? Math.max(ctx.startMs, ms - rng.int(1, 90) * DAY_MS) : ms - rng.int(60, 1200) * 1000;
        online = createOnlineRecord(ctx, rng, plan, 0, createdMs, usedPhones);
        if (online.payload.phone) usedPhones.add(online.payload.phone);
      }
      record = online;
    } else {
      walkIn = anonymous || rng.chance(options.walkInRate);
      if (!walkIn) {
        if (reuseOnlineRecord && online) record = online;
        else if (!pos) {
          pos = createPosRecord(ctx, rng, plan, 1, ms - rng.int(30, 240) * 1000, "pos", usedPhones, usedEmails, ctx.branches[branchIndex]);
          record = pos;
        } else if (wantsDuplicatePos && !posDuplicate && rng.chance(0.5)) {
          posDuplicate = createPosRecord(ctx, rng, plan, 2, ms - rng.int(30, 240) * 1000, "pos_duplicate", usedPhones, usedEmails, ctx.branches[branchIndex]);
          record = posDuplicate;
        } else {
          record = posDuplicate && rng.chance(0.5) ? posDuplicate : pos;
        }
      }
    }
    if (record) record.lastOrderMs = Math.max(record.lastOrderMs, ms);
    const order = buildOrder(ctx, rng, plan, counters, {
      ms,
      channel,
      season,
      branchIndex,
      record,
      walkIn,
      firstOnline: channel === "online" && onlineOrders === 0,
    });
    if (channel === "online") onlineOrders++;
    orders.push(order);
  }

  const customers: GeneratedCustomer[] = [];
  for (const state of [online, pos, posDuplicate]) {
    if (!state) continue;
    state.payload.updated_at = toRiyadhIso(state.lastOrderMs);
    customers.push({ payload: state.payload, truth: state.truth });
  }
  customers.sort((a, b) => (a.payload.created_at < b.payload.created_at ? -1 : a.payload.created_at > b.payload.created_at ? 1 : a.payload.id - b.payload.id));

  const person: PersonTruth = {
    personId: plan.personId,
    index,
    origin: plan.pool.origin,
    gender: plan.female ? "female" : "male",
    segment,
    channelMode,
    lapsed,
    anonymous,
    homeBranch: ctx.branches[plan.homeBranch].code,
    firstNameEn: plan.first.en[plan.firstSpelling],
    lastNameEn: plan.family.en[plan.familySpelling],
    firstNameAr: plan.first.ar,
    lastNameAr: plan.family.ar,
    phone: "+966" + plan.mobile,
    secondPhone: "+966" + plan.secondMobile,
    email: plan.email,
  };
  return { person, customers, orders };
}

interface OrderSpec {
  ms: number;
  channel: Channel;
  season: Season;
  branchIndex: number;
  record: RecordState | null;
  walkIn: boolean;
  firstOnline: boolean;
}

interface DraftLine {
  priced: PricedVariant;
  quantity: number;
  grossMinor: number;
  discountMinor: number;
  netMinor: number;
  taxMinor: number;
}

interface RefundPlan {
  atMs: number;
  picks: { line: number; quantity: number }[];
  withShipping: boolean;
  restockType: "return" | "cancel";
  note: string | null;
}

function allLines(drafts: readonly DraftLine[]): { line: number; quantity: number }[] {
  return drafts.map((line, index) => ({ line: index, quantity: line.quantity }));
}

const JUNK_BY_BRANCH: readonly JunkPhone[][] = BRANCH_SEEDS.map((_, index) => JUNK_PHONES.filter((junk) => junk.branchIndex === index));
const SHARED_JUNK: readonly JunkPhone[] = JUNK_PHONES.filter((junk) => junk.branchIndex === null);

/** What staff typed on a walk-in's order: a name and a phone, with the branch's city. */
function walkInAddress(branch: Branch, first: string | null, last: string | null, phone: string | null): ShopifyAddress {
  return {
    first_name: first,
    last_name: last,
    name: joinName(first, last),
    company: null,
    address1: null,
    address2: null,
    city: branch.city,
    province: null,
    province_code: null,
    country: "Saudi Arabia",
    country_code: "SA",
    zip: null,
    phone,
  };
}

function taxOf(ctx: Context, netMinor: number): number {
  const rate = ctx.options.taxRate;
  if (rate === 0 || netMinor === 0) return 0;
  return ctx.options.taxesIncluded ? Math.round((netMinor * rate) / (1 + rate)) : Math.round(netMinor * rate);
}

function buildOrder(ctx: Context, rng: Prng, plan: PersonPlan, counters: Counters, spec: OrderSpec): GeneratedOrder {
  const { fmt, set, taxLine } = ctx;
  const code = ctx.currency.code;
  const online = spec.channel === "online";
  const sequence = counters.order++;
  const orderId = ORDER_ID_BASE + sequence;
  const orderNumber = FIRST_ORDER_NUMBER + sequence;
  const createdAt = toRiyadhIso(spec.ms);

  // Lines
  const lineCount = 1 + rng.geometric(online ? 0.42 : 0.35, 5);
  const drafts: DraftLine[] = [];
  const table = ctx.productTables[spec.season];
  for (let k = 0; k < lineCount; k++) {
    const variants = ctx.variantsByProduct[table.pickIndex(rng)];
    const priced = variants.length === 1 ? variants[0] : rng.pick(variants);
    const bulky = priced.product.category === "dates" || priced.product.category === "coffee";
    const quantity = rng.chance(bulky ? 0.35 : 0.18) ? 2 + rng.geometric(0.35, 4) : 1;
    const existing = drafts.find((line) => line.priced === priced);
    if (existing) existing.quantity += quantity;
    else drafts.push({ priced, quantity, grossMinor: 0, discountMinor: 0, netMinor: 0, taxMinor: 0 });
  }
  let lineItemsTotal = 0;
  for (const line of drafts) {
    line.grossMinor = line.priced.priceMinor * line.quantity;
    lineItemsTotal += line.grossMinor;
  }

  // Discount code: seasonal campaigns, a welcome code on the first online order, evergreen codes.
  let discount: DiscountCodeSpec | null = null;
  const seasonal = ctx.seasonCodes[spec.season];
  if (seasonal && rng.chance(0.3)) discount = seasonal;
  else if (spec.firstOnline && rng.chance(0.25)) discount = ctx.codes[0];
  else if (rng.chance(0.04)) discount = rng.pick(ctx.codes.slice(1, 3));
  if (discount && lineItemsTotal < discount.minimumMinor) discount = null;
  let discountTotal = 0;
  if (discount) {
    discountTotal =
      discount.type === "percentage"
        ? Math.round((lineItemsTotal * discount.value) / 100)
        : Math.min(discount.value, lineItemsTotal);
    // Allocate across lines in proportion to their value; rounding leftovers go line by line.
    let allocated = 0;
    for (const line of drafts) {
      line.discountMinor = Math.floor((discountTotal * line.grossMinor) / lineItemsTotal);
      allocated += line.discountMinor;
    }
    for (let k = 0; allocated < discountTotal; k = (k + 1) % drafts.length) {
      if (drafts[k].discountMinor < drafts[k].grossMinor) {
        drafts[k].discountMinor++;
        allocated++;
      }
    }
  }
  let subtotal = 0;
  let lineTaxTotal = 0;
  for (const line of drafts) {
    line.netMinor = line.grossMinor - line.discountMinor;
    line.taxMinor = taxOf(ctx, line.netMinor);
    subtotal += line.netMinor;
    lineTaxTotal += line.taxMinor;
  }

  // Shipping (online only): free above the threshold, express always paid.
  let shippingMinor = 0;
  let shippingTitle = "";
  if (online) {
    const express = rng.chance(0.15);
    shippingTitle = express ? "Express — Aramex" : "Standard — SMSA";
    shippingMinor = express ? ctx.shippingExpressMinor : subtotal >= ctx.freeShippingMinor ? 0 : ctx.shippingStandardMinor;
  }
  const shippingTax = taxOf(ctx, shippingMinor);
  const totalTax = lineTaxTotal + shippingTax;
  const totalPrice = subtotal + shippingMinor + (ctx.options.taxesIncluded ? 0 : totalTax);

  const gateways = (online ? ONLINE_GATEWAYS : POS_GATEWAYS).pick(rng);
  const gateway = gateways[0];
  const branch = spec.branchIndex >= 0 ? ctx.branches[spec.branchIndex] : null;
  const locationId = branch ? branch.location.id : null;

  const fulfilled = !online || spec.ms < ctx.nowMs - 2 * DAY_MS;
  const lineItems: ShopifyLineItem[] = drafts.map((line) => {
    const id = LINE_ITEM_ID_BASE + counters.lineItem++;
    const variantTitle = line.priced.variant.title === "Default Title" ? null : line.priced.variant.title;
    const allocations: ShopifyDiscountAllocation[] =
      line.discountMinor > 0 ? [{ amount: fmt(line.discountMinor), amount_set: set(line.discountMinor), discount_application_index: 0 }] : [];
    return {
      id,
      admin_graphql_api_id: gid("LineItem", id),
      product_id: line.priced.productId,
      variant_id: line.priced.variantId,
      sku: line.priced.sku,
      title: line.priced.product.titleEn,
      variant_title: variantTitle,
      name: variantTitle ? `${line.priced.product.titleEn} - ${variantTitle}` : line.priced.product.titleEn,
      vendor: line.priced.product.vendor,
      quantity: line.quantity,
      current_quantity: line.quantity,
      fulfillable_quantity: fulfilled ? 0 : line.quantity,
      price: fmt(line.priced.priceMinor),
      price_set: set(line.priced.priceMinor),
      total_discount: fmt(line.discountMinor),
      total_discount_set: set(line.discountMinor),
      discount_allocations: allocations,
      tax_lines: taxLine(line.taxMinor),
      taxable: true,
      requires_shipping: online,
      gift_card: false,
      fulfillment_status: fulfilled ? "fulfilled" : null,
    };
  });

  // Who is on the order: the customer record, or what staff typed for a walk-in.
  const record = spec.record;
  let email: string | null = null;
  let phone: string | null = null;
  let billing: ShopifyAddress | null = null;
  let shipping: ShopifyAddress | null = null;
  let junkPhone: string | null = null;
  let customer: ShopifyOrderCustomer | null = null;
  let locale = plan.pool.arabic ? "ar" : "en";
  if (record) {
    customer = toOrderCustomer(record.payload, createdAt);
    email = record.payload.email;
    phone = record.payload.phone;
    if (record.truth.script === "arabic") locale = "ar";
    if (online && record.payload.default_address) {
      billing = stripAddress(record.payload.default_address);
      shipping = billing;
      if (rng.chance(0.1)) {
        // A gift: shipped to a relative with the same family name.
        const relative = rng.pick(rng.chance(0.5) ? plan.pool.female : plan.pool.male);
        const arabic = record.truth.script === "arabic";
        const firstName = arabic ? relative.ar : relative.en[0];
        shipping = { ...billing, first_name: firstName, name: joinName(firstName, billing.last_name) };
      }
    } else if (online) {
      billing = {
        first_name: record.payload.first_name,
        last_name: record.payload.last_name,
        name: joinName(record.payload.first_name, record.payload.last_name),
        company: null,
        address1: plan.address.latin.address1,
        address2: plan.address.latin.address2,
        city: plan.address.latin.city,
        province: null,
        province_code: null,
        country: "Saudi Arabia",
        country_code: "SA",
        zip: plan.address.zip,
        phone: formatPhone(plan.mobile, pickFreeTextStyle(rng)),
      };
      shipping = billing;
    }
  } else if (spec.walkIn && branch) {
    if (rng.chance(ctx.options.junkPhoneRate)) {
      const own = JUNK_BY_BRANCH[branch.index];
      const junk: JunkPhone = own.length > 0 && rng.chance(0.5) ? rng.pick(own) : rng.pick(SHARED_JUNK);
      junkPhone = junk.raw;
      const name = rng.chance(0.45) ? rng.pick(JUNK_NAMES) : null;
      billing = walkInAddress(branch, name ? name.first : null, name ? name.last : null, junk.raw);
      if (rng.chance(0.2)) email = rng.pick(JUNK_EMAILS);
    } else {
      const r = rng.float();
      if (r < 0.2) {
        // Staff typed the shopper's real number (in whatever format) for the receipt.
        const arabic = plan.pool.arabic && rng.chance(0.5);
        const style: PhoneStyle = pickFreeTextStyle(rng);
        billing = walkInAddress(
          branch,
          rng.chance(0.6) ? (arabic ? plan.first.ar : plan.first.en[pickSpelling(rng, plan.first)]) : null,
          rng.chance(0.4) ? (arabic ? plan.family.ar : plan.family.en[pickSpelling(rng, plan.family)]) : null,
          formatPhone(plan.mobile, style),
        );
        if (rng.chance(0.5)) phone = "+966" + plan.mobile;
      } else if (r < 0.32) {
        email = rng.chance(0.7) ? plan.email : emailVariant(rng, plan, new Set([plan.email]));
      }
    }
  }

  // Cancellation and refunds
  let cancelledAt: string | null = null;
  let cancelReason: ShopifyOrder["cancel_reason"] = null;
  const refunds: ShopifyRefund[] = [];
  let updatedMs = spec.ms;
  let refundedTransactions = 0;
  let refundedSubtotal = 0;
  let refundedTax = 0;
  let refundedDiscounts = 0;
  const refundedQuantities: number[] = new Array(drafts.length).fill(0);
  let refundPlan: RefundPlan | null = null;
  const cancelled =
    rng.chance(online ? 0.012 : 0.003) && gateway !== "Cash on Delivery (COD)" ? spec.ms + rng.int(600, 36 * 3600) * 1000 : 0;
  if (cancelled && cancelled < ctx.nowMs) {
    cancelledAt = toRiyadhIso(cancelled);
    cancelReason = rng.pick(["customer", "customer", "inventory", "declined", "other"] as const);
    refundPlan = { atMs: cancelled, picks: allLines(drafts), withShipping: true, restockType: "cancel", note: null };
  } else if (rng.chance(online ? 0.05 : 0.03)) {
    const atMs = spec.ms + (online ? rng.int(3, 20) : rng.int(0, 14)) * DAY_MS + rng.int(0, 8 * 3600) * 1000;
    if (atMs < ctx.nowMs) {
      const note = rng.pick(REFUND_NOTES);
      if (rng.chance(0.4)) {
        refundPlan = { atMs, picks: allLines(drafts), withShipping: rng.chance(0.7), restockType: "return", note };
      } else {
        const lineIndex = rng.int(0, drafts.length - 1);
        const quantity = drafts[lineIndex].quantity > 1 && rng.chance(0.5) ? rng.int(1, drafts[lineIndex].quantity - 1) : drafts[lineIndex].quantity;
        refundPlan = { atMs, picks: [{ line: lineIndex, quantity }], withShipping: false, restockType: "return", note };
      }
    }
  }
  if (refundPlan) {
    const refundId = REFUND_ID_BASE + counters.refund++;
    const refundAt = toRiyadhIso(refundPlan.atMs);
    let transaction = 0;
    const refundLines = refundPlan.picks.map(({ line: lineIndex, quantity }) => {
      const line = drafts[lineIndex];
      const discountShare = quantity === line.quantity ? line.discountMinor : Math.round((line.discountMinor * quantity) / line.quantity);
      const lineSubtotal = line.priced.priceMinor * quantity - discountShare;
      const lineTax = quantity === line.quantity ? line.taxMinor : Math.round((line.taxMinor * quantity) / line.quantity);
      transaction += lineSubtotal + (ctx.options.taxesIncluded ? 0 : lineTax);
      refundedSubtotal += lineSubtotal;
      refundedTax += lineTax;
      refundedDiscounts += discountShare;
      refundedQuantities[lineIndex] += quantity;
      const id = REFUND_LINE_ID_BASE + counters.refundLine++;
      return {
        id,
        line_item_id: lineItems[lineIndex].id,
        quantity,
        restock_type: refundPlan.restockType,
        location_id: locationId,
        subtotal: fmt(lineSubtotal),
        subtotal_set: set(lineSubtotal),
        total_tax: fmt(lineTax),
        total_tax_set: set(lineTax),
      };
    });
    const adjustments: ShopifyRefund["order_adjustments"] = [];
    if (refundPlan.withShipping && shippingMinor > 0) {
      transaction += shippingMinor + (ctx.options.taxesIncluded ? 0 : shippingTax);
      refundedTax += shippingTax;
      const id = ADJUSTMENT_ID_BASE + counters.adjustment++;
      adjustments.push({
        id,
        order_id: orderId,
        refund_id: refundId,
        amount: fmt(-shippingMinor),
        amount_set: set(-shippingMinor),
        tax_amount: fmt(-shippingTax),
        tax_amount_set: set(-shippingTax),
        kind: "shipping_refund",
        reason: "Shipping refund",
      });
    }
    refundedTransactions += transaction;
    const transactionId = TRANSACTION_ID_BASE + counters.transaction++;
    refunds.push({
      id: refundId,
      admin_graphql_api_id: gid("Refund", refundId),
      order_id: orderId,
      created_at: refundAt,
      processed_at: refundAt,
      note: refundPlan.note,
      restock: true,
      user_id: branch ? STAFF_ID_BASE + branch.index * 10 + rng.int(0, 3) : null,
      refund_line_items: refundLines,
      transactions: [
        {
          id: transactionId,
          admin_graphql_api_id: gid("OrderTransaction", transactionId),
          order_id: orderId,
          parent_id: null,
          kind: "refund",
          status: "success",
          gateway,
          amount: fmt(transaction),
          currency: code,
          created_at: refundAt,
          processed_at: refundAt,
          location_id: locationId,
        },
      ],
      order_adjustments: adjustments,
    });
    updatedMs = Math.max(updatedMs, refundPlan.atMs);
  }
  for (let lineIndex = 0; lineIndex < lineItems.length; lineIndex++) {
    lineItems[lineIndex].current_quantity = lineItems[lineIndex].quantity - refundedQuantities[lineIndex];
  }
  if (cancelledAt) for (const item of lineItems) item.fulfillment_status = null;

  const currentTotal = totalPrice - refundedTransactions;
  const financialStatus: ShopifyOrder["financial_status"] =
    refundedTransactions === 0 ? "paid" : currentTotal === 0 ? "refunded" : "partially_refunded";
  const tags: string[] = [];
  if (discount?.season !== null && discount?.season !== undefined) tags.push(discount.code.toLowerCase());
  if (branch) tags.push(branch.code);
  const payload: ShopifyOrder = {
    id: orderId,
    admin_graphql_api_id: gid("Order", orderId),
    name: `#${orderNumber}`,
    number: sequence + 1,
    order_number: orderNumber,
    email,
    contact_email: email,
    phone,
    created_at: createdAt,
    updated_at: toRiyadhIso(updatedMs),
    processed_at: createdAt,
    closed_at: cancelledAt ?? (online ? null : createdAt),
    cancelled_at: cancelledAt,
    cancel_reason: cancelReason,
    test: false,
    confirmed: true,
    currency: code,
    presentment_currency: code,
    taxes_included: ctx.options.taxesIncluded,
    tax_exempt: false,
    financial_status: financialStatus,
    fulfillment_status: cancelledAt || !fulfilled ? null : "fulfilled",
    source_name: online ? "web" : "pos",
    location_id: locationId,
    user_id: branch ? STAFF_ID_BASE + branch.index * 10 + rng.int(0, 3) : null,
    device_id: branch ? DEVICE_ID_BASE + branch.index * 10 + rng.int(0, 1) : null,
    customer_locale: locale,
    buyer_accepts_marketing: record?.payload.email_marketing_consent?.state === "subscribed",
    total_line_items_price: fmt(lineItemsTotal),
    total_line_items_price_set: set(lineItemsTotal),
    total_discounts: fmt(discountTotal),
    total_discounts_set: set(discountTotal),
    subtotal_price: fmt(subtotal),
    subtotal_price_set: set(subtotal),
    total_shipping_price_set: set(shippingMinor),
    total_tax: fmt(totalTax),
    total_tax_set: set(totalTax),
    total_price: fmt(totalPrice),
    total_price_set: set(totalPrice),
    total_outstanding: fmt(0),
    current_subtotal_price: fmt(subtotal - refundedSubtotal),
    current_subtotal_price_set: set(subtotal - refundedSubtotal),
    current_total_discounts: fmt(discountTotal - refundedDiscounts),
    current_total_discounts_set: set(discountTotal - refundedDiscounts),
    current_total_tax: fmt(totalTax - refundedTax),
    current_total_tax_set: set(totalTax - refundedTax),
    current_total_price: fmt(currentTotal),
    current_total_price_set: set(currentTotal),
    tax_lines: taxLine(totalTax),
    discount_codes: discount ? [{ code: discount.code, amount: fmt(discountTotal), type: discount.type }] : [],
    discount_applications: discount
      ? [
          {
            type: "discount_code",
            code: discount.code,
            title: discount.title,
            description: null,
            value: discount.type === "percentage" ? discount.value.toFixed(1) : fmt(discount.value),
            value_type: discount.type,
            allocation_method: "across",
            target_selection: "all",
            target_type: "line_item",
          },
        ]
      : [],
    payment_gateway_names: gateways,
    note: null,
    note_attributes: online && rng.chance(0.08) ? [{ name: "gift_wrap", value: "yes" }] : [],
    tags: tags.join(", "),
    customer,
    billing_address: billing,
    shipping_address: online ? shipping : null,
    shipping_lines: online
      ? [
          {
            id: SHIPPING_LINE_ID_BASE + counters.shippingLine++,
            title: shippingTitle,
            code: shippingTitle.startsWith("Express") ? "express" : "standard",
            source: "shopify",
            price: fmt(shippingMinor),
            price_set: set(shippingMinor),
            discounted_price: fmt(shippingMinor),
            discounted_price_set: set(shippingMinor),
            discount_allocations: [],
            tax_lines: taxLine(shippingTax),
          },
        ]
      : [],
    line_items: lineItems,
    refunds,
  };
  return {
    payload,
    truth: {
      personId: plan.personId,
      channel: spec.channel,
      branch: branch ? branch.code : null,
      customerId: record ? record.payload.id : null,
      walkIn: !record && !online,
      junkPhone,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Public iterators

/**
 * One bundle per person, in person order: the person's truth, their customer records (final
 * state) and their orders (oldest first). Order ids and names are numbered in yield order.
 */
export function* iteratePersons(options: DemoDataOptions = {}): Generator<PersonBundle, void, undefined> {
  const ctx = getContext(options);
  const counters: Counters = { order: 0, lineItem: 0, shippingLine: 0, refund: 0, refundLine: 0, transaction: 0, adjustment: 0 };
  for (let index = 0; index < ctx.options.customers; index++) {
    yield buildPerson(ctx, index, counters);
  }
}

/** Every Shopify customer record (customers/create shape, final state) with its true person. */
export function* iterateCustomers(options: DemoDataOptions = {}): Generator<GeneratedCustomer, void, undefined> {
  for (const bundle of iteratePersons(options)) yield* bundle.customers;
}

/** Every order (orders/create shape, refunds embedded) with its true person, person by person. */
export function* iterateOrders(options: DemoDataOptions = {}): Generator<GeneratedOrder, void, undefined> {
  for (const bundle of iteratePersons(options)) yield* bundle.orders;
}

// ---------------------------------------------------------------------------------------------
// CSV import format: order history "from a previous POS system"

export const LEGACY_CSV_COLUMNS = [
  "order_id",
  "created_at",
  "channel",
  "branch",
  "customer_id",
  "email",
  "phone",
  "first_name",
  "last_name",
  "sku",
  "title",
  "quantity",
  "unit_price",
  "currency",
] as const;

export type LegacyCsvRow = Record<(typeof LEGACY_CSV_COLUMNS)[number], string>;

export interface GeneratedLegacyRow {
  row: LegacyCsvRow;
  truth: { personId: string; orderId: string };
}

const catalogBySku = new Map<string, CatalogProduct>();
for (const product of CATALOG) for (const variant of product.variants) catalogBySku.set(variantSku(product, variant), product);

/**
 * One row per order line for every order that was not cancelled, with "LEGACY-" order ids so they
 * never collide with Shopify's. Phones come out the way an old POS stored them: any format,
 * Arabic-Indic digits included; titles in Arabic or English.
 */
export function* iterateLegacyRows(options: DemoDataOptions = {}): Generator<GeneratedLegacyRow, void, undefined> {
  const ctx = getContext(options);
  for (const bundle of iteratePersons(options)) {
    for (const order of bundle.orders) yield* legacyRowsOf(ctx, order);
  }
}

/** The CSV rows of one generated order (none for a cancelled order); deterministic per order. */
export function createLegacyRowMapper(options: DemoDataOptions = {}): (order: GeneratedOrder) => GeneratedLegacyRow[] {
  const ctx = getContext(options);
  return (order) => legacyRowsOf(ctx, order);
}

function legacyRowsOf(ctx: Context, order: GeneratedOrder): GeneratedLegacyRow[] {
  const { payload, truth } = order;
  if (payload.cancelled_at) return [];
  const rng = new Prng(hashSeed(ctx.seedHash, payload.order_number, 0x1e6a));
  const customer = payload.customer;
  const address = payload.billing_address ?? customer?.default_address ?? null;
  let phone = customer?.phone ?? address?.phone ?? payload.phone ?? "";
  if (phone.startsWith("+966") && rng.chance(0.7)) phone = formatPhone(phone.slice(4), pickFreeTextStyle(rng));
  let email = customer?.email ?? payload.email ?? "";
  if (email && rng.chance(0.08)) email = email[0].toUpperCase() + email.slice(1);
  const firstName = customer?.first_name ?? address?.first_name ?? "";
  const lastName = customer?.last_name ?? address?.last_name ?? "";
  const branch = ctx.branches.find((candidate) => candidate.location.id === payload.location_id);
  const arabicTitles = rng.chance(0.4);
  const orderId = `LEGACY-${payload.order_number}`;
  return payload.line_items.map((item) => ({
    row: {
      order_id: orderId,
      created_at: payload.created_at,
      channel: payload.source_name === "pos" ? "pos" : "online",
      branch: branch ? branch.nameEn : "",
      customer_id: customer ? `C-${customer.id - CUSTOMER_ID_BASE}` : "",
      email,
      phone,
      first_name: firstName,
      last_name: lastName,
      sku: item.sku,
      title: arabicTitles ? (catalogBySku.get(item.sku)?.titleAr ?? item.title) : item.title,
      quantity: String(item.quantity),
      unit_price: item.price,
      currency: payload.currency,
    },
    truth: { personId: truth.personId, orderId },
  }));
}

/** RFC 4180 field quoting: quote when the value holds a comma, quote, CR or LF. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toCsvLine(row: LegacyCsvRow): string {
  let line = "";
  for (let i = 0; i < LEGACY_CSV_COLUMNS.length; i++) {
    if (i > 0) line += ",";
    line += csvField(row[LEGACY_CSV_COLUMNS[i]]);
  }
  return line + "\n";
}

export const LEGACY_CSV_HEADER = LEGACY_CSV_COLUMNS.join(",") + "\n";
