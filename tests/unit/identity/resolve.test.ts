import { describe, expect, it } from "vitest";
import {
  countDistinctNames,
  IdentityIndex,
  NormalizationContext,
  normalizeIdentityRecord,
  resolveIdentities,
  type RawIdentityRecord,
} from "~/domain/identity";
import { generateIdentityRecords, scorePairs } from "../../../bench/identity-data";

function normalize(rows: RawIdentityRecord[]) {
  const ctx = new NormalizationContext("SA");
  return rows.map((r) => normalizeIdentityRecord(r, ctx));
}

/** Partition as sorted lists of sorted indices, so two clusterings compare with toEqual. */
function partition(clusterOf: ArrayLike<number>): number[][] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < clusterOf.length; i++) {
    const g = groups.get(clusterOf[i]) ?? [];
    g.push(i);
    groups.set(clusterOf[i], g);
  }
  return [...groups.values()].sort((a, b) => a[0] - b[0]);
}

describe("batch resolution on generated records with known truth", () => {
  it("keeps pairwise precision at least 0.99 and recall at least 0.80 on 5,000 records", () => {
    const rows = generateIdentityRecords({ records: 5000, seed: 11 });
    const result = resolveIdentities(normalize(rows));
    const q = scorePairs(result.clusterOf, rows.map((r) => r.person));
    expect(q.precision).toBeGreaterThanOrEqual(0.99);
    expect(q.recall).toBeGreaterThanOrEqual(0.8);
  });

  it("links an online and a POS record of one person through a phone typed in Arabic-Indic digits", () => {
    const records = normalize([
      { id: "web-1", first_name: "Mohammed", last_name: "Al-Qahtani", email: "m.q@gmail.com", phone: "+966 50 123 4567" },
      { id: "pos-1", first_name: "محمد", last_name: "القحطاني", phone: "٠٥٠١٢٣٤٥٦٧" },
      { id: "web-2", first_name: "Muhammad", last_name: "Alkahtani", email: "mq+shop@googlemail.com" },
    ]);
    const result = resolveIdentities(records, { explain: true });
    expect(Array.from(result.clusterOf)).toEqual([0, 0, 0]);
    expect(result.links.map((l) => l.reasons?.[0].text)).toEqual(["same email mq@gmail.com", "same phone +966501234567"]);
    expect(result.links[1].reasons?.[0]).toMatchObject({ code: "SAME_PHONE", params: { phone: "+966501234567" } });
  });

  it("does not link two different people who only share a common name and a city", () => {
    const records = normalize([
      { id: "1", first_name: "Mohammed", last_name: "Al-Qahtani", city: "Riyadh", phone: "0501111111" },
      { id: "2", first_name: "محمد", last_name: "القحطاني", city: "الرياض", phone: "0552222222" },
    ]);
    expect(resolveIdentities(records).clusterCount).toBe(2);
  });

  it("keeps family members who share a phone apart and links each one's records", () => {
    const records = normalize([
      { id: "1", first_name: "Ahmed", last_name: "Al-Otaibi", phone: "0503334444" },
      { id: "2", first_name: "Sara", last_name: "Al-Otaibi", phone: "0503334444" },
      { id: "3", first_name: "أحمد", last_name: "العتيبي", phone: "٠٥٠٣٣٣٤٤٤٤" },
      { id: "4", first_name: "سارة", last_name: "العتيبي", phone: "00966503334444" },
    ]);
    expect(partition(resolveIdentities(records).clusterOf)).toEqual([[0, 2], [1, 3]]);
  });

  it("counts records with nothing usable and gives each its own cluster", () => {
    const records = normalize([{ id: "1" }, { id: "2", first_name: "walk-in" }, { id: "3", phone: "12" }]);
    const result = resolveIdentities(records);
    expect(result.unusableCount).toBe(3);
    expect(result.clusterCount).toBe(3);
  });
});

describe("junk identifiers", () => {
  const first = ["Ahmed", "Sara", "Khalid", "Noura", "Faisal", "Reem", "Omar", "Hind", "Majed", "Lama"];
  const last = [
    "Al-Harbi", "Al-Ghamdi", "Al-Shehri", "Al-Zahrani", "Al-Mutairi", "Al-Anazi", "Al-Dosari", "Al-Malki", "Al-Yami", "Al-Faifi",
    "Al-Subaie", "Al-Omari", "Al-Asiri", "Al-Juhani", "Al-Sulami", "Al-Harthi", "Al-Balawi", "Al-Ahmadi", "Al-Kaabi", "Bawazir",
  ];

  it("keeps 200 walk-in records typed with the store's phone as 200 separate people", () => {
    const walkIns: RawIdentityRecord[] = Array.from({ length: 200 }, (_, i) => ({
      id: `walk-${i}`,
      first_name: first[i % 10],
      last_name: last[Math.floor(i / 10)],
      phone: i % 2 ? "0112345678" : "٠١١٢٣٤٥٦٧٨",
    }));
    const result = resolveIdentities(normalize(walkIns));
    expect(result.clusterCount).toBe(200);
    expect(result.junk).toEqual([
      { key: "p:+966112345678", code: "MANY_DISTINCT_NAMES", records: 200, distinctNames: 6, text: "+966112345678 is used by 6+ different names" },
    ]);
  });

  it("does not chain walk-ins of one name through a customer whose phone is one digit off the store's", () => {
    // Two different walk-ins called Fatimah Al-Qahtani on the store's phone, six more names on it
    // (so it is junk), and a customer of that name whose own phone differs from it by one digit.
    const store = "0591234567";
    const others = ["Ahmed", "Sara", "Khalid", "Noura", "Omar", "Reem"];
    const rows: RawIdentityRecord[] = [
      { id: "customer", first_name: "فاطمة", last_name: "القحطاني", phone: "0591234568" },
      { id: "walk-in 1", first_name: "Fatimah", last_name: "Al-Qahtani", phone: store },
      { id: "walk-in 2", first_name: "فاطمة", last_name: "القحطاني", phone: store },
      ...others.map((first_name, i) => ({ id: `walk-in ${i + 3}`, first_name, last_name: "Al-Harbi", phone: store })),
    ];
    const records = normalize(rows);
    const result = resolveIdentities(records);
    expect(result.junk.map((j) => j.key)).toEqual(["p:+966591234567"]);
    expect(result.clusterCount).toBe(rows.length);
    // Incrementally the phone becomes junk only with the sixth name, after the links were made.
    const index = new IdentityIndex();
    for (const r of records) index.add(r);
    expect(index.listClusters()).toEqual(partition(result.clusterOf));
  });

  it("never links through a placeholder email or phone", () => {
    const records = normalize([
      { id: "1", first_name: "Ali", email: "test@test.com", phone: "0500000000" },
      { id: "2", first_name: "Ali", email: "TEST@test.com", phone: "٠٥٠٠٠٠٠٠٠٠" },
    ]);
    expect(resolveIdentities(records).clusterCount).toBe(2);
  });

  it("obeys the merchant: an added identifier stops linking, a removed one links again", () => {
    const rows: RawIdentityRecord[] = Array.from({ length: 8 }, (_, i) => ({ id: String(i), first_name: first[i], phone: "0501230000" }));
    rows.push({ id: "8", first_name: "Ahmed", phone: "0509998888" }, { id: "9", first_name: "أحمد", phone: "٠٥٠٩٩٩٨٨٨٨" });
    const records = normalize(rows);
    const base = { minDistinctNames: 6, maxRecordsPerIdentifier: 1000 };
    const marked = resolveIdentities(records, { junk: { ...base, add: new Set(["p:+966509998888"]), remove: new Set() } });
    expect(marked.clusterOf[8]).not.toBe(marked.clusterOf[9]);
    const unmarked = resolveIdentities(records, { junk: { ...base, add: new Set(), remove: new Set(["p:+966501230000"]) } });
    expect(unmarked.clusterOf[8]).toBe(unmarked.clusterOf[9]);
    expect(unmarked.junk).toEqual([]);
  });
});

describe("rejections and incremental resolution", () => {
  const rows: RawIdentityRecord[] = [
    { id: "a", first_name: "Khalid", last_name: "Al-Harbi", email: "k.harbi@gmail.com" },
    { id: "b", first_name: "خالد", last_name: "الحربي", email: "kharbi@gmail.com", phone: "0551112222" },
    { id: "c", first_name: "Khaled", last_name: "Alharbi", phone: "+966551112222" },
    { id: "d", first_name: "Khalid", last_name: "Al-Harbi", phone: "0551112222", postcode: "11564" },
  ];

  it("keeps a merchant's rejection when the same records are matched again", () => {
    const records = normalize(rows);
    expect(resolveIdentities(records).clusterCount).toBe(1);
    const again = resolveIdentities(records, { rejected: [[0, 3]] });
    expect(again.clusterOf[0]).not.toBe(again.clusterOf[3]);
    const index = new IdentityIndex();
    records.forEach((r) => index.add(r));
    index.reject(0, 3);
    expect(index.getClusterOf(0)).not.toBe(index.getClusterOf(3));
    const later = index.add(normalize([{ id: "e", first_name: "Khalid", email: "k.harbi+x@googlemail.com", phone: "0551112222" }])[0]);
    expect(index.getClusterOf(0)).not.toBe(index.getClusterOf(3));
    expect(later.attached).toBe(true);
  });

  it("attaches a new record to an existing cluster and says why", () => {
    const index = new IdentityIndex();
    normalize(rows.slice(0, 2)).forEach((r) => index.add(r));
    const result = index.add(normalize([rows[2]])[0]);
    expect(result).toMatchObject({ index: 2, clusterRepresentative: 0, attached: true });
    expect(result.links[0].reasons?.map((r) => r.code)).toEqual(["SAME_PHONE", "NAME_MATCH", "NAME_MATCH"]);
  });

  it("gives the same clusters incrementally as in batch on 3,000 generated records", () => {
    const records = normalize(generateIdentityRecords({ records: 3000, seed: 5 }));
    const batch = resolveIdentities(records);
    const index = new IdentityIndex();
    for (const r of records) index.add(r);
    const incremental = index.listClusters().sort((a, b) => a[0] - b[0]);
    expect(incremental).toEqual(partition(batch.clusterOf));
  });
});

describe("distinct names on a shared identifier", () => {
  it.each([
    // One person: swapped, a letter dropped, across scripts.
    [[["Khalid", "Al-Harbi"], ["Al-Harbi", "Khalid"], ["Kaled", "Al-Harbi"], ["خالد", "الحربي"]], 1],
    // A household: two people, whatever the spellings.
    [[["Khalid", "Al-Harbi"], ["Sara", "Al-Harbi"], ["Al-Harbi", "Sara"], ["Kaled", "Al-Harbi"]], 2],
    // Walk-ins on the store's phone.
    [[["Ahmed", "Al-Harbi"], ["Sara", "Al-Ghamdi"], ["Khalid", "Al-Shehri"], ["Noura", "Al-Zahrani"]], 4],
  ] as Array<[Array<[string, string]>, number]>)("%j: %i", (names, distinct) => {
    const records = normalize(names.map(([first_name, last_name], i) => ({ id: String(i), first_name, last_name, phone: "0554433221" })));
    expect(countDistinctNames(records, 6)).toBe(distinct);
  });
});
