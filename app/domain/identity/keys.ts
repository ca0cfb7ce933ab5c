import { toCoarseSkeleton } from "./phonetic";
import type { NormalizedIdentityRecord } from "./record";

/**
 * Deterministic keys of a record: one per linkable identifier ("e:<email>", "p:<E.164>",
 * "x:<external id>"). The database indexes these for exact lookups.
 */
export function getDeterministicKeys(r: NormalizedIdentityRecord): string[] {
  const keys: string[] = [];
  if (r.email) keys.push(`e:${r.email}`);
  if (r.phone) keys.push(`p:${r.phone}`);
  if (r.externalId) keys.push(`x:${r.externalId}`);
  return keys;
}

/**
 * Blocking keys: records are only scored against records sharing one of these, so cost grows
 * with block sizes instead of n². Each key pairs a sound-alike name part with one more field,
 * and names enter as an unordered pair so first/last swaps still meet. Several keys per record
 * let a typo in any one field be caught by another key.
 */
export function getBlockingKeys(r: NormalizedIdentityRecord): string[] {
  const keys: string[] = [];
  visitBlockingKeys(r, (tag, x, sep, y) => keys.push(tag + x + sep + y));
  return keys;
}

/**
 * The blocking keys of getBlockingKeys, each given in four parts to concatenate (tag, value,
 * separator, value): batch resolution hashes the parts of millions of keys without building them.
 */
export function visitBlockingKeys(r: NormalizedIdentityRecord, visit: (tag: string, x: string, sep: string, y: string) => void): void {
  const fs = r.first && r.first.text.length > 1 ? toCoarseSkeleton(r.first.phonetic.skeleton) : "";
  const ls = r.last && r.last.text.length > 1 ? toCoarseSkeleton(r.last.phonetic.skeleton) : "";
  if (!fs && !ls) return;
  const pair = fs && ls ? (fs < ls ? `${fs}|${ls}` : `${ls}|${fs}`) : fs || ls;
  // Keys are specific on purpose: a key whose block grows with the dataset (one name in a city)
  // makes cost quadratic, and such blocks could not link anyone on their own anyway.
  if (r.postcode) visit("np:", pair, ":", r.postcode);
  if (r.birthDate) {
    const birth = String(r.birthDate);
    if (fs) visit("tb:", fs, ":", birth);
    if (ls) visit("tb:", ls, ":", birth);
  }
  if (r.address) {
    // The first name alone at an address too: "Rahaf Khaled" (her father) and "Rahaf Alasiri"
    // meet. Not the family name alone: at one address that only pairs a household's members.
    // (A record with a first name only has pair === fs, so it meets both kinds.)
    visit("na:", pair, ":", r.address);
    if (fs && fs !== pair) visit("na:", fs, ":", r.address);
  }
  if (r.phone) {
    // A one-digit typo leaves either the head or the tail of the number intact.
    visit("ph:", r.phone.slice(0, -5), ":", pair);
    visit("pt:", r.phone.slice(-5), ":", pair);
  }
  if (r.email) {
    const user = r.email.slice(0, r.email.indexOf("@"));
    if (user.length >= 6) visit("eu:", user, "", "");
  }
}
