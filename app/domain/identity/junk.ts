import { normalizeEmail } from "./email";
import { compareNameTokens, type NameToken } from "./name";
import { isPlaceholderNumber, normalizePhone } from "./phone";
import type { NormalizedIdentityRecord } from "./record";
import { compareNames, firstNamesOneTypoApart, oneTypoApart } from "./score";

/** Why an identifier is ignored for linking. */
export type JunkReasonCode = "PLACEHOLDER" | "MANY_DISTINCT_NAMES" | "TOO_MANY_RECORDS" | "MERCHANT_MARKED";

export interface JunkIdentifier {
  /** Identifier key: "e:<email>", "p:<E.164>" or "x:<external id>". */
  key: string;
  code: JunkReasonCode;
  records: number;
  distinctNames: number;
  text: string;
}

export interface JunkOptions {
  /** An identifier seen with this many clearly different first names is shared, not personal. */
  minDistinctNames: number;
  /** Above this many records an identifier is junk whatever the names. */
  maxRecordsPerIdentifier: number;
  /** Merchant overrides, as identifier keys (see toIdentifierKey). */
  add: ReadonlySet<string>;
  remove: ReadonlySet<string>;
}

export const DEFAULT_JUNK_OPTIONS: JunkOptions = {
  minDistinctNames: 6,
  maxRecordsPerIdentifier: 1000,
  add: new Set(),
  remove: new Set(),
};

/** Identifier key for a merchant-entered email or phone ("0500000000" -> "p:+966500000000"). */
export function toIdentifierKey(kind: "email" | "phone" | "external_id", raw: string, country: string): string | null {
  if (kind === "email") {
    const e = normalizeEmail(raw);
    return e ? `e:${e.value}` : null;
  }
  if (kind === "phone") {
    const p = normalizePhone(raw, country);
    return p && p.valid ? `p:${p.value}` : null;
  }
  const x = raw.trim();
  return x ? `x:${x}` : null;
}

/** Placeholder identifiers recognizable without any data: test@test.com, 0500000000. */
export function isPlaceholderKey(key: string): boolean {
  if (key.startsWith("e:")) {
    const e = normalizeEmail(key.slice(2));
    return !e || !e.linkable;
  }
  if (key.startsWith("p:")) return isPlaceholderNumber(key.slice(-9));
  return false;
}

/**
 * Counts clearly different first names among records sharing an identifier (greedy grouping:
 * a name joins the first group it is close to), stopping once `limit` is reached.
 */
export function countDistinctNames(records: Iterable<NormalizedIdentityRecord>, limit: number): number {
  const groups: NormalizedIdentityRecord[] = [];
  for (const r of records) {
    if (!r.first) continue;
    // As for contested identifiers: one person's swapped, abbreviated or misspelt name is not
    // another name (eight records of one shopper made her own phone look like a shop's).
    if (groups.some((g) => sameFirstName(g, r))) continue;
    groups.push(r);
    if (groups.length >= limit) break;
  }
  return groups.length;
}

/**
 * Decides whether an identifier shared by `records` is junk. The verdict only moves from
 * "not junk" to "junk" as records are added, which keeps incremental matching equal to batch.
 */
export function getJunkVerdict(
  key: string,
  records: readonly NormalizedIdentityRecord[],
  options: JunkOptions,
): JunkIdentifier | null {
  if (options.remove.has(key)) return null;
  const n = records.length;
  if (options.add.has(key)) return { key, code: "MERCHANT_MARKED", records: n, distinctNames: 0, text: `${key.slice(2)} marked as shared by the merchant` };
  if (isPlaceholderKey(key)) return { key, code: "PLACEHOLDER", records: n, distinctNames: 0, text: `${key.slice(2)} is a placeholder` };
  if (n > options.maxRecordsPerIdentifier) {
    return { key, code: "TOO_MANY_RECORDS", records: n, distinctNames: 0, text: `${key.slice(2)} is on ${n} records` };
  }
  if (n < options.minDistinctNames) return null;
  const distinct = countDistinctNames(records, options.minDistinctNames);
  if (distinct >= options.minDistinctNames) {
    return { key, code: "MANY_DISTINCT_NAMES", records: n, distinctNames: distinct, text: `${key.slice(2)} is used by ${distinct}+ different names` };
  }
  return null;
}

/**
 * True when records sharing an identifier carry two clearly different first names (a household's
 * phone). Like junk verdicts it only moves from false to true as records are added.
 */
export function isContestedIdentifier(records: readonly NormalizedIdentityRecord[]): boolean {
  if (records.length < 2) return false;
  const groups: NormalizedIdentityRecord[] = [];
  for (const r of records) {
    if (!r.first) continue;
    if (groups.some((g) => sameFirstName(g, r))) continue;
    groups.push(r);
    if (groups.length >= 2) return true;
  }
  return false;
}

/**
 * Whether two records name the same person by first name. With a first and a last name on both
 * sides the order may be swapped ("Alshehri Bandar / Abdullah" and "عبدالله الشهري"): one person's
 * swapped record does not make their phone look like a household's. A record with a single name
 * token is compared by its first name only (it could be anyone in a family of that name).
 */
function sameFirstName(a: NormalizedIdentityRecord, b: NormalizedIdentityRecord): boolean {
  const fa = a.first as NameToken;
  const fb = b.first as NameToken;
  const first = compareNameTokens(fa, fb);
  // An initial across scripts (L. / لمى) cannot be checked: it does not name someone else.
  if (first >= 0.85 || (first >= 0.8 && (fa.text.length === 1 || fb.text.length === 1))) return true;
  if (!a.last || !b.last) return oneTypoApart(fa, fb);
  const n = compareNames(a, b);
  if (n !== null && n.swapped && n.first >= 0.85) return true;
  // A first name misspelt by one letter (Kaled / خالد) is the same first name, as for cannot-links.
  return n !== null && n.first < 0.85 && firstNamesOneTypoApart(a, b, n.swapped);
}
