/**
 * Saudi mobile numbers as shoppers and staff really write them, plus the "junk" numbers staff type
 * for walk-ins. A number is kept as its 9-digit national significant number ("5XXXXXXXX").
 */
import type { Prng } from "./prng";

export type PhoneStyle =
  | "e164" // +966501234567 (what Shopify stores in customer.phone)
  | "local" // 0501234567
  | "local_spaced" // 050 123 4567
  | "local_dashed" // 050-123-4567
  | "intl_spaced" // +966 50 123 4567
  | "intl_00" // 00966501234567
  | "intl_no_plus" // 966501234567
  | "nsn" // 501234567
  | "arabic_indic" // ٠٥٠١٢٣٤٥٦٧
  | "arabic_indic_intl" // +٩٦٦٥٠١٢٣٤٥٦٧
  | "persian_digits"; // ۰۵۰۱۲۳۴۵۶۷ (Urdu/Persian keyboards)

export const PHONE_STYLES: readonly PhoneStyle[] = [
  "e164",
  "local",
  "local_spaced",
  "local_dashed",
  "intl_spaced",
  "intl_00",
  "intl_no_plus",
  "nsn",
  "arabic_indic",
  "arabic_indic_intl",
  "persian_digits",
];

/** How often each style is typed into a free-text phone field (address, order, legacy POS). */
const FREE_TEXT_WEIGHTS: Record<PhoneStyle, number> = {
  e164: 10,
  local: 38,
  local_spaced: 6,
  local_dashed: 2,
  intl_spaced: 12,
  intl_00: 8,
  intl_no_plus: 4,
  nsn: 8,
  arabic_indic: 8,
  arabic_indic_intl: 2,
  persian_digits: 2,
};
const STYLE_CUMULATIVE: number[] = [];
{
  let sum = 0;
  for (const style of PHONE_STYLES) {
    sum += FREE_TEXT_WEIGHTS[style];
    STYLE_CUMULATIVE.push(sum);
  }
}

export function pickFreeTextStyle(rng: Prng, avoid?: PhoneStyle): PhoneStyle {
  for (let attempt = 0; attempt < 4; attempt++) {
    const target = rng.float() * STYLE_CUMULATIVE[STYLE_CUMULATIVE.length - 1];
    let i = 0;
    while (STYLE_CUMULATIVE[i] <= target) i++;
    const style = PHONE_STYLES[i];
    if (style !== avoid) return style;
  }
  return avoid === "local" ? "intl_spaced" : "local";
}

const MOBILE_PREFIXES = ["50", "53", "54", "55", "56", "58", "59"] as const;
const TAILS_PER_PREFIX = 10_000_000;
/** Distinct mobile numbers available: 7 prefixes x 10^7 seven-digit tails. */
export const MOBILE_SPACE = MOBILE_PREFIXES.length * TAILS_PER_PREFIX;
/** Numbers staff type as junk; a person who would get one is moved to the unused prefix 57. */
const JUNK_MOBILES = new Set(["500000000", "555555555", "501234567", "550000000", "566666666"]);

/**
 * The 9-digit national number ("5XXXXXXXX") of a mobile slot. Slots map through a bijection of
 * 0..MOBILE_SPACE-1 (multiplier coprime to 2, 5 and 7), so no two slots ever share a number.
 */
export function mobileForSlot(slot: number): string {
  const value = ((slot % MOBILE_SPACE) * 7_368_787 + 31_415_926) % MOBILE_SPACE;
  const prefix = MOBILE_PREFIXES[Math.floor(value / TAILS_PER_PREFIX)];
  const tail = String(value % TAILS_PER_PREFIX).padStart(7, "0");
  const nsn = prefix + tail;
  return JUNK_MOBILES.has(nsn) ? "57" + tail : nsn;
}

const ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩";
const PERSIAN = "۰۱۲۳۴۵۶۷۸۹";

export function toArabicIndicDigits(text: string): string {
  return text.replace(/[0-9]/g, (d) => ARABIC_INDIC[d.charCodeAt(0) - 48]);
}

function toPersianDigits(text: string): string {
  return text.replace(/[0-9]/g, (d) => PERSIAN[d.charCodeAt(0) - 48]);
}

/** Formats a 9-digit Saudi NSN ("501234567") or a 9-digit landline NSN ("112345678"). */
export function formatPhone(nsn: string, style: PhoneStyle): string {
  const local = "0" + nsn;
  switch (style) {
    case "e164":
      return "+966" + nsn;
    case "local":
      return local;
    case "local_spaced":
      return `${local.slice(0, 3)} ${local.slice(3, 6)} ${local.slice(6)}`;
    case "local_dashed":
      return `${local.slice(0, 3)}-${local.slice(3, 6)}-${local.slice(6)}`;
    case "intl_spaced":
      return `+966 ${nsn.slice(0, 2)} ${nsn.slice(2, 5)} ${nsn.slice(5)}`;
    case "intl_00":
      return "00966" + nsn;
    case "intl_no_plus":
      return "966" + nsn;
    case "nsn":
      return nsn;
    case "arabic_indic":
      return toArabicIndicDigits(local);
    case "arabic_indic_intl":
      return "+" + toArabicIndicDigits("966" + nsn);
    case "persian_digits":
      return toPersianDigits(local);
  }
}

export interface JunkPhone {
  /** As staff type it, e.g. "0112345678". */
  raw: string;
  /** Branch whose staff mostly use it, or null when every branch does. */
  branchIndex: number | null;
}

/** The store's own landlines and the lazy mobiles staff type when a walk-in gives no number. */
export const JUNK_PHONES: readonly JunkPhone[] = [
  { raw: "0112345678", branchIndex: 0 },
  { raw: "0126543210", branchIndex: 1 },
  { raw: "0138889999", branchIndex: 2 },
  { raw: "0500000000", branchIndex: null },
  { raw: "0555555555", branchIndex: null },
  { raw: "0512345678", branchIndex: null },
  { raw: "0111111111", branchIndex: 0 },
];

export const JUNK_NAMES: readonly { first: string; last: string | null }[] = [
  { first: "عميل", last: "نقدي" },
  { first: "Walk-in", last: "Customer" },
  { first: "Cash", last: "Customer" },
  { first: "زبون", last: null },
  { first: "Customer", last: null },
];

export const JUNK_EMAILS: readonly string[] = ["na@na.com", "noemail@gmail.com", "customer@store.com"];
