import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { CsvRowReader, CsvSyntaxError } from "~/domain/identity";

function readAll(text: string, chunkSize = 3): string[][] {
  const rows: string[][] = [];
  const reader = new CsvRowReader((fields) => rows.push(fields));
  for (let i = 0; i < text.length; i += chunkSize) reader.push(text.slice(i, i + chunkSize));
  reader.end();
  return rows;
}

describe("streaming CSV reader", () => {
  const text = '\ufeffid,name,note\r\n1,"Al-Qahtani, Mohammed","said ""hi""\nsecond line"\r\n\r\n2,محمد,\r\n3,x,"last"';

  it("reads quoted commas, doubled quotes, embedded newlines, CRLF and a BOM like csv-parse does", () => {
    expect(readAll(text)).toEqual(parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true }));
  });

  it("gives the same rows whatever the chunk boundaries", () => {
    for (const size of [1, 2, 5, 7, 1000]) expect(readAll(text, size)).toEqual(readAll(text, 1000));
  });

  it.each([
    ['id,name\n1,a\n2,"broken\n3,c\n', 3, "a quoted field is never closed"],
    ['id,name\n1,a\n2,b"x"y\n', 3, "a quote inside unquoted field 2"],
    ['id,name\n1,"a"b\n', 2, "unexpected character after a closing quote in field 2"],
  ])("names the line of broken quoting", (bad, line, message) => {
    expect(() => readAll(bad)).toThrow(new CsvSyntaxError(line, message));
    expect(() => readAll(bad)).toThrow(`line ${line}: ${message}`);
  });
});

describe("identity CLI", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "identity-cli-"));
  const root = path.resolve(import.meta.dirname, "../../..");
  const run = (csv: string) => {
    const input = path.join(dir, `in-${Math.random().toString(36).slice(2)}.csv`);
    const output = `${input}.out`;
    writeFileSync(input, csv);
    const res = spawnSync(process.execPath, [path.join(root, "node_modules/.bin/tsx"), path.join(root, "scripts/identity.ts"), "resolve", "--input", input, "--output", output], { encoding: "utf8" });
    return { code: res.status, stderr: res.stderr, output };
  };

  it("writes one cluster per input row in input order and a summary", () => {
    const r = run("id,first_name,last_name,phone,notes\nA,Mohammed,Al-Qahtani,0501234567,x\nB,محمد,القحطاني,٠٥٠١٢٣٤٥٦٧,y\nC,,,,\n");
    expect(r.code).toBe(0);
    expect(readFileSync(r.output, "utf8")).toBe("id,cluster_id\nA,c1\nB,c1\nC,c2\n");
    expect(r.stderr).toMatch(/records=3 clusters=2 unusable=1 .*seconds=[\d.]+ peak_rss_mb=\d+/);
  }, 30_000);

  it.each([
    ["name,email\nAli,a@b.com\n", 'line 1: the header has no "id" column'],
    ["id,email,ID\n1,a@b.com,2\n", 'line 1: duplicate column "id"'],
    ['id,first_name\n1,Ali\n2,"Sara\n3,Omar\n', "line 3: a quoted field is never closed"],
    ["id,first_name\n1,Ali\n2,Sara,extra\n", "line 3: expected 2 fields, found 3"],
  ])("refuses a bad file with exit code 2 and a message naming the line", (csv, message) => {
    const r = run(csv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  }, 30_000);
});
