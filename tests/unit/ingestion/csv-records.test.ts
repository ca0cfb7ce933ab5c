import { describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { CsvFormatError, CsvRecordReader } from "~/domain/csv-records";

/** What the import read with csv-parse before it had its own reader. */
const reference = (text: string) => parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, trim: false, relax_quotes: true }) as string[][];

/** Reads `text` cut into chunks at the given positions. */
function read(text: string, cuts: number[] = []): string[][] {
  const reader = new CsvRecordReader();
  const records: string[][] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    records.push(...reader.push(text.slice(from, cut)));
    from = cut;
  }
  records.push(...reader.push(text.slice(from)));
  records.push(...reader.end());
  return records;
}

/** A deterministic pseudo-random sequence (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomCsv(next: () => number): string {
  const newline = next() < 0.5 ? "\n" : "\r\n";
  const pieces = ["a", "عطر", "12.50", " ", "x y", 'in"side', "", "٣"];
  const lines: string[] = [];
  for (let r = 0, rows = 1 + Math.floor(next() * 12); r < rows; r++) {
    if (next() < 0.1) {
      lines.push("");
      continue;
    }
    const fields: string[] = [];
    for (let f = 0, count = 1 + Math.floor(next() * 5); f < count; f++) {
      if (next() < 0.3) {
        // A quoted field with what only quoting allows: separators, line breaks, doubled quotes.
        const inner = ["p", ",", '""', "\n", "\r\n", "q r", ""].filter(() => next() < 0.5).join("");
        fields.push(`"${inner}"`);
      } else fields.push(pieces[Math.floor(next() * pieces.length)]);
    }
    lines.push(fields.join(","));
  }
  return (next() < 0.3 ? "\uFEFF" : "") + lines.join(newline) + (next() < 0.5 ? newline : "");
}

describe("CSV records", () => {
  it("reads what csv-parse read, however the text is cut into chunks", () => {
    const next = random(2026);
    for (let n = 0; n < 2000; n++) {
      const text = randomCsv(next);
      const cuts = Array.from({ length: Math.floor(next() * 4) }, () => Math.floor(next() * text.length));
      expect(read(text, cuts), JSON.stringify({ text, cuts })).toEqual(reference(text));
    }
  });

  it("reads quoted fields, empty lines, CRLF, CR-only lines and a last line without a line break", () => {
    const text = 'id,note\r\n1,"a, ""b""\r\nc"\r\n\r\n2,plain "quote"\r\n3,';
    expect(read(text)).toEqual([["id", "note"], ["1", 'a, "b"\r\nc'], ["2", 'plain "quote"'], ["3", ""]]);
    expect(read("a,b\rc,d\r", [2, 4])).toEqual(reference("a,b\rc,d\r"));
    expect(read("\uFEFForder_id\nA-1\n", [1])).toEqual([["order_id"], ["A-1"]]);
  });

  it("refuses a quote left open with csv-parse's code, and reads text after a closing quote as data as it did", () => {
    expect(() => read('a,"open\nb,c\n')).toThrow(CsvFormatError);
    expect(() => read('a,"open\nb,c\n')).toThrow(expect.objectContaining({ code: "CSV_QUOTE_NOT_CLOSED" }));
    expect(() => reference('a,"open\nb,c\n')).toThrow(expect.objectContaining({ code: "CSV_QUOTE_NOT_CLOSED" }));
    for (const text of ['a,"closed"x\n', 'a,"closed"x,y\n', '"closed" ,z\r\n']) expect(read(text)).toEqual(reference(text));
  });
});
