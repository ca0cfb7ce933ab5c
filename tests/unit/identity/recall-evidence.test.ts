import { describe, expect, it } from "vitest";
import {
  IdentityIndex,
  isContestedIdentifier,
  NormalizationContext,
  normalizeIdentityRecord,
  resolveIdentities,
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
