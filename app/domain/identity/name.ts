import { foldText } from "./text";
import { comparePhonetic, toPhoneticForm, type PhoneticForm } from "./phonetic";
import { jaroWinkler } from "./similarity";

/** One normalized name token; interned, so equal tokens are the same object. */
export interface NameToken {
  /** Folded text: Arabic letters folded, Latin lowercase without accents or articles. */
  text: string;
  phonetic: PhoneticForm;
}

/** A person's name split into the parts matching compares. Any part may be missing. */
export interface NormalizedName {
  first: NameToken | null;
  /** Father's / middle name when the record gives three or more tokens. */
  middle: NameToken | null;
  last: NameToken | null;
  /**
   * True when `last` may be a father's name rather than a family name: "Sara bin Khalid", or a
   * first_name field "Sara Khalid" with no last_name. Such a last name only counts when it agrees.
   */
  lastUncertain: boolean;
}

const CONNECTORS = new Set(["bin", "ibn", "ben", "bint", "binti", "بن", "ابن", "بنت"]);
const ARTICLES = new Set(["al", "el", "ال", "ar", "as", "ad", "an", "at", "az", "ash", "ul", "ad-"]);
const TITLES = new Set([
  "mr", "mrs", "ms", "miss", "dr", "eng", "sheikh", "shaikh", "sayed", "sir", "madam",
  "د", "م", "الشيخ", "شيخ", "السيد", "السيده", "الدكتور", "دكتور", "المهندس", "مهندس",
]);
const ABD_LATIN_PREFIXES = ["abdul", "abdel", "abdal", "abdol", "abdur", "abdus", "abdun", "abdu", "abd"];

/** Placeholder names cashiers type for anonymous sales; they carry no identity. */
const PLACEHOLDER_NAMES = new Set([
  "walk in", "walkin", "walk in customer", "walkin customer", "customer", "guest", "cash",
  "cash customer", "test", "testing", "unknown", "none", "na", "n a", "no name", "pos",
  "pos customer", "default", "anonymous", "client", "visitor", "x", "xx", "xxx",
  "عميل", "زبون", "عميل نقدي", "نقدي", "ضيف", "اختبار", "تجربه", "زائر", "بدون اسم", "عميل عام",
]);

/** Splits folded text into letter tokens (Arabic or Latin letters; everything else separates). */
function tokenize(folded: string): string[] {
  return folded
    .replace(/['’ʿʾ`´]/g, "")
    .split(/[^a-z\u0621-\u064a\u0660-\u066f\u0671-\u06d3]+/)
    .filter((t) => t.length > 0);
}

/** Removes a glued article (الرياض, Alotaibi) when at least three letters remain. */
function stripGluedArticle(token: string): string {
  if (token.startsWith("ال") && token.length >= 5 && token !== "الله") return token.slice(2);
  if ((token.startsWith("al") || token.startsWith("el")) && token.length >= 5) return token.slice(2);
  return token;
}

/**
 * Folds a name field into tokens: articles (al-, ال, el), connectors (bin, بن, ibn) and titles
 * dropped, "abd al X" / "عبد ال X" / "Abdul X" joined into one token so that عبدالله, Abdullah,
 * Abdallah and "Abd Allah" agree. Returns [] for placeholder names such as "walk-in".
 */
export function toNameTokens(raw: string): string[] {
  return toNameParts(raw).tokens;
}

/** Tokens of a name field, and where a patronymic ("bin X", "بن X") starts (-1 when none). */
export interface NameParts {
  tokens: string[];
  lineageAt: number;
}

const NO_NAME: NameParts = { tokens: [], lineageAt: -1 };

/** toNameTokens, also telling which token followed a connector (bin, ibn, بن). */
export function toNameParts(raw: string): NameParts {
  const folded = foldText(raw).trim();
  if (folded.length === 0) return NO_NAME;
  const words = tokenize(folded);
  if (words.length === 0 || PLACEHOLDER_NAMES.has(words.join(" "))) return NO_NAME;
  const out: string[] = [];
  let lineageAt = -1;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (CONNECTORS.has(w)) {
      if (lineageAt < 0 && out.length > 0) lineageAt = out.length;
      // Leading a field it is no father's name but part of a family name (Bin Laden, بن لادن),
      // written as one word as often as not (Binladen).
      if (out.length === 0 && i + 1 < words.length && (w === "bin" || w === "بن") && !CONNECTORS.has(words[i + 1])) {
        out.push(w + stripGluedArticle(words[++i]));
      }
      continue;
    }
    if (TITLES.has(w) || ARTICLES.has(w)) continue;
    if (w === "abd" || w === "عبد" || w === "abdul" || w === "abdel" || w === "abdal" || w === "abdu") {
      let j = i + 1;
      while (j < words.length && ARTICLES.has(words[j])) j++;
      if (j < words.length) {
        out.push(joinAbd(w === "عبد" ? "عبد" : "abd", words[j]));
        i = j;
        continue;
      }
      out.push(w);
      continue;
    }
    if (w.startsWith("عبد") && w.length > 4) {
      out.push(joinAbd("عبد", w.slice(3)));
      continue;
    }
    const abd = ABD_LATIN_PREFIXES.find((p) => w.startsWith(p) && w.length > p.length + 2);
    if (abd) {
      out.push(joinAbd("abd", w.slice(abd.length)));
      continue;
    }
    out.push(stripGluedArticle(w));
  }
  return { tokens: out, lineageAt: lineageAt < out.length ? lineageAt : -1 };
}

function joinAbd(abd: string, rest: string): string {
  let r = rest;
  if (r.startsWith("ال") && r.length > 3) r = r.slice(2);
  else if (/^(al|el|ul|ol)/.test(r) && r.length > 4) r = r.slice(2);
  return abd + r;
}

/** True for names that are placeholders (walk-in, عميل, customer...). */
export function isPlaceholderName(raw: string): boolean {
  const folded = foldText(raw).trim();
  if (!folded) return false;
  return PLACEHOLDER_NAMES.has(tokenize(folded).join(" "));
}

/** Interns name tokens so each distinct token is computed and stored once per dataset. */
export class NameTokenTable {
  private readonly tokens = new Map<string, NameToken>();
  get(text: string): NameToken {
    let t = this.tokens.get(text);
    if (!t) {
      t = { text, phonetic: toPhoneticForm(text) };
      this.tokens.set(text, t);
    }
    return t;
  }
  get size(): number {
    return this.tokens.size;
  }
}

/**
 * Builds first / middle / last from the fields a record has. first_name + last_name win over
 * full_name; a first_name holding several words gives first + middle.
 */
export function toNormalizedName(
  table: NameTokenTable,
  firstName: string | undefined,
  lastName: string | undefined,
  fullName: string | undefined,
  tokenize: (raw: string) => NameParts = toNameParts,
): NormalizedName {
  let firstTokens = firstName ? tokenize(firstName).tokens : [];
  let lastTokens = lastName ? tokenize(lastName).tokens : [];
  let lastUncertain = false;
  if (firstTokens.length === 0 && lastTokens.length === 0 && fullName) {
    const parts = tokenize(fullName);
    const all = parts.tokens;
    firstTokens = all.slice(0, all.length > 1 ? all.length - 1 : 1);
    lastTokens = all.length > 1 ? all.slice(all.length - 1) : [];
    // "Sara bin Khalid": the last word is her father's name unless a family name follows it.
    lastUncertain = parts.lineageAt >= 0 && parts.lineageAt === all.length - 1;
  } else if (lastTokens.length === 0 && firstTokens.length > 1) {
    lastUncertain = true;
  }
  const first = firstTokens[0] ?? lastTokens[0];
  const rest = firstTokens.length ? [...firstTokens.slice(1), ...lastTokens] : lastTokens.slice(1);
  const last = rest.length ? rest[rest.length - 1] : undefined;
  const middle = rest.length > 1 ? rest[0] : undefined;
  return {
    first: first ? table.get(first) : null,
    middle: middle ? table.get(middle) : null,
    last: last ? table.get(last) : null,
    lastUncertain: lastUncertain && last !== undefined,
  };
}

/**
 * Similarity of two name tokens in [0, 1], script-aware: Latin pairs also get Jaro-Winkler on
 * their spelling (typos), every pair gets the phonetic comparison (transliterations).
 */
export function compareNameTokens(a: NameToken, b: NameToken): number {
  if (a === b || a.text === b.text) return 1;
  if (a.text.length === 1 || b.text.length === 1) {
    // An initial ("M. Alqahtani") agrees with a name starting with that letter; across scripts
    // it cannot be checked, so it neither supports nor contradicts.
    if (a.phonetic.arabic !== b.phonetic.arabic) return 0.8;
    if (a.text[0] === b.text[0]) return 0.85;
    // A name starting with a vowel is spelt with another one as often as not (Ibrahim / Ebrahim,
    // Omar / Umar): an initial vowel agrees with a first vowel of the same sound class.
    return (a.phonetic.slots.charCodeAt(0) - 64) & (b.phonetic.slots.charCodeAt(0) - 64) & 7 ? 0.85 : 0.5;
  }
  const p = comparePhonetic(a.phonetic, b.phonetic);
  if (a.phonetic.arabic || b.phonetic.arabic || p >= 0.97) return p;
  // Latin spelling similarity only rescues clear typos (mohamned); at lower values short names
  // look alike by accident (ahmed / mohammed).
  // A typo keeps the first letter far more often than not; Hamad / Ahmad are two names.
  if (a.text[0] !== b.text[0]) return p;
  const spelling = jaroWinkler(a.text, b.text);
  return spelling >= 0.9 ? Math.max(p, spelling) : p;
}
