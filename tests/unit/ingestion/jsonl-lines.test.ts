import { describe, expect, it } from "vitest";
import { JsonlLineSplitter } from "~/shopify/bulk-operations";

/** The lines of `text` (UTF-8) pushed as pieces cut at the given byte offsets, possibly inside a character. */
function lines(text: string, cuts: number[] = []) {
  const bytes = new TextEncoder().encode(text);
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length];
  const splitter = new JsonlLineSplitter();
  const out: string[] = [];
  for (let i = 1; i < bounds.length; i++) out.push(...splitter.push(bytes.slice(bounds[i - 1], bounds[i])));
  out.push(...splitter.end());
  return out;
}

describe("JSONL lines of a bulk operation result", () => {
  const text = '\uFEFF{"name":"شهد"}\r\n\n{"id":"gid://shopify/Order/1"}\n  \n{"title":"عطر العود"}';

  it("splits lines, drops empty ones, a BOM and \\r before \\n, wherever the bytes are cut", () => {
    const expected = ['{"name":"شهد"}', '{"id":"gid://shopify/Order/1"}', "  ", '{"title":"عطر العود"}'];
    const length = new TextEncoder().encode(text).length;
    for (let cut = 0; cut <= length; cut++) expect(lines(text, [cut, cut + 1, cut + 7])).toEqual(expected);
    expect(lines("a\nb\n", [1])).toEqual(["a", "b"]);
    expect(lines("", [])).toEqual([]);
    expect(lines("x", [])).toEqual(["x"]);
    expect(lines("ab", [1])).toEqual(["ab"]);
  });

  it("returns each chunk's complete lines as it is pushed, the last one at the end", () => {
    const splitter = new JsonlLineSplitter();
    const bytes = new TextEncoder().encode("a\nb\nc\nd");
    expect(splitter.push(bytes.slice(0, 4))).toEqual(["a", "b"]);
    expect(splitter.push(bytes.slice(4))).toEqual(["c"]);
    expect(splitter.end()).toEqual(["d"]);
  });
});
