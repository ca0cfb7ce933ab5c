import { describe, expect, it } from "vitest";
import { compareNames, DEFAULT_MATCH_WEIGHTS, isContestedIdentifier, NormalizationContext, normalizeIdentityRecord, oneTypoApart, pairConflicts, scorePair } from "~/domain/identity";

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

describe("a letter dropped from a Latin first name on a shared identifier", () => {
  it.each([
    ["Kaled", "خالد"], // the h of kh dropped: the first sound changes, the name does not
    ["Ohman", "عثمان"], // Othman with the t of th dropped
    ["Amad", "أحمد"], // an h before the first consonant: the one letter put back there
  ])("%s / %s share a phone: one person", (x, y) => {
    const s = score(rec(x, "Al-Qahtani"), rec(y, "القحطاني"));
    expect(s.names?.first).toBeLessThan(0.7);
    expect(s.firstNameTypo).toBe(true);
    expect(pairConflicts(s)).toBe(false);
  });

  it.each([
    ["Adel", "عبدالله"], // a b put back makes Abdel, an Abd name: another name
    ["Ayman", "عثمان"], // a consonant put back before the first one: another name
    ["Hamd", "محمد"],
  ])("%s / %s share a phone: still two people", (x, y) => {
    const s = score(rec(x, "Al-Harbi"), rec(y, "الحربي"));
    expect(s.firstNameTypo).toBe(false);
    expect(pairConflicts(s)).toBe(true);
  });
});

describe("swapped names with a father's name", () => {
  const ctx2 = new NormalizationContext("SA");
  const person = (first_name: string, last_name: string) => normalizeIdentityRecord({ id: `${first_name}/${last_name}`, first_name, last_name, phone: "0561234567" }, ctx2);
  it.each([
    // "Fatma Hamad" is Fatma, daughter of Hamad; "Al-Mutairi / Fatma" has her names swapped.
    ["Fatma Hamad", "", "المطيري", "فاطمة", { first: 1, last: Number.NaN, swapped: true }],
    ["Mohamed Ahmed", "", "Al-Dosari", "Mohamed", { first: 1, last: Number.NaN, swapped: true }],
    // Ahmed son of Mohamed and a Mohamed (his father, perhaps): the father's name is not his name.
    ["Ahmed Mohamed", "", "Al-Dosari", "Mohamed", { first: 0, last: 1, swapped: false }],
  ])("%s %s / %s %s compare as %j", (f1, l1, f2, l2, expected) => {
    const n = compareNames(person(f1, l1), person(f2, l2));
    expect(n).toEqual(expected);
    expect(pairConflicts({ names: n, sharedIdentifiers: 1 })).toBe(expected.first < 0.7);
  });
});

describe("a phone is not contested by one person's misspelt first name", () => {
  const ctx3 = new NormalizationContext("SA");
  const on = (...names: Array<[string, string]>) => names.map(([first_name, last_name], i) => normalizeIdentityRecord({ id: String(i), first_name, last_name, phone: "0503334444" }, ctx3));
  it.each([
    [[["Kaled", "Qahtani"], ["خالد", "القحطاني"]], false],
    [[["Kaled", ""], ["خالد", ""]], false],
    [[["Khaled", "Qahtani"], ["Majed", "Qahtani"]], true],
    [[["Adel", "Qahtani"], ["عبدالله", "القحطاني"]], true],
  ] as Array<[Array<[string, string]>, boolean]>)("%j contested: %s", (names, contested) => {
    expect(isContestedIdentifier(on(...names))).toBe(contested);
  });
});

describe("a family name one typo from the other", () => {
  it.each([
    ["Al-Ghmadi", "الغامدي", 0.5], // two letters swapped: weak evidence for
    ["Al-Sheri", "الشهري", 0.5], // the h of sh dropped
    ["Al-Shehri", "Al-Shammari", -4], // one consonant apart, but another family
    ["Al-Harbi", "Al-Ghamdi", -4],
  ])("%s / %s adds %d to the score", (x, y, weight) => {
    const s = score(rec("Noura", x, "0561234567"), rec("Noura", y, "0597654321"));
    expect(s.reasons?.find((r) => r.code === "NAME_MATCH" && r.params.part === "last" || r.code === "LAST_NAME_DIFFERENT")?.weight).toBe(weight);
  });
});

describe("an initial vowel", () => {
  it.each([
    ["I.", "Ebrahim", true], // Ibrahim spelt with an E
    ["O.", "Umar", true],
    ["I.", "Ahmed", false],
    ["I.", "Omar", false],
  ])("%s agrees with %s: %s", (initial, name, agrees) => {
    const s = score(rec(initial, "Al-Harbi"), rec(name, "Al-Harbi"));
    expect(pairConflicts(s)).toBe(!agrees);
  });
});
