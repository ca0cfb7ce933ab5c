import { normalizeAddress, normalizeCity, normalizePostcode } from "./address";
import { normalizeEmail } from "./email";
import { NameTokenTable, toNameParts, toNormalizedName, type NameParts, type NameToken } from "./name";
import { isPlaceholderNumber, normalizePhone, toSaudiMobileE164 } from "./phone";
import { foldText, toAsciiDigits } from "./text";

/** A customer record as it arrives (CSV row, Shopify customer, POS order). Any field may be absent. */
export interface RawIdentityRecord {
  id: string;
  first_name?: string;
  last_name?: string;
  full_name?: string;
  email?: string;
  phone?: string;
  address1?: string;
  address2?: string;
  city?: string;
  province?: string;
  postcode?: string;
  country?: string;
  birth_date?: string;
  external_id?: string;
}

/** What matching needs of a record; strings shared between records are interned. */
export interface NormalizedIdentityRecord {
  id: string;
  first: NameToken | null;
  middle: NameToken | null;
  last: NameToken | null;
  /** `last` may be a father's name (see NormalizedName); absent means false. */
  lastUncertain?: boolean;
  /** Canonical email, or null when absent or malformed. Placeholders are kept: junk rules drop them. */
  email: string | null;
  /** Valid phone in E.164, or null. Placeholders are kept: junk rules drop them. */
  phone: string | null;
  /** A phone that did not parse, kept as written (never links, shown to the merchant). */
  phoneAsWritten: string | null;
  externalId: string | null;
  city: string | null;
  postcode: string | null;
  address: string | null;
  /** yyyymmdd, 0 when unknown. */
  birthDate: number;
}

/** Per-dataset caches: interned name tokens and memoized field normalizations. */
export class NormalizationContext {
  readonly names = new NameTokenTable();
  private readonly strings = new Map<string, string>();
  private readonly cityCache = new Map<string, string | null>();
  private readonly phoneCache = new Map<string, ReturnType<typeof normalizePhone>>();
  private readonly nameCache = new Map<string, NameParts>();
  private readonly addressCache = new Map<string, string | null>();

  constructor(readonly defaultCountry: string) {}

  /** Returns the one shared copy of a repeated string (cities, postcodes). */
  intern(s: string): string {
    const hit = this.strings.get(s);
    if (hit !== undefined) return hit;
    if (this.strings.size < 2_000_000) this.strings.set(s, s);
    return s;
  }

  city(raw: string): string | null {
    let hit = this.cityCache.get(raw);
    if (hit === undefined) {
      hit = normalizeCity(raw);
      if (hit !== null) hit = this.intern(hit);
      if (this.cityCache.size > 100_000) this.cityCache.clear();
      this.cityCache.set(raw, hit);
    }
    return hit;
  }

  /** Name tokens of a raw name field; names repeat heavily, so this is memoized. */
  nameTokens(raw: string): NameParts {
    let hit = this.nameCache.get(raw);
    if (hit === undefined) {
      hit = toNameParts(raw);
      if (this.nameCache.size > 200_000) this.nameCache.clear();
      this.nameCache.set(raw, hit);
    }
    return hit;
  }

  address(a1: string | undefined, a2: string | undefined): string | null {
    if (!a1 && !a2) return null;
    const key = a2 ? `${a1 ?? ""}\u0000${a2}` : (a1 as string);
    let hit = this.addressCache.get(key);
    if (hit === undefined) {
      hit = normalizeAddress(a1, a2);
      if (this.addressCache.size > 100_000) this.addressCache.clear();
      this.addressCache.set(key, hit);
    }
    return hit;
  }

  phone(raw: string, country: string): ReturnType<typeof normalizePhone> {
    if (country === "SA") {
      // Most numbers in a Saudi shop are mobiles: no regex, no cache, no libphonenumber.
      const fast = toSaudiMobileE164(raw);
      if (fast) return { value: fast, linkable: !isPlaceholderNumber(fast.slice(4)), valid: true };
    }
    // Same digits, same result: "050 123 4567", "050-123-4567" and "٠٥٠١٢٣٤٥٦٧" share one parse.
    const cleaned = raw.replace(/[\s\-().]/g, "");
    const key = country === this.defaultCountry ? cleaned : `${country}|${cleaned}`;
    let hit = this.phoneCache.get(key);
    if (hit === undefined) {
      hit = normalizePhone(cleaned, country);
      if (hit && !hit.valid) hit = { ...hit, value: raw.trim() };
      if (this.phoneCache.size > 200_000) this.phoneCache.clear();
      this.phoneCache.set(key, hit);
    }
    return hit;
  }
}

const COUNTRY_NAMES: Record<string, string> = {
  "saudi arabia": "SA", ksa: "SA", "السعوديه": "SA", "المملكه العربيه السعوديه": "SA",
  "united arab emirates": "AE", uae: "AE", "الامارات": "AE", kuwait: "KW", "الكويت": "KW",
  qatar: "QA", "قطر": "QA", bahrain: "BH", "البحرين": "BH", oman: "OM", "عمان": "OM",
  egypt: "EG", "مصر": "EG", jordan: "JO", "الاردن": "JO",
};

/** ISO 3166 alpha-2 code of a country field ("SA", "Saudi Arabia", "السعودية"), or null. */
const countryCache = new Map<string, string | null>();

export function parseCountry(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const hit = countryCache.get(raw);
  if (hit !== undefined) return hit;
  const code = parseCountryUncached(raw);
  if (countryCache.size < 10_000) countryCache.set(raw, code);
  return code;
}

function parseCountryUncached(raw: string): string | null {
  const t = raw.trim();
  if (/^[A-Za-z]{2}$/.test(t)) return t.toUpperCase();
  return COUNTRY_NAMES[foldText(t).replace(/\s+/g, " ")] ?? null;
}

/** Birth date as yyyymmdd from ISO (1990-04-21), d/m/y (21/04/1990) or compact forms; 0 if unknown. */
export function parseBirthDate(raw: string | null | undefined): number {
  if (!raw) return 0;
  const t = toAsciiDigits(raw.trim());
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})/.exec(t);
  let y: number, mo: number, d: number;
  if (m) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if ((m = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(t))) [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(t))) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else return 0;
  if (y < 1900 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > 31) return 0;
  return y * 10000 + mo * 100 + d;
}

/**
 * Normalizes one raw record. Never throws: unusable fields become null, so a record with
 * nothing usable is simply a record that links to nobody.
 */
export function normalizeIdentityRecord(
  raw: RawIdentityRecord,
  ctx: NormalizationContext,
): NormalizedIdentityRecord {
  const country = parseCountry(raw.country) ?? ctx.defaultCountry;
  const name = toNormalizedName(ctx.names, raw.first_name, raw.last_name, raw.full_name, (s) => ctx.nameTokens(s));
  const email = normalizeEmail(raw.email);
  const phone = raw.phone ? ctx.phone(raw.phone, country) : null;
  const city = raw.city ? ctx.city(raw.city) : null;
  const postcode = normalizePostcode(raw.postcode, country);
  const address = ctx.address(raw.address1, raw.address2);
  const externalId = raw.external_id?.trim() || null;
  return {
    id: raw.id,
    first: name.first,
    middle: name.middle,
    last: name.last,
    lastUncertain: name.lastUncertain,
    email: email ? email.value : null,
    phone: phone && phone.valid ? phone.value : null,
    phoneAsWritten: phone && !phone.valid ? phone.value : null,
    externalId,
    city,
    postcode: postcode ? ctx.intern(postcode) : null,
    address,
    birthDate: parseBirthDate(raw.birth_date),
  };
}

/** True when a record has nothing matching can use (no name, no linkable contact, no id). */
export function isUnusableRecord(r: NormalizedIdentityRecord): boolean {
  return !r.first && !r.last && !r.email && !r.phone && !r.externalId;
}
