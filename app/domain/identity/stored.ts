import { normalizeEmail } from "./email";
import { normalizePhone } from "./phone";
import type { RawIdentityRecord } from "./record";
import { foldText, toAsciiDigits } from "./text";

/**
 * Version of the keys derived from a stored record (identifiers and blocking keys, stored as
 * IdentityKey rows). Bump it with any change to normalization or keys that changes what a stored
 * record is found by: the database path re-keys a shop whose rows are older (Shop.identityKeysVersion)
 * in a background job, enqueued when workers start and by its next identity work, else new
 * records silently miss its members.
 * 1: a leading Bin is part of the family name (006bca0). tests/unit/identity/keys-version.test.ts
 * fails when sample records' keys change without a bump.
 */
export const IDENTITY_KEYS_VERSION = 1;

/** Kinds of stored identity keys (the IdentityKeyKind enum of the database). */
export type StoredKeyKind = "EMAIL" | "PHONE" | "EXTERNAL" | "BLOCK";

const DET_KIND: Record<string, StoredKeyKind> = { e: "EMAIL", p: "PHONE", x: "EXTERNAL" };

/** Domain key ("p:+9665…", "np:…") to the (kind, value) stored in IdentityKey / JunkIdentifier. */
export function toKeyRow(key: string): { kind: StoredKeyKind; value: string } {
  const kind = key[1] === ":" ? DET_KIND[key[0]] : undefined;
  return kind ? { kind, value: key.slice(2) } : { kind: "BLOCK", value: key };
}

export function fromKeyRow(kind: StoredKeyKind, value: string): string {
  if (kind === "BLOCK") return value;
  return `${kind === "EMAIL" ? "e" : kind === "PHONE" ? "p" : "x"}:${value}`;
}

export const isDeterministicKey = (key: string) => key[1] === ":" && key[0] in DET_KIND;

/** Stored with a member: the raw fields plus the E.164 phone used for display and search. */
export type StoredRecord = RawIdentityRecord & { e164?: string };

/** The stored form of a raw record: the fields plus the E.164 phone and the folded search text. */
export function toStoredRecord(raw: RawIdentityRecord, country: string): { record: StoredRecord; searchText: string } {
  const phone = raw.phone ? normalizePhone(raw.phone, country) : null;
  const email = normalizeEmail(raw.email);
  const record: StoredRecord = { ...raw };
  for (const k of Object.keys(record) as Array<keyof StoredRecord>) if (record[k] === undefined || record[k] === null || record[k] === "") delete record[k];
  if (phone?.valid) record.e164 = phone.value;
  const name = [raw.first_name, raw.last_name, raw.full_name].filter(Boolean).join(" ");
  const parts = [foldText(name), email?.value ?? raw.email?.toLowerCase(), phone?.valid ? phone.value : raw.phone ? toAsciiDigits(raw.phone).replace(/\D/g, "") : null];
  return { record, searchText: ` ${parts.filter(Boolean).join(" ")} ` };
}
