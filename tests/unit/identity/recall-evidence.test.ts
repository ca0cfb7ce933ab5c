import { describe, expect, it } from "vitest";
import {
  compareNameTokens,
  DEFAULT_MATCH_WEIGHTS,
  IdentityIndex,
  isContestedIdentifier,
  NameTokenTable,
  normalizeAddress,
  NormalizationContext,
  normalizeIdentityRecord,
  pairConflicts,
  resolveIdentities,
  scorePair,
  tokenJaccard,
  toNameTokens,
  type RawIdentityRecord,
} from "~/domain/identity";

const normalizeAll = (rows: Array<Omit<RawIdentityRecord, "id">>) => {
  const ctx = new NormalizationContext("SA");
  return rows.map((r, i) => normalizeIdentityRecord({ id: String(i + 1), ...r }, ctx));
};

/** Clusters as lists of record positions, the same in batch and incremental (checked here). */
function clustersOf(rows: Array<Omit<RawIdentityRecord, "id">>): number[][] {
  const records = normalizeAll(rows);
  const result = resolveIdentities(records);
  const groups = new Map<number, number[]>();
  result.clusterOf.forEach((c, i) => groups.set(c, [...(groups.get(c) ?? []), i]));
  const index = new IdentityIndex();
  for (const r of records) index.add(r);
  expect(index.listClusters()).toEqual([...groups.values()]);
  return [...groups.values()];
}

describe("contested identifiers: one person's swapped or abbreviated name is not a second person", () => {
  it.each([
    // A swapped record with a father's name (first_name "Alshehri Bandar", last_name "Abd Allah").
    [[["Alshehri Bandar", "Abd Allah"], ["عبدالله", "الشهري"]], false],
    [[["Al-Otaibi", "Talal"], ["Talal", "Alotaibi"]], false],
    // An initial across scripts cannot be checked.
    [[["لمى", "القحطاني"], ["L.", "Qahtani"]], false],
    // Still a household: two first names, whatever the order.
    [[["Ahmed", "Al-Harbi"], ["Al-Harbi", "Sara"]], true],
    [[["Ahmed", "Al-Harbi"], ["S.", "Al-Harbi"]], true],
    // A single name token is compared by first name only (it could be anyone in the family).
    [[["Al-Harbi", ""], ["Sara", "Al-Harbi"]], true],
  ])("%j contested: %s", (names, contested) => {
    const records = normalizeAll(names.map(([first_name, last_name]) => ({ first_name, last_name, phone: "0503334444" })));
    expect(isContestedIdentifier(records)).toBe(contested);
  });

  it("a nameless record on the phone of one person with a swapped record joins that person", () => {
    const phone = "0587793982";
    expect(
      clustersOf([
        { first_name: "Alshehri Bandar", last_name: "Abd Allah", phone },
        { first_name: "عبدالله", last_name: "الشهري", phone },
        { phone },
      ]),
    ).toEqual([[0, 1, 2]]);
  });
});

describe("names that share their consonants but are two names", () => {
  const table = new NameTokenTable();
  const token = (s: string) => table.get(toNameTokens(s)[0]);
  it.each([
    ["Ahmad", "Hamad"], // a leading vowel is written in every script
    ["Ahmed", "Hamid"],
    ["أحمد", "حمد"],
    ["Saad", "Saud"], // Sa'ud: the long vowel is the u
  ])("%s / %s are different first names", (x, y) => {
    expect(compareNameTokens(token(x), token(y))).toBeLessThan(0.8);
  });

  it.each([
    ["Saud", "سعود"],
    ["Saud", "Saoud"],
    ["Ahmed", "أحمد"],
    ["Omar", "عمر"],
    ["Ibrahim", "إبراهيم"],
    ["Alanoud", "العنود"],
    ["Aisha", "عائشة"],
    ["Mohamned", "Mohammed"], // a Latin typo after the first letter is still rescued by spelling
  ])("%s / %s are still one name", (x, y) => {
    expect(compareNameTokens(token(x), token(y))).toBeGreaterThanOrEqual(0.9);
  });
});

describe("addresses across scripts", () => {
  it("translated street titles (King, Prince) do not keep an English and an Arabic address apart", () => {
    const en = normalizeAddress("3392 Prince Sultan St, Al Malqa") as string;
    const ar = normalizeAddress("شارع الأمير سلطان ٣٣٩٢ حي الملقا") as string;
    expect(tokenJaccard(en, ar)).toBe(1);
  });

  it("the same first name at the same address meets even when the last names differ (a father's name)", () => {
    const address = { postcode: "21006", city: "Jeddah" };
    expect(
      clustersOf([
        { first_name: "Rahaf Khaled", address1: "شارع الأمير سلطان ٣٣٩٢ حي الملقا", ...address },
        { first_name: "Rahaf", last_name: "Alasiri", address1: "3392 Prince Sultan St, Al Malqa", ...address },
      ]),
    ).toEqual([[0, 1]]);
  });

  it("a record with a first name only meets the full name at the same address", () => {
    const address = { postcode: "11055", city: "Riyadh" };
    expect(
      clustersOf([
        { first_name: "Sara", address1: "طريق عثمان بن عفان ٤٣٣٥ حي الفيصلية", ...address },
        { first_name: "سارة محمد", last_name: "فلمبان", address1: "4335 Uthman bin Affan Rd, Al Faisaliyah", ...address },
      ]),
    ).toEqual([[0, 1]]);
  });

  it("the same first name at the same address meets when the two records carry different phones (a household's and her own)", () => {
    const address = { address1: "6147 Al Madinah Rd, Al Sulaimaniyah", postcode: "24091" };
    expect(
      clustersOf([
        { first_name: "Sara", last_name: "Aldosari", phone: "0561333151", city: "مكة المكرمة", ...address },
        { first_name: "Sara", phone: "0548812207", city: "Makkah", ...address },
        { first_name: "Noura", phone: "0548812207", city: "Makkah", ...address },
      ]),
    ).toEqual([[0, 1], [2]]);
  });

  it("a household's members at one address stay apart", () => {
    const address = { address1: "5540 Uthman bin Affan Rd, Al Malqa", postcode: "32010", city: "Dammam" };
    expect(
      clustersOf([
        { first_name: "Saad", last_name: "Alharbi", ...address },
        { full_name: "Saud Alharbi", ...address },
        { first_name: "Hamad", last_name: "Al-Harbi", ...address },
        { first_name: "Ahmad", last_name: "Alharbi", ...address },
      ]),
    ).toEqual([[0], [1], [2], [3]]);
  });
});

describe("a Latin keystroke typo in a first name on a shared identifier", () => {
  const ctx = new NormalizationContext("SA");
  const rec = (first: string, last: string) => normalizeIdentityRecord({ id: first, first_name: first, last_name: last, phone: "0561234567" }, ctx);
  const score = (x: string, y: string) =>
    scorePair(rec(x, "Al-Harbi"), rec(y, "الحربي"), { weights: DEFAULT_MATCH_WEIGHTS, isJunk: () => false }, true);

  it.each([
    ["Buhsra", "بشرى"], // the sh of Bushra broken by a swap
    ["Rsahed", "راشد"],
    ["Aihsa", "عائشة"], // a short name: the undone spelling must match with its vowels
    ["Adballah", "عبدالله"], // the first consonant of a name starting with a vowel
    ["Amhad", "أحمد"],
  ])("%s / %s: one person, not a family's phone", (x, y) => {
    const s = score(x, y);
    expect(s.names?.first).toBeLessThan(0.7);
    expect(s.firstNameTypo).toBe(true);
    expect(pairConflicts(s)).toBe(false);
  });

  it.each([
    ["Adel", "عبدالله"],
    ["Abdullah", "عادل"], // a dropped letter is not undone: Abdullah without its b is Adlah
    ["Osman", "أيمن"],
    ["Ayman", "عثمان"],
    ["Sara", "رنا"],
  ])("%s / %s: still two people", (x, y) => {
    const s = score(x, y);
    expect(s.firstNameTypo).toBe(false);
    expect(pairConflicts(s)).toBe(true);
  });
});

describe("one email typed at a misspelt domain", () => {
  it.each([
    ["noura1234@hotmial.com", "noura1234@hotmail.com", [[0, 1]]],
    ["noura1234@gmial.com", "Noura1234@gmail.com", [[0, 1]]],
    // The same user name at another provider is weaker: a first name alone does not add enough.
    ["noura1234@yahoo.com", "noura1234@hotmail.com", [[0], [1]]],
  ])("%s and %s, both Noura: %j", (x, y, clusters) => {
    expect(clustersOf([{ first_name: "Noura", email: x }, { first_name: "نورة", email: y }])).toEqual(clusters);
  });
});
