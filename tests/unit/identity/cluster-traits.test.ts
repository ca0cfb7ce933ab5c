import { describe, expect, it } from "vitest";
import {
  ConstrainedUnionFind,
  IdentityIndex,
  listTraitConflicts,
  mergeTraits,
  NormalizationContext,
  normalizeIdentityRecord,
  resolveIdentities,
  traitsConflict,
  traitsOfRecord,
  type ClusterTraits,
  type RawIdentityRecord,
} from "~/domain/identity";

const ctx = new NormalizationContext("SA");
const noJunk = () => false;
let serial = 0;
const rec = (r: Omit<RawIdentityRecord, "id">) => normalizeIdentityRecord({ id: `t${serial++}`, ...r }, ctx);
/** Traits of a cluster made of these records. */
const traits = (...rows: Array<Omit<RawIdentityRecord, "id">>): ClusterTraits =>
  rows.map((r) => traitsOfRecord(rec(r), noJunk)).reduce((a, b) => mergeTraits(a, b));

const noura = { first_name: "Noura", last_name: "Al-Qahtani", phone: "0551234567", email: "noura1234@gmail.com", postcode: "11001", birth_date: "1990-04-12" };

describe("cluster traits: two clusters that disagree on two fields are two people", () => {
  const cases: Array<[string, ClusterTraits, ClusterTraits, string[]]> = [
    ["one phone each, nothing else known", traits({ phone: "0551234567" }), traits({ phone: "0559876543" }), ["phone"]],
    ["phones and postcodes differ", traits({ phone: "0551234567", postcode: "11001" }), traits({ phone: "0559876543", postcode: "21005" }), ["phone", "postcode"]],
    ["phones one digit apart are the same phone mistyped", traits({ phone: "0551234567", postcode: "11001" }), traits({ phone: "0551234568", postcode: "21005" }), ["postcode"]],
    ["the same email user at another provider agrees", traits({ email: "noura1234@gmail.com", phone: "0551234567" }), traits({ email: "noura1234@hotmail.com", phone: "0559876543" }), ["phone"]],
    ["emails and birth dates differ", traits({ email: "noura1234@gmail.com", birth_date: "1990-04-12" }), traits({ email: "noura77@yahoo.com", birth_date: "1985-01-30" }), ["email", "birthDate"]],
    ["a birth date one field off agrees", traits({ email: "noura1234@gmail.com", birth_date: "1990-04-12" }), traits({ email: "noura77@yahoo.com", birth_date: "1990-04-13" }), ["email"]],
    ["family names and phones differ", traits({ first_name: "Noura", last_name: "Al-Qahtani", phone: "0551234567" }), traits({ first_name: "Noura", last_name: "Al-Otaibi", phone: "0559876543" }), ["phone", "familyName"]],
    ["a family name across scripts agrees", traits({ first_name: "Noura", last_name: "Al-Qahtani", phone: "0551234567" }), traits({ first_name: "نورة", last_name: "القحطاني", phone: "0559876543" }), ["phone"]],
    ["swapped first and family name agree", traits({ first_name: "Noura", last_name: "Al-Qahtani", phone: "0551234567" }), traits({ first_name: "Al-Qahtani", last_name: "Noura", phone: "0559876543" }), ["phone"]],
    ["a household phone and an own phone: one of the two shared", traits(noura, { ...noura, phone: "0561111111" }), traits({ ...noura, phone: "0561111111", postcode: "" }), []],
    ["a field with no value on one side tells nothing", traits({ phone: "0551234567", postcode: "11001" }), traits({ phone: "0559876543" }), ["phone"]],
  ];
  it.each(cases)("%s", (_name, a, b, expected) => {
    expect(listTraitConflicts(a, b)).toEqual(expected);
    expect(traitsConflict(a, b)).toBe(expected.length >= 2);
    expect(traitsConflict(b, a)).toBe(expected.length >= 2);
  });

  it("leaves junk identifiers out of a record's traits", () => {
    const t = traitsOfRecord(rec({ phone: "0551234567", email: "test@test.com" }), (kind) => kind === "e");
    expect(t.phones).toEqual(["+966551234567"]);
    expect(t.emails).toEqual([]);
  });

  it("says nothing about a field with more distinct values than it keeps", () => {
    let t = traits({ phone: "0551000001" });
    for (let i = 2; i <= 9; i++) t = mergeTraits(t, traits({ phone: `05510000${String(i).padStart(2, "0")}` }));
    expect(t.phones).toBeNull();
    expect(listTraitConflicts(t, traits({ phone: "0569999999" }))).toEqual([]);
  });

  it("refuses such a union in the union-find unless forced (a merchant's approval)", () => {
    const all = [traits({ phone: "0551234567", postcode: "11001" }), traits({ phone: "0559876543", postcode: "21005" })];
    const uf = new ConstrainedUnionFind(2, (i) => all[i]);
    uf.grow(2);
    expect(uf.tryUnion(0, 1)).toBe(false);
    expect(uf.tryUnion(0, 1, true)).toBe(true);
    expect(uf.find(0)).toBe(uf.find(1));
  });
});

describe("resolution keeps two namesakes apart when a shared email is their only tie", () => {
  // Two Nouras in different cities: each has two records with her phone and postcode; the email
  // one of the second Noura's records carries is also on the first Noura's record (the link
  // the two clusters meet by). Without cluster traits they became one profile.
  const rows: RawIdentityRecord[] = [
    { id: "a1", first_name: "Noura", last_name: "Al-Qahtani", phone: "0551234567", postcode: "11001", email: "noura1234@gmail.com" },
    { id: "a2", first_name: "نورة", last_name: "القحطاني", phone: "+966551234567", postcode: "11001" },
    { id: "b1", full_name: "Noura", phone: "0559876543", postcode: "21005", email: "noura1234@gmail.com" },
    { id: "b2", first_name: "Nora", last_name: "Al-Otaibi", phone: "0559876543", postcode: "21005" },
  ];
  it("in batch and incrementally", () => {
    const c = new NormalizationContext("SA");
    const records = rows.map((r) => normalizeIdentityRecord(r, c));
    const batch = resolveIdentities(records);
    expect([...batch.clusterOf]).toEqual([0, 0, 1, 1]);
    const index = new IdentityIndex();
    for (const r of records) index.add(r);
    expect(index.listClusters()).toEqual([[0, 1], [2, 3]]);
  });
});
