import { compareNameTokens, type NameToken } from "./name";
import { comparePhonetic, toCoarseSkeleton, toPhoneticForm } from "./phonetic";
import type { NormalizedIdentityRecord } from "./record";
import { tokenJaccard } from "./similarity";

/** Stable reason codes; the UI translates them, `text` is the English rendering. */
export type MatchReasonCode =
  | "SAME_EMAIL"
  | "SAME_PHONE"
  | "SAME_EXTERNAL_ID"
  | "PHONE_ONE_DIGIT_APART"
  | "SAME_EMAIL_USER"
  | "EMAIL_DOMAIN_TYPO"
  | "NAME_MATCH"
  | "NAME_SWAPPED"
  | "FIRST_NAME_DIFFERENT"
  | "LAST_NAME_DIFFERENT"
  | "MIDDLE_NAME_MATCH"
  | "MIDDLE_NAME_DIFFERENT"
  | "SAME_BIRTH_DATE"
  | "BIRTH_DATE_CLOSE"
  | "BIRTH_DATE_DIFFERENT"
  | "SAME_POSTCODE"
  | "POSTCODE_DIFFERENT"
  | "SAME_CITY"
  | "CITY_DIFFERENT"
  | "SAME_ADDRESS"
  | "SIMILAR_ADDRESS"
  | "ADDRESS_DIFFERENT";

export interface MatchReason {
  code: MatchReasonCode;
  params: Record<string, string | number>;
  /** Log-likelihood weight this evidence added (negative = against). */
  weight: number;
  text: string;
}

/**
 * Fellegi-Sunter style weights (log2 of m/u, rounded): how much more likely the evidence is for
 * two records of one person than for two different people. Tuned on the generated truth in
 * bench/identity-data.ts; override per shop if needed.
 */
export interface MatchWeights {
  email: number;
  phone: number;
  externalId: number;
  phoneOneDigitApart: number;
  sameEmailUser: number;
  /** The same user name at domains one keystroke apart (gmial.com / gmail.com). */
  emailDomainTypo: number;
  contactDifferent: number;
  firstName: [same: number, close: number, weak: number, different: number];
  lastName: [same: number, close: number, weak: number, different: number];
  middleName: [same: number, different: number];
  swappedNames: number;
  birthDate: [same: number, close: number, different: number];
  postcode: [same: number, different: number];
  city: [same: number, different: number];
  address: [same: number, similar: number, different: number];
}

export const DEFAULT_MATCH_WEIGHTS: MatchWeights = {
  email: 16,
  phone: 14,
  externalId: 16,
  phoneOneDigitApart: 7,
  sameEmailUser: 6,
  emailDomainTypo: 12,
  contactDifferent: -1,
  firstName: [5, 3.5, 1, -6],
  lastName: [4, 2.5, 0.5, -4],
  middleName: [2, -2],
  swappedNames: -0.5,
  birthDate: [8, 2, -5],
  postcode: [3, -1],
  city: [1, -2.5],
  address: [7, 1, -0.5],
};

/** Thresholds on the total weight: link at or above `link`, review queue between. */
export interface MatchThresholds {
  link: number;
  review: number;
}

export const DEFAULT_THRESHOLDS: MatchThresholds = { link: 15, review: 9 };

/** How two records' names line up; null when either has no name. */
export interface NameAgreement {
  first: number;
  /** NaN when one side has no last name. */
  last: number;
  swapped: boolean;
}

/**
 * Compares names, tolerating first/last order swaps: the arrangement with the higher total wins.
 * A record with one name token is compared against both tokens of the other.
 */
export function compareNames(a: NormalizedIdentityRecord, b: NormalizedIdentityRecord): NameAgreement | null {
  const fa = a.first;
  const fb = b.first;
  if (!fa || !fb) return null;
  const la = a.last;
  const lb = b.last;
  if (la && lb) {
    const s1 = compareNameTokens(fa, fb);
    const s2 = compareNameTokens(la, lb);
    if (s1 + s2 >= 1.9) return { first: s1, last: s2, swapped: false };
    // Crossed: a's first with b's last and a's last with b's first. A last name that may be a
    // father's name ("Fatma Hamad" / "Al-Mutairi Fatma") is no evidence either way there too.
    const x1 = b.lastUncertain ? Number.NaN : compareNameTokens(fa, lb);
    const x2 = a.lastUncertain ? Number.NaN : compareNameTokens(la, fb);
    if (Number.isNaN(x1) || Number.isNaN(x2)) {
      const x = Number.isNaN(x1) ? x2 : x1;
      if (x > s1 + 0.1 && x >= 0.9) return { first: x, last: Number.NaN, swapped: true };
    } else if (x1 + x2 > s1 + s2 + 0.1) return { first: Math.min(x1, x2), last: Math.max(x1, x2), swapped: true };
    // A last name that may be a father's name ("Sara bin Khalid") is no evidence against.
    if (s2 < 0.9 && (a.lastUncertain || b.lastUncertain)) return { first: s1, last: Number.NaN, swapped: false };
    return { first: s1, last: s2, swapped: false };
  }
  const single = la ? fb : fa;
  const other = la ? a : b;
  const s = Math.max(compareNameTokens(single, other.first as NameToken), other.last ? compareNameTokens(single, other.last) : 0);
  return { first: s, last: Number.NaN, swapped: false };
}

/**
 * True when two records that share an identifier clearly name different people (a family's
 * shared phone): then the identifier must not link them.
 */
export function namesConflict(n: NameAgreement | null): boolean {
  if (!n) return false;
  // Only the first name: people sharing a phone are a household, and a household shares its
  // family name. The same first name with a different last name on one phone is a typo
  // (AlM-alki / Al-Maliki) far more often than two people (measured: 593 to 18 pairs on 100k).
  return n.first < 0.7;
}

/**
 * Whether a deterministic pair must become a cannot-link. One shared identifier with different
 * names is a family's phone; two independent identifiers (email and phone) agreeing outweigh one
 * disagreeing name part (a typo across scripts: Ayesa / عائشة), but not two.
 */
export function pairConflicts(s: Pick<PairScore, "names" | "sharedIdentifiers"> & { firstNameTypo?: boolean }): boolean {
  const n = s.names;
  if (!n || !namesConflict(n)) return false;
  if (s.firstNameTypo) return false;
  if (s.sharedIdentifiers < 2) return true;
  return n.last < 0.7;
}

export interface PairScore {
  score: number;
  /** Shares a linkable identifier (email, phone, external id) that is not junk. */
  deterministic: boolean;
  /** How many different identifier kinds (email, phone, external id) the pair shares, junk excluded. */
  sharedIdentifiers: number;
  names: NameAgreement | null;
  /**
   * On a pair sharing an identifier, first names that differ by what one typo does to a
   * spelling (a letter dropped, doubled, swapped: Raaf / رهف, Faial / Faisal): not a conflict.
   */
  firstNameTypo?: boolean;
  reasons: MatchReason[] | null;
}

export interface ScoreContext {
  weights: MatchWeights;
  /** Identifier keys (e:, p:, x:) that must not count as evidence. */
  isJunk: (key: string) => boolean;
  /**
   * Identifier keys seen with two clearly different names (a family's phone). A record with no
   * name cannot say whose it is, so on such a key it gets no evidence from it.
   */
  isContested?: (key: string) => boolean;
  /**
   * Optional fast forms of isJunk / isContested taking the kind ("e", "p", "x") and the value
   * separately, so scoring millions of pairs builds no key strings. Must agree with the key forms.
   */
  isJunkValue?: (kind: "e" | "p" | "x", value: string) => boolean;
  isContestedValue?: (kind: "e" | "p" | "x", value: string) => boolean;
}

function junk(ctx: ScoreContext, kind: "e" | "p" | "x", value: string): boolean {
  return ctx.isJunkValue ? ctx.isJunkValue(kind, value) : ctx.isJunk(`${kind}:${value}`);
}

/** A shared identifier tells nothing when one side has no name and the key is contested. */
function unattributable(a: NormalizedIdentityRecord, b: NormalizedIdentityRecord, kind: "e" | "p", value: string, ctx: ScoreContext): boolean {
  if (a.first && b.first) return false;
  if (ctx.isContestedValue) return ctx.isContestedValue(kind, value);
  return ctx.isContested !== undefined && ctx.isContested(`${kind}:${value}`);
}

function level(s: number): 0 | 1 | 2 | 3 {
  return s >= 0.97 ? 0 : s >= 0.9 ? 1 : s >= 0.8 ? 2 : 3;
}

const fmt = (x: number) => Math.round(x * 100) / 100;

/**
 * Scores a pair of records: sum of evidence weights, plus whether a shared identifier makes the
 * link deterministic. With `explain`, each piece of evidence is returned as a reason.
 */
export function scorePair(
  a: NormalizedIdentityRecord,
  b: NormalizedIdentityRecord,
  ctx: ScoreContext,
  explain = false,
): PairScore {
  const w = ctx.weights;
  const reasons: MatchReason[] | null = explain ? [] : null;
  let score = 0;
  let shared = 0;

  if (a.email && b.email) {
    if (a.email === b.email) {
      if (!junk(ctx, "e", a.email) && !unattributable(a, b, "e", a.email, ctx)) {
        shared++;
        score += w.email;
        if (reasons) reasons.push(reason(w.email, "SAME_EMAIL", { email: a.email }, `same email ${a.email}`));
      }
    } else {
      const ua = a.email.slice(0, a.email.indexOf("@"));
      if (ua.length >= 6 && ua === b.email.slice(0, b.email.indexOf("@")) && !/^\d+$/.test(ua)) {
        // The same user name at another provider is the same person far more often than not, so
        // it is not also counted as a different contact; at a misspelt domain (hotmial.com) it is
        // the same address typed wrong.
        const da = a.email.slice(ua.length + 1);
        const db = b.email.slice(ua.length + 1);
        if (damerauAtMostOne(da, db)) {
          score += w.emailDomainTypo;
          if (reasons) reasons.push(reason(w.emailDomainTypo, "EMAIL_DOMAIN_TYPO", { a: a.email, b: b.email }, `same email with a misspelt domain ${a.email} / ${b.email}`));
        } else {
          score += w.sameEmailUser;
          if (reasons) reasons.push(reason(w.sameEmailUser, "SAME_EMAIL_USER", { user: ua }, `same email user name ${ua}`));
        }
      } else {
        score += w.contactDifferent;
      }
    }
  }
  if (a.phone && b.phone) {
    if (a.phone === b.phone) {
      if (!junk(ctx, "p", a.phone) && !unattributable(a, b, "p", a.phone, ctx)) {
        shared++;
        score += w.phone;
        if (reasons) reasons.push(reason(w.phone, "SAME_PHONE", { phone: a.phone }, `same phone ${a.phone}`));
      }
    } else if (oneDigitApart(a.phone, b.phone) && !junk(ctx, "p", a.phone) && !junk(ctx, "p", b.phone)) {
      // Not next to a junk phone: a walk-in typed with the store's phone one digit off is still
      // anybody, and every walk-in of that name would chain through it.
      score += w.phoneOneDigitApart;
      if (reasons) reasons.push(reason(w.phoneOneDigitApart, "PHONE_ONE_DIGIT_APART", { a: a.phone, b: b.phone }, `phones one digit apart ${a.phone} / ${b.phone}`));
    } else {
      score += w.contactDifferent;
    }
  }
  if (a.externalId && a.externalId === b.externalId && !junk(ctx, "x", a.externalId)) {
    shared++;
    score += w.externalId;
    if (reasons) reasons.push(reason(w.externalId, "SAME_EXTERNAL_ID", { id: a.externalId }, `same external id ${a.externalId}`));
  }

  const names = compareNames(a, b);
  if (names) {
    const lf = level(names.first);
    const firstW = w.firstName[lf];
    score += firstW;
    if (reasons) {
      if (lf < 3) reasons.push(reason(firstW, "NAME_MATCH", { part: "first", similarity: fmt(names.first) }, `first name ${fmt(names.first)}`));
      else reasons.push(reason(firstW, "FIRST_NAME_DIFFERENT", { similarity: fmt(names.first) }, `different first names (${fmt(names.first)})`));
    }
    if (!Number.isNaN(names.last)) {
      let ll = level(names.last);
      // A family name one Latin keystroke from the other (Alghmadi / الغامدي, Alsalm / Al-Salem)
      // is weak evidence for, not evidence against.
      if (ll === 3 && !names.swapped && a.last && b.last && latinTypoApart(a.last, b.last)) ll = 2;
      score += w.lastName[ll];
      if (reasons) {
        if (ll < 3) reasons.push(reason(w.lastName[ll], "NAME_MATCH", { part: "last", similarity: fmt(names.last) }, `last name ${fmt(names.last)}`));
        else reasons.push(reason(w.lastName[3], "LAST_NAME_DIFFERENT", { similarity: fmt(names.last) }, `different last names (${fmt(names.last)})`));
      }
    }
    if (names.swapped) {
      score += w.swappedNames;
      if (reasons) reasons.push(reason(w.swappedNames, "NAME_SWAPPED", {}, "first and last name swapped"));
    }
    if (a.middle && b.middle) {
      const m = compareNameTokens(a.middle, b.middle);
      if (m >= 0.9) {
        score += w.middleName[0];
        if (reasons) reasons.push(reason(w.middleName[0], "MIDDLE_NAME_MATCH", { similarity: fmt(m) }, `middle name ${fmt(m)}`));
      } else {
        score += w.middleName[1];
        if (reasons) reasons.push(reason(w.middleName[1], "MIDDLE_NAME_DIFFERENT", { similarity: fmt(m) }, "different middle names"));
      }
    }
  }
  if (a.birthDate && b.birthDate) {
    if (a.birthDate === b.birthDate) {
      score += w.birthDate[0];
      if (reasons) reasons.push(reason(w.birthDate[0], "SAME_BIRTH_DATE", { date: a.birthDate }, "same birth date"));
    } else if (birthDatesClose(a.birthDate, b.birthDate)) {
      score += w.birthDate[1];
      if (reasons) reasons.push(reason(w.birthDate[1], "BIRTH_DATE_CLOSE", {}, "birth dates differ by one field"));
    } else {
      score += w.birthDate[2];
      if (reasons) reasons.push(reason(w.birthDate[2], "BIRTH_DATE_DIFFERENT", {}, "different birth dates"));
    }
  }
  if (a.postcode && b.postcode) {
    if (a.postcode === b.postcode) {
      score += w.postcode[0];
      if (reasons) reasons.push(reason(w.postcode[0], "SAME_POSTCODE", { postcode: a.postcode }, `same postcode ${a.postcode}`));
    } else {
      score += w.postcode[1];
      if (reasons) reasons.push(reason(w.postcode[1], "POSTCODE_DIFFERENT", {}, "different postcodes"));
    }
  }
  if (a.city && b.city) {
    if (a.city === b.city) {
      score += w.city[0];
      if (reasons) reasons.push(reason(w.city[0], "SAME_CITY", {}, "same city"));
    } else {
      score += w.city[1];
      if (reasons) reasons.push(reason(w.city[1], "CITY_DIFFERENT", {}, "different cities"));
    }
  }
  if (a.address && b.address) {
    const j = tokenJaccard(a.address, b.address);
    if (j >= 0.8) {
      score += w.address[0];
      if (reasons) reasons.push(reason(w.address[0], "SAME_ADDRESS", { similarity: fmt(j) }, "same address"));
    } else if (j >= 0.5) {
      score += w.address[1];
      if (reasons) reasons.push(reason(w.address[1], "SIMILAR_ADDRESS", { similarity: fmt(j) }, `similar address (${fmt(j)})`));
    } else {
      score += w.address[2];
      if (reasons) reasons.push(reason(w.address[2], "ADDRESS_DIFFERENT", {}, "different addresses"));
    }
  }
  const firstNameTypo = shared > 0 && names !== null && names.first < 0.7 && firstNamesOneTypoApart(a, b, names.swapped);
  return { score, deterministic: shared > 0, sharedIdentifiers: shared, names, firstNameTypo, reasons };
}

/** The first-name comparison compareNames made (crossed when names were swapped) passes oneTypoApart. */
export function firstNamesOneTypoApart(a: NormalizedIdentityRecord, b: NormalizedIdentityRecord, swapped: boolean): boolean {
  if (!a.first || !b.first) return false;
  const pairs: Array<[NameToken | null, NameToken | null]> = swapped ? [[a.first, b.last], [a.last, b.first]] : [[a.first, b.first]];
  return pairs.every(([x, y]) => x !== null && y !== null && (compareNameTokens(x, y) >= 0.7 || oneTypoApart(x, y)));
}

/**
 * Whether two first names are one typo apart in sound: their consonant skeletons (shared by
 * Arabic and Latin spellings) differ by at most one letter dropped, added, changed or swapped,
 * keep the same first consonant, and are not both very short.
 */
export function oneTypoApart(a: NameToken, b: NameToken): boolean {
  const x = toCoarseSkeleton(a.phonetic.skeleton);
  const y = toCoarseSkeleton(b.phonetic.skeleton);
  if (x.length > 0 && y.length > 0 && x[0] === y[0] && Math.max(x.length, y.length) >= TYPO_MIN_SKELETON && damerauAtMostOne(x, y)) return true;
  // A Latin spelling one keystroke from a spelling of the other name: it can break a digraph
  // (Buhsra / بشرى) or move the first consonant of a name starting with a vowel (Adballah / عبدالله),
  // which the skeletons alone do not show.
  return latinTypoApart(a, b);
}

/**
 * Whether one Latin keystroke (two letters swapped, one doubled, one dropped) separates a spelling
 * of one name from the other name, vowels included: narrower than oneTypoApart, which also lets
 * one consonant of the skeleton change (Shehri / Shammari).
 */
export function latinTypoApart(a: NameToken, b: NameToken): boolean {
  if (a.phonetic.arabic && b.phonetic.arabic) return false;
  // Memoized: family names on household phones meet the same spellings again and again. Keyed by
  // the tokens (interned per dataset; the answer depends only on their text): no key strings.
  let byB = latinTypoCache.get(a);
  if (byB === undefined) {
    byB = new Map();
    latinTypoCache.set(a, byB);
  }
  let hit = byB.get(b);
  if (hit === undefined) {
    hit =
      (!a.phonetic.arabic && latinKeystrokeReaches(a.text, b)) ||
      (!b.phonetic.arabic && latinKeystrokeReaches(b.text, a)) ||
      (!a.phonetic.arabic && latinLetterDroppedFrom(a, b)) ||
      (!b.phonetic.arabic && latinLetterDroppedFrom(b, a));
    if (++latinTypoCacheSize > 100_000) {
      latinTypoCache.clear();
      latinTypoCacheSize = 1;
      latinTypoCache.set(a, (byB = new Map()));
    }
    byB.set(b, hit);
  }
  return hit;
}

const latinTypoCache = new Map<NameToken, Map<NameToken, boolean>>();
let latinTypoCacheSize = 0;

const droppedLetterCache = new Map<string, boolean>();
const LETTERS = "abcdefghijklmnopqrstuvwxyz";

/**
 * Whether putting back one letter after the first in a Latin spelling of four or more letters
 * gives a spelling of `target` (Kaled / خالد, Ohman / عثمان). Not a consonant put before the first
 * one (Adel would become Abdel, Abdullah; Ayman Aytman, Uthman: other names), except an h, the
 * letter Latin spellings of ح and ه lose most (Amad / أحمد). Memoized: the same misspelling meets
 * the same names again and again.
 */
function latinLetterDroppedFrom(typed: NameToken, target: NameToken): boolean {
  const text = typed.text;
  if (text.length < 4 || text.length > 16 || !/^[a-z]+$/.test(text)) return false;
  const grow = target.phonetic.skeleton.length - typed.phonetic.skeleton.length;
  if (grow < 0 || grow > 1) return false;
  // One letter put back adds or changes at most one consonant of the skeleton.
  if (!damerauAtMostOne(toCoarseSkeleton(typed.phonetic.skeleton), toCoarseSkeleton(target.phonetic.skeleton))) return false;
  const key = `${text}\u0000${target.text}`;
  let hit = droppedLetterCache.get(key);
  if (hit === undefined) {
    hit = false;
    const head = typed.phonetic.skeleton[0];
    const size = typed.phonetic.skeleton.length;
    for (let i = 1; i <= text.length && !hit; i++) {
      for (let c = 0; c < LETTERS.length && !hit; c++) {
        const form = toPhoneticForm(text.slice(0, i) + LETTERS[c] + text.slice(i));
        // The same first consonant, the same number of consonants (the h of a digraph), or an h.
        hit = (form.skeleton[0] === head || form.skeleton.length === size || LETTERS[c] === "h") && comparePhonetic(form, target.phonetic) >= 0.9;
      }
    }
    if (droppedLetterCache.size >= 100_000) droppedLetterCache.clear();
    droppedLetterCache.set(key, hit);
  }
  return hit;
}

const TYPO_MIN_SKELETON = 3;

/**
 * Whether undoing one keystroke in a Latin spelling after its first letter (two letters swapped,
 * a letter typed twice) gives a spelling of `target`. Not a dropped, added or mistyped letter:
 * put back or taken out anywhere, one would turn Adel into Abdel (Abdullah) and Osman into Oman
 * (Ayman).
 */
function latinKeystrokeReaches(text: string, target: NameToken): boolean {
  if (target.phonetic.skeleton.length === 0 || text.length < 4 || text.length > 16 || !/^[a-z]+$/.test(text)) return false;
  // The undone spelling must be the target name, vowels included (comparePhonetic also tells a
  // leading vowel): a short name (Aihsa / عائشة) is then safe too.
  const reaches = (t: string) => comparePhonetic(toPhoneticForm(t), target.phonetic) >= 0.9;
  for (let i = 1; i < text.length; i++) {
    if (i + 1 < text.length && text[i] !== text[i + 1] && reaches(text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2))) return true;
    if (text[i] === text[i - 1] && reaches(text.slice(0, i) + text.slice(i + 1))) return true;
  }
  return false;
}

function damerauAtMostOne(x: string, y: string): boolean {
  if (x === y) return true;
  if (Math.abs(x.length - y.length) > 1) return false;
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  if (x.length === y.length) {
    if (x.slice(i + 1) === y.slice(i + 1)) return true;
    return i + 1 < x.length && x[i] === y[i + 1] && x[i + 1] === y[i] && x.slice(i + 2) === y.slice(i + 2);
  }
  return x.length > y.length ? x.slice(i + 1) === y.slice(i) : x.slice(i) === y.slice(i + 1);
}

function reason(weight: number, code: MatchReasonCode, params: Record<string, string | number>, text: string): MatchReason {
  return { code, params, weight, text };
}

/** Same length and exactly one differing digit, or two adjacent digits swapped. */
export function oneDigitApart(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let first = -1;
  let diffs = 0;
  for (let i = 0; i < a.length; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) {
      if (++diffs > 2) return false;
      if (first < 0) first = i;
    }
  }
  if (diffs === 1) return true;
  return diffs === 2 && a[first] === b[first + 1] && a[first + 1] === b[first];
}

/** Birth dates (yyyymmdd) that differ in one field, or with day and month swapped. */
export function birthDatesClose(x: number, y: number): boolean {
  const [ya, ma, da] = [Math.floor(x / 10000), Math.floor(x / 100) % 100, x % 100];
  const [yb, mb, db] = [Math.floor(y / 10000), Math.floor(y / 100) % 100, y % 100];
  const same = Number(ya === yb) + Number(ma === mb) + Number(da === db);
  return same === 2 || (ya === yb && ma === db && da === mb);
}
