import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  CsvRowReader,
  DEFAULT_MATCH_WEIGHTS,
  findCsvRowBoundary,
  scorePair,
  IdentityIndex,
  isContestedIdentifier,
  resolveIdentities,
  NameTokenTable,
  NormalizationContext,
  normalizeAddress,
  normalizeIdentityRecord,
  normalizePhone,
  normalizePostcode,
  pairConflicts,
  parseCountry,
  tokenJaccard,
  toNameParts,
  toNormalizedName,
  toSaudiMobileE164,
} from "~/domain/identity";
import { generateIdentityRecords, inferableGroups, toCsvLine, CSV_COLUMNS } from "../../../bench/identity-data";

describe("Saudi mobile fast path", () => {
  it.each([
    ["0501234567", "+966501234567"],
    ["501234567", "+966501234567"],
    ["966501234567", "+966501234567"],
    ["+966501234567", "+966501234567"],
    ["00966501234567", "+966501234567"],
    ["+966 50 123 4567", "+966501234567"],
    ["050-123-4567", "+966501234567"],
    ["(050) 123.4567", "+966501234567"],
    ["٠٥٠١٢٣٤٥٦٧", "+966501234567"],
    ["۰۵۰۱۲۳۴۵۶۷", "+966501234567"],
    ["+٩٦٦٥٠١٢٣٤٥٦٧", "+966501234567"],
    ["\u200e0501234567", "+966501234567"],
    ["0111234567", null], // landline: libphonenumber decides
    ["+971501234567", null], // another country
    ["0501234", null],
    ["05012345678", null],
    ["050 123 4567 ext 2", null],
    ["5+01234567", null],
    ["++966501234567", null],
    ["", null],
  ])("reads %j as %j", (raw, e164) => {
    expect(toSaudiMobileE164(raw)).toBe(e164);
  });

  it.each([["0501234567"], ["+966 50 123 4567"], ["٠٥٠٠٠٠٠٠٠٠"], ["0111234567"], ["12345"]])(
    "gives the same result as libphonenumber for %j",
    (raw) => {
      const viaLib = normalizePhone(raw, "SA");
      const ctx = new NormalizationContext("SA");
      const viaCtx = ctx.phone(raw, "SA");
      expect(viaCtx).toEqual(viaLib);
    },
  );

  it("marks a fast-path placeholder as not linkable", () => {
    expect(normalizePhone("0500000000", "SA")).toEqual({ value: "+966500000000", linkable: false, valid: true });
  });
});

describe("patronymics and uncertain last names", () => {
  it.each([
    ["Sara bin Khalid", ["sara", "khalid"], 1],
    ["Mohammed bin Salman Al Saud", ["mohammed", "salman", "saud"], 1],
    ["محمد بن سلمان", ["محمد", "سلمان"], 1],
    ["Mohammed Al-Qahtani", ["mohammed", "qahtani"], -1],
    ["bin Laden", ["binladen"], -1], // leading the field: a family name, not a father's
    ["بن لادن", ["بنلادن"], -1],
    ["Fahd bin Laden", ["fahd", "laden"], 1], // after a name it is read as a patronymic
  ])("splits %j into %j with the patronymic at %i", (raw, tokens, lineageAt) => {
    expect(toNameParts(raw)).toEqual({ tokens, lineageAt });
  });

  const table = new NameTokenTable();
  const text = (n: ReturnType<typeof toNormalizedName>) => [n.first?.text ?? null, n.middle?.text ?? null, n.last?.text ?? null, n.lastUncertain];
  it.each([
    [undefined, undefined, "Alanoud bin Abdallah", ["anoud", null, "abdlah", true]],
    [undefined, undefined, "Alanoud bin Abdallah Alharbi", ["anoud", "abdlah", "harbi", false]],
    [undefined, undefined, "Alanoud Alharbi", ["anoud", null, "harbi", false]],
    ["Alanoud Abdallah", undefined, undefined, ["anoud", null, "abdlah", true]],
    ["Alanoud Abdallah", "Al-Harbi", undefined, ["anoud", "abdlah", "harbi", false]],
    ["Alanoud", "Al-Harbi", undefined, ["anoud", null, "harbi", false]],
    ["Alanoud", undefined, undefined, ["anoud", null, null, false]],
  ])("first %j last %j full %j -> %j", (first, last, full, expected) => {
    expect(text(toNormalizedName(table, first, last, full))).toEqual(expected);
  });
});

describe("cannot-links from names on shared identifiers", () => {
  const names = (first: number, last: number) => ({ first, last, swapped: false });
  it.each([
    [names(1, 1), 1, false],
    [names(0.5, 1), 1, true], // a family's shared phone: different first names
    [names(0.5, 1), 2, false], // email and phone both agree: a typo in one name part
    [names(0.5, 0.2), 2, true], // both parts differ: still different people
    [names(1, 0.2), 1, false], // same first name, different family name on one phone: a typo
    [names(1, Number.NaN), 1, false],
    [null, 1, false],
  ])("names %j sharing %i identifiers -> conflict %s", (n, shared, conflict) => {
    expect(pairConflicts({ names: n, sharedIdentifiers: shared })).toBe(conflict);
  });

  it("does not count a possible father's name as a different last name", () => {
    const ctx = new NormalizationContext("SA");
    const a = normalizeIdentityRecord({ id: "1", full_name: "Al-Anoud bin Abd Allah", phone: "0591567194" }, ctx);
    const b = normalizeIdentityRecord({ id: "2", first_name: "Alanoud", last_name: "Alharbi", phone: "0591567194" }, ctx);
    expect([a.last?.text, a.lastUncertain, b.lastUncertain]).toEqual(["abdlah", true, false]);
  });
});

describe("allocation-free helpers", () => {
  it.each([
    ["1 2 3", "1 2 3", 1],
    ["12 fhd mlk", "12 fhd lya", 0.5],
    ["a b", "c d", 0],
    ["b a", "a c", 1 / 3], // unsorted input falls back to sets
    ["a a b", "a b", 1], // duplicates fall back to sets
    ["", "a", 0],
    ["", "", 0],
  ])("tokenJaccard(%j, %j) = %d", (a, b, j) => {
    expect(tokenJaccard(a, b)).toBeCloseTo(j, 12);
  });

  it("gives the same Jaccard for normalized English and Arabic addresses", () => {
    const a = normalizeAddress("4192 Uthman bin Affan Rd, Al Safa") as string;
    const b = normalizeAddress("طريق عثمان بن عفان ٤١٩٢ حي الصفا") as string;
    expect(tokenJaccard(a, b)).toBe(tokenJaccard(b, a));
  });

  it.each([
    ["11564", "SA", "11564"],
    ["11564-1234", "SA", "11564"],
    ["٠١١٥٦", "SA", "01156"],
    ["01156", "SA", "01156"],
    ["00000", "SA", null],
  ])("postcode %j in %s -> %j", (raw, country, expected) => {
    expect(normalizePostcode(raw, country)).toBe(expected);
  });

  it.each([["Saudi Arabia", "SA"], ["السعودية", "SA"], ["sa", "SA"], ["Narnia", null], ["Saudi Arabia", "SA"]])("country %j -> %j (cached)", (raw, code) => {
    expect(parseCountry(raw)).toBe(code);
  });
});

describe("splitting a CSV for two threads", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it.each([
    ["id,n\n1,a\n2,b\n3,c\n", 5, { offset: 5, line: 2 }],
    ["id,n\n1,a\n2,b\n3,c\n", 6, { offset: 9, line: 3 }],
    ['id,n\n1,"a\nb"\n2,c\n', 6, { offset: 13, line: 4 }], // the newline inside quotes is not a row end
    ["id,n\r\n1,a\r\n2,b\r\n", 3, { offset: 6, line: 2 }],
    ["id,n\r1,a\r2,b\r", 3, { offset: 5, line: 2 }],
    ["id,n\n1,a\n", 6, null],
  ])("cuts %j near %i at %j", (text, target, expected) => {
    expect(findCsvRowBoundary(enc(text), target)).toEqual(expected);
  });

  it("numbers lines from where a slice starts", () => {
    const lines: number[] = [];
    const reader = new CsvRowReader((_, line) => lines.push(line), 41);
    reader.push('1,a\n2,"x\ny"\n3,c\n');
    reader.end();
    expect(lines).toEqual([41, 42, 44]);
  });

  const dir = mkdtempSync(path.join(tmpdir(), "identity-par-"));
  const root = path.resolve(import.meta.dirname, "../../..");
  const run = (csv: string, env: Record<string, string>) => {
    const input = path.join(dir, `in-${Math.random().toString(36).slice(2)}.csv`);
    writeFileSync(input, csv);
    const res = spawnSync(process.execPath, [path.join(root, "node_modules/.bin/tsx"), path.join(root, "scripts/identity.ts"), "resolve", "--input", input, "--output", `${input}.out`], {
      encoding: "utf8",
      env: { ...process.env, ...env },
    });
    return { code: res.status, stderr: res.stderr, output: res.status === 0 ? readFileSync(`${input}.out`, "utf8") : "" };
  };

  it("gives the same clusters with a worker thread as on one thread", () => {
    const rows = generateIdentityRecords({ records: 3000, seed: 5 });
    const csv = `${CSV_COLUMNS.join(",")}\n${rows.map(toCsvLine).join("\n")}\n`;
    const single = run(csv, { IDENTITY_PARALLEL_MIN_BYTES: String(1 << 30) });
    const parallel = run(csv, { IDENTITY_PARALLEL_MIN_BYTES: "1" });
    expect(single.code).toBe(0);
    expect(parallel.code).toBe(0);
    expect(parallel.output).toBe(single.output);
    expect(parallel.output.split("\n").length).toBe(3002);
  }, 60_000);

  it("reads the second half on one thread when the worker cannot start", () => {
    const rows = generateIdentityRecords({ records: 500, seed: 6 });
    const csv = `${CSV_COLUMNS.join(",")}\n${rows.map(toCsvLine).join("\n")}\n`;
    const single = run(csv, { IDENTITY_PARALLEL_MIN_BYTES: String(1 << 30) });
    const broken = run(csv, { IDENTITY_PARALLEL_MIN_BYTES: "1", IDENTITY_TSX_API: "file:///nonexistent/tsx-api.mjs" });
    expect(broken.code).toBe(0);
    expect(broken.stderr).toContain("worker thread failed");
    expect(broken.output).toBe(single.output);
  }, 60_000);

  it("names the line of a bad row in the worker's half", () => {
    const good = Array.from({ length: 200 }, (_, i) => `${i},Ali`).join("\n");
    const r = run(`id,first_name\n${good}\n${good}\n9,Sara,extra\n`, { IDENTITY_PARALLEL_MIN_BYTES: "1" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("line 402: expected 2 fields, found 3");
  }, 60_000);
});

describe("inferable truth", () => {
  it("separates records of one person that share only a name", () => {
    const base = { full_name: "", address1: "", city: "", postcode: "", country: "", birth_date: "", person: 1 };
    const rows = [
      { ...base, id: "1", first_name: "Saud", last_name: "Al-Otaibi", email: "", phone: "0501234567" },
      { ...base, id: "2", first_name: "سعود", last_name: "العتيبي", email: "", phone: "٠٥٠١٢٣٤٥٦٧" },
      { ...base, id: "3", first_name: "Saud", last_name: "Al-Otaibi", email: "", phone: "" },
      { ...base, id: "4", first_name: "Saoud", last_name: "", email: "sotaibi4638@icloud.com", phone: "+966 50 123 4568" },
      { ...base, id: "5", first_name: "x", last_name: "", email: "", phone: "0559999999", person: 2 },
    ];
    expect(Array.from(inferableGroups(rows))).toEqual([0, 0, 1, 0, 2]);
  });
});

describe("household phones and nameless records", () => {
  const normalizeAll = (rows: Parameters<typeof normalizeIdentityRecord>[0][]) => {
    const ctx = new NormalizationContext("SA");
    return rows.map((r) => normalizeIdentityRecord(r, ctx));
  };

  it.each([
    // [records sharing the phone, expected partition]
    [[["Ahmed", "Al-Otaibi"], ["Sara", "Al-Otaibi"], ["", ""]], [[0], [1], [2]]], // whose is the nameless one? nobody's
    [[["Ahmed", "Al-Otaibi"], ["أحمد", "العتيبي"], ["", ""]], [[0, 1, 2]]], // one name on the phone: it is his
    [[["Abdulla", "AlM-alki"], ["Abd Allah", "Al-Maliki"]], [[0, 1]]], // same first name, typo in the family name
    // A typo across scripts (Aalnoud / العنود) conflicts, but two records linked to both overrule it.
    [[["العنود", ""], ["Aalnoud", "Alharbi"], ["Alanoud", "Al-Harbi"], ["Al-Anoud", "Alharbi"]], [[0, 1, 2, 3]]],
    // One record linked to both members of a household is not enough.
    [[["Ahmed", "Al-Otaibi"], ["Sara", "Al-Otaibi"], ["Al-Otaibi", ""]], [[0, 2], [1]]],
  ])("clusters %j as %j", (names, expected) => {
    const records = normalizeAll(names.map(([first_name, last_name], i) => ({ id: String(i), first_name, last_name, phone: "0503334444" })));
    const result = resolveIdentities(records);
    const groups = new Map<number, number[]>();
    result.clusterOf.forEach((c, i) => groups.set(c, [...(groups.get(c) ?? []), i]));
    expect([...groups.values()]).toEqual(expected);
    const index = new IdentityIndex();
    for (const r of records) index.add(r);
    expect(index.listClusters()).toEqual(expected);
  });

  it.each([
    [["Ahmed", "Sara"], true],
    [["Ahmed", "أحمد", "Ahmad"], false],
    [["Ahmed"], false],
  ])("first names %j make the identifier contested: %s", (firsts, contested) => {
    const records = normalizeAll(firsts.map((first_name, i) => ({ id: String(i), first_name })));
    expect(isContestedIdentifier(records)).toBe(contested);
  });

  it("links a neighbour's record on the same street only with more than a similar address", () => {
    const records = normalizeAll([
      { id: "1", first_name: "Nora", last_name: "Al-Qahtani", address1: "3474 Al Madinah Rd, Al Salamah", city: "Riyadh", postcode: "11033" },
      { id: "2", first_name: "Nourah", last_name: "Al Qahtani", address1: "6588 Al Madinah Rd, Al Salamah", city: "الرياض", postcode: "11033" },
    ]);
    const result = resolveIdentities(records, { explain: true });
    expect(result.clusterCount).toBe(2);
    expect(result.reviews.map((r) => r.score)).toEqual([14]);
  });
});

describe("same email user name at another domain", () => {
  const ctx = new NormalizationContext("SA");
  const rec = (email: string) => normalizeIdentityRecord({ id: email, first_name: "Abdulla", last_name: "Al-Dossari", email }, ctx);
  it.each([
    ["abdullah9984@hotmail.com", "abdullah9984@hotmial.com", 21, ["EMAIL_DOMAIN_TYPO", "NAME_MATCH", "NAME_MATCH"]],
    ["abdullah9984@hotmail.com", "abdullah9984@gmail.com", 15, ["SAME_EMAIL_USER", "NAME_MATCH", "NAME_MATCH"]],
    ["abdullah9984@hotmail.com", "abdullah1234@hotmail.com", 8, ["NAME_MATCH", "NAME_MATCH"]],
    ["12345678@hotmail.com", "12345678@gmail.com", 8, ["NAME_MATCH", "NAME_MATCH"]],
  ])("%s vs %s scores %d", (x, y, score, codes) => {
    const s = scorePair(rec(x), rec(y), { weights: DEFAULT_MATCH_WEIGHTS, isJunk: () => false }, true);
    expect(s.score).toBe(score);
    expect(s.reasons?.map((r) => r.code)).toEqual(codes);
  });
});
