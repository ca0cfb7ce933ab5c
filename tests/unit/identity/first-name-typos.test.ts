import { describe, expect, it } from "vitest";
import { DEFAULT_MATCH_WEIGHTS, NormalizationContext, normalizeIdentityRecord, oneTypoApart, pairConflicts, scorePair } from "~/domain/identity";

const ctx = new NormalizationContext("SA");
const rec = (first: string, last: string, phone = "0561234567") => normalizeIdentityRecord({ id: `${first} ${last}`, first_name: first, last_name: last, phone }, ctx);
const score = (a: ReturnType<typeof rec>, b: ReturnType<typeof rec>) => scorePair(a, b, { weights: DEFAULT_MATCH_WEIGHTS, isJunk: () => false }, true);

describe("first names one typo apart on a shared identifier", () => {
  it.each([
    ["Raaf", "رهف"], // Rahaf with the h dropped
    ["Faial", "فيصل"], // Faisal with the s dropped
    ["Khooud", "خلود"], // Kholoud with the l dropped
    ["Mahael", "مشاعل"], // Mashael with the s dropped
  ])("%s / %s share a phone: one person, not a family's phone", (x, y) => {
    const a = rec(x, "Al-Qahtani");
    const b = rec(y, "القحطاني");
    const s = score(a, b);
    expect(s.deterministic).toBe(true);
    expect(s.names?.first).toBeLessThan(0.7);
    expect(s.firstNameTypo).toBe(true);
    expect(pairConflicts(s)).toBe(false);
  });

  it.each([
    ["Sara", "Noura"],
    ["Reem", "Lama"],
    ["Fahad", "Majed"],
    ["Ahmed", "Mohammed"], // one consonant apart but not the same first sound: still two people
    ["Turki", "Saud"],
  ])("%s / %s share a phone: still a household, not linked", (x, y) => {
    const s = score(rec(x, "Al-Harbi"), rec(y, "Al-Harbi"));
    expect(s.deterministic).toBe(true);
    expect(s.firstNameTypo).toBe(false);
    expect(pairConflicts(s)).toBe(true);
  });

  it("needs a shared identifier: on names alone a typo is no evidence", () => {
    const s = score(rec("Raaf", "Al-Qahtani", "0561234567"), rec("رهف", "القحطاني", "0597654321"));
    expect(s.deterministic).toBe(false);
    expect(s.firstNameTypo).toBe(false);
  });

  it("compares sound skeletons across scripts", () => {
    const t = (x: string) => normalizeIdentityRecord({ id: x, first_name: x }, ctx).first!;
    expect(oneTypoApart(t("Faial"), t("فيصل"))).toBe(true);
    expect(oneTypoApart(t("Sara"), t("Noura"))).toBe(false);
    // Two-consonant names are too short to tell a typo from another name.
    expect(oneTypoApart(t("Hd"), t("Hn"))).toBe(false);
  });
});
