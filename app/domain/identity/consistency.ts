import type { NormalizedIdentityRecord } from "./record";
import { birthDatesClose, compareNames, oneDigitApart } from "./score";

/**
 * What a cluster says about the one person it stands for, field by field: the distinct phones,
 * emails, postcodes and birth dates of its records (junk identifiers left out), and its records
 * with a first and a last name (one per spelling). A field with more distinct values than
 * MAX_TRAIT_VALUES says nothing (null): it never conflicts.
 */
export interface ClusterTraits {
  phones: string[] | null;
  emails: string[] | null;
  postcodes: string[] | null;
  births: number[] | null;
  names: NormalizedIdentityRecord[] | null;
}

/** Traits of a record known by nothing: never conflict. */
export function emptyTraits(): ClusterTraits {
  return { phones: NONE, emails: NONE, postcodes: NONE, births: NONE, names: NONE };
}

/** Distinct values kept per field; beyond this a cluster's field is unknown (see ClusterTraits). */
export const MAX_TRAIT_VALUES = 8;

/**
 * Two clusters are not joined when they disagree on this many fields (phone, email, postcode,
 * birth date, family name) at once, whatever the link between them: each field alone a person
 * can have two of (a household phone and their own, a second email, an old address, a mistyped
 * birth date, a family name typed two ways), two together are two people who share a first name
 * and one coincidence (measured on 1M generated records: merges with two or more such conflicts
 * were about 9,000 false pairs for 1,000 true ones).
 */
export const MIN_TRAIT_CONFLICTS_TO_REFUSE = 2;

/** Whether an identifier value is junk (never evidence); kind "p" phone, "e" email. */
export type IsJunkValue = (kind: "e" | "p", value: string) => boolean;

const NONE: never[] = [];

export function traitsOfRecord(r: NormalizedIdentityRecord, isJunkValue: IsJunkValue): ClusterTraits {
  return {
    phones: r.phone && !isJunkValue("p", r.phone) ? [r.phone] : NONE,
    emails: r.email && !isJunkValue("e", r.email) ? [r.email] : NONE,
    postcodes: r.postcode ? [r.postcode] : NONE,
    births: r.birthDate ? [r.birthDate] : NONE,
    names: r.first && r.last ? [r] : NONE,
  };
}

/**
 * Adds b's values to a's list (a's array is reused: callers own the arrays of traits they merge;
 * the shared empty list is never written to).
 */
function union<T>(a: T[] | null, b: T[] | null, same: (x: T, y: T) => boolean = (x, y) => x === y): T[] | null {
  if (a === null || b === null) return null;
  if (b.length === 0) return a;
  if (a.length === 0) return a === NONE ? b.slice() : (a.push(...b), a);
  const n = a.length;
  for (const v of b) {
    let seen = false;
    for (let i = 0; i < n && !seen; i++) seen = same(a[i], v);
    if (!seen) a.push(v);
  }
  return a.length > MAX_TRAIT_VALUES ? null : a;
}

/** Name tokens are interned per dataset, but a record from elsewhere may carry its own copies. */
const sameSpelling = (x: NormalizedIdentityRecord, y: NormalizedIdentityRecord) =>
  x.first?.text === y.first?.text && x.last?.text === y.last?.text && !x.lastUncertain === !y.lastUncertain;

/** Traits of the union of two clusters. `a` is taken over (its lists grow); `b` is left as it was. */
export function mergeTraits(a: ClusterTraits, b: ClusterTraits): ClusterTraits {
  a.phones = union(a.phones, b.phones);
  a.emails = union(a.emails, b.emails);
  a.postcodes = union(a.postcodes, b.postcodes);
  a.births = union(a.births, b.births);
  a.names = union(a.names, b.names, sameSpelling);
  return a;
}

function conflicts<T>(a: T[] | null, b: T[] | null, agree: (x: T, y: T) => boolean): boolean {
  if (!a || !b || a.length === 0 || b.length === 0) return false;
  for (const x of a) for (const y of b) if (agree(x, y)) return false;
  return true;
}

function emailUser(e: string): string {
  const user = e.slice(0, e.indexOf("@"));
  // As in scorePair: the same user name at another provider is the same person's address.
  return user.length >= 6 && !/^\d+$/.test(user) ? user : "";
}

const samePhone = (x: string, y: string) => x === y || oneDigitApart(x, y);
const sameEmail = (x: string, y: string) => x === y || (emailUser(x) !== "" && emailUser(x) === emailUser(y));
const samePostcode = (x: string, y: string) => x === y;
const sameBirth = (x: number, y: number) => x === y || birthDatesClose(x, y);

/**
 * Family names disagree: some record of one cluster and some of the other have comparable family
 * names (compareNames: swaps tolerated, a possible father's name not compared), and no such pair
 * is alike.
 */
function familyNamesConflict(a: NormalizedIdentityRecord[] | null, b: NormalizedIdentityRecord[] | null): boolean {
  if (!a || !b || a.length === 0 || b.length === 0) return false;
  let compared = false;
  for (const x of a) {
    for (const y of b) {
      const n = compareNames(x, y);
      if (!n || Number.isNaN(n.last)) continue;
      if (n.last >= 0.7) return false;
      compared = true;
    }
  }
  return compared;
}

export type TraitConflict = "phone" | "email" | "postcode" | "birthDate" | "familyName";

/** The fields two clusters disagree on: both know the field and no value of one matches the other's. */
export function listTraitConflicts(a: ClusterTraits, b: ClusterTraits): TraitConflict[] {
  const out: TraitConflict[] = [];
  if (conflicts(a.phones, b.phones, samePhone)) out.push("phone");
  if (conflicts(a.emails, b.emails, sameEmail)) out.push("email");
  if (conflicts(a.postcodes, b.postcodes, samePostcode)) out.push("postcode");
  if (conflicts(a.births, b.births, sameBirth)) out.push("birthDate");
  if (familyNamesConflict(a.names, b.names)) out.push("familyName");
  return out;
}

/** Whether two clusters disagree on too many fields to be one person (see MIN_TRAIT_CONFLICTS_TO_REFUSE). */
export function traitsConflict(a: ClusterTraits, b: ClusterTraits): boolean {
  let n = 0;
  if (conflicts(a.phones, b.phones, samePhone)) n++;
  if (conflicts(a.emails, b.emails, sameEmail)) n++;
  if (conflicts(a.postcodes, b.postcodes, samePostcode)) n++;
  if (n >= MIN_TRAIT_CONFLICTS_TO_REFUSE) return true;
  if (conflicts(a.births, b.births, sameBirth)) n++;
  if (n === 0 || n >= MIN_TRAIT_CONFLICTS_TO_REFUSE) return n >= MIN_TRAIT_CONFLICTS_TO_REFUSE;
  // Names last: the dearest comparison, needed only when one field disagrees already.
  return n + 1 >= MIN_TRAIT_CONFLICTS_TO_REFUSE && familyNamesConflict(a.names, b.names);
}
