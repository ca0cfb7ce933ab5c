import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  getBlockingKeys, getDeterministicKeys, IDENTITY_KEYS_VERSION, NormalizationContext, normalizeIdentityRecord, type RawIdentityRecord,
} from "~/domain/identity";

/** Names, scripts, connectors and fields every key kind is made of. */
const SAMPLES: RawIdentityRecord[] = [
  { id: "1", first_name: "Osama", last_name: "Bin Laden", phone: "0551239876", city: "Jeddah" },
  { id: "2", first_name: "أسامة", last_name: "بن لادن", phone: "٠٥٥١٢٣٩٨٧٦" },
  { id: "3", first_name: "Mohammed", last_name: "Al-Qahtani", email: "M.Q@gmail.com", phone: "+966 50 123 4567" },
  { id: "4", first_name: "محمد", last_name: "القحطاني", address1: "3474 Al Madinah Rd, Al Salamah", city: "الرياض", postcode: "11033" },
  { id: "5", first_name: "Abd Allah", last_name: "bin Saleh Al-Maliki", email: "abdullah9984@hotmail.com", birth_date: "1990-04-12" },
  { id: "6", first_name: "Nourah", last_name: "", phone: "0503334444", postcode: "11564" },
  { id: "7", first_name: "Dr. Fatimah", last_name: "Abu Bakr", address1: "12 King Fahd Rd", address2: "Apt 4", city: "Jeddah", postcode: "21432" },
  { id: "8", full_name: "Khalid Bawazir", email: "khalid.bawazir@outlook.sa", phone: "00966561234567" },
  { id: "9", first_name: "Ebrahim", last_name: "Al Ghamdi", email: "test@test.com", phone: "0500000000", external_id: "POS-778" },
  { id: "10", first_name: "عبدالرحمن", last_name: "آل سعود", phone: "0112345678", birth_date: "1985-12-01", postcode: "12345" },
];

describe("identity keys version", () => {
  it("derives the keys IDENTITY_KEYS_VERSION names from sample records (bump it when they change: stored keys are then re-keyed)", () => {
    const ctx = new NormalizationContext("SA");
    const keys = SAMPLES.map((r) => {
      const n = normalizeIdentityRecord(r, ctx);
      return [...getDeterministicKeys(n), ...getBlockingKeys(n)].join(" ");
    });
    const fingerprint = createHash("sha256").update(keys.join("\n")).digest("hex").slice(0, 16);
    // One line per version: a change of keys records its fingerprint with the bumped version.
    const FINGERPRINTS: Record<number, string> = { 1: "bcffaf4b132bf1b3" };
    expect({ version: IDENTITY_KEYS_VERSION, fingerprint }).toEqual({ version: IDENTITY_KEYS_VERSION, fingerprint: FINGERPRINTS[IDENTITY_KEYS_VERSION] });
  });
});
