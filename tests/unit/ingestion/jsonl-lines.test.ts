import { describe, expect, it } from "vitest";
import { splitLineChunks, splitLines } from "~/shopify/bulk-operations";

/** A byte stream of `text` (UTF-8) cut at the given byte offsets, possibly inside a character. */
function stream(text: string, cuts: number[]): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length];
  const pieces = bounds.slice(1).map((end, i) => bytes.slice(bounds[i], end));
  return new ReadableStream({
    pull(controller) {
      const next = pieces.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

async function lines(text: string, cuts: number[] = []) {
  const out: string[] = [];
  for await (const line of splitLines(stream(text, cuts))) out.push(line);
  return out;
}

describe("JSONL lines of a bulk operation result", () => {
  const text = '\uFEFF{"name":"شهد"}\r\n\n{"id":"gid://shopify/Order/1"}\n  \n{"title":"عطر العود"}';

  it("splits lines, drops empty ones, a BOM and \\r before \\n, wherever the bytes are cut", async () => {
    const expected = ['{"name":"شهد"}', '{"id":"gid://shopify/Order/1"}', "  ", '{"title":"عطر العود"}'];
    const length = new TextEncoder().encode(text).length;
    for (let cut = 0; cut <= length; cut++) expect(await lines(text, [cut, cut + 1, cut + 7])).toEqual(expected);
    expect(await lines("a\nb\n", [1])).toEqual(["a", "b"]);
    expect(await lines("", [])).toEqual([]);
    expect(await lines("x", [])).toEqual(["x"]);
  });

  it("hands the lines over a chunk at a time", async () => {
    const chunks: string[][] = [];
    for await (const chunk of splitLineChunks(stream("a\nb\nc\nd", [4]))) chunks.push(chunk);
    expect(chunks).toEqual([["a", "b"], ["c"], ["d"]]);
  });
});
