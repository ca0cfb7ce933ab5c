import { foldText } from "./text";
import { toCoarseSkeleton, toPhoneticForm } from "./phonetic";

const ADDRESS_STOPWORDS = new Set([
  "street", "st", "str", "road", "rd", "avenue", "ave", "district", "dist", "dst", "building",
  "bldg", "bld", "apt", "apartment", "flat", "floor", "fl", "unit", "no", "number", "num", "villa",
  "po", "box", "pobox", "near", "next", "to", "the", "of", "and", "al", "el", "an", "ar", "as",
  "ad", "at", "az", "ash", "kingdom", "saudi", "arabia", "ksa", "sa", "hay", "hai",
  "شارع", "طريق", "حي", "مبنى", "عماره", "شقه", "دور", "فيلا", "رقم", "ص", "ب", "بجوار", "قرب",
  "مقابل", "ال", "مكرمه", "منوره", "mukarramah", "mukarrama", "mukaramah", "munawwarah",
  "munawarah", "munawwara", "almukarramah", "almunawwarah", "المملكه", "العربيه", "السعوديه",
  // Titles in street names are translated, not transliterated (King Fahd Rd / طريق الملك فهد,
  // Prince Sultan St / شارع الأمير سلطان): the name after them is what both forms share.
  "king", "prince", "ملك", "امير",
]);

/**
 * City names in several spellings, keyed by their consonant skeleton so that Riyadh, Riyad,
 * الرياض and Ar Riyadh agree. dh/ض/ظ/ذ are merged here (z -> d): city spellings vary more than
 * person names.
 */
export function normalizeCity(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const words = placeWords(raw);
  if (words.length === 0) return null;
  return words.map((w) => toCoarseSkeleton(toPhoneticForm(w).skeleton).replace(/z/g, "d")).join("");
}

/** Postcode for comparison: ASCII digits; a Saudi ZIP+4 (12345-6789) keeps its 5-digit ZIP. */
export function normalizePostcode(raw: string | null | undefined, country: string): string | null {
  if (!raw) return null;
  if (raw.length === 5 && /^[1-9]\d{4}$/.test(raw)) return raw; // the common case: a plain 5-digit code
  const folded = foldText(raw).replace(/[^a-z0-9]/g, "").toUpperCase();
  if (folded.length === 0 || /^0+$/.test(folded)) return null;
  if (country.toUpperCase() === "SA" && /^\d{5}(\d{4})?$/.test(folded)) return folded.slice(0, 5);
  return folded;
}

/**
 * Address for comparison: tokens of address1 + address2 without street-type words, each reduced
 * to its consonant skeleton (numbers kept), sorted and de-duplicated:
 * "12 King Fahd Rd, Al Olaya" and "طريق الملك فهد ١٢ العليا" share most tokens.
 */
export function normalizeAddress(...parts: (string | null | undefined)[]): string | null {
  const keys = new Set<string>();
  for (const part of parts) {
    if (!part) continue;
    for (const w of placeWords(part)) {
      if (/^\d+$/.test(w)) {
        keys.add(String(Number(w)));
        continue;
      }
      const k = placeKey(w);
      if (k.length >= 2) keys.add(k);
    }
  }
  if (keys.size === 0) return null;
  return [...keys].sort().join(" ");
}

const placeKeyCache = new Map<string, string>();

/** Sound key of one place word; street and district words repeat on every record, so memoized. */
function placeKey(word: string): string {
  let k = placeKeyCache.get(word);
  if (k === undefined) {
    k = toCoarseSkeleton(toPhoneticForm(word).skeleton).replace(/z/g, "d");
    if (placeKeyCache.size >= 50_000) placeKeyCache.clear();
    placeKeyCache.set(word, k);
  }
  return k;
}

function placeWords(raw: string): string[] {
  const words = foldText(raw)
    .replace(/['’`]/g, "")
    .split(/[^a-z0-9\u0621-\u064a]+/)
    .filter((w) => w.length > 0);
  const out: string[] = [];
  for (let w of words) {
    if (ADDRESS_STOPWORDS.has(w)) continue;
    if (w.startsWith("ال") && w.length >= 4) w = w.slice(2);
    else if (/^(al|el)[a-z]{3,}$/.test(w)) w = w.slice(2);
    if (ADDRESS_STOPWORDS.has(w)) continue;
    out.push(w);
  }
  return out;
}
