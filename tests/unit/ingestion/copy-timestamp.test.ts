import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { copyTimestamp } from "../../../app/models/copy-store.server";

/** What PostgreSQL reads from toISOString() into a timestamp without time zone. */
const viaIso = (d: Date) => d.toISOString().replace("T", " ").replace("Z", "");

describe("copyTimestamp (COPY text of an order's dates)", () => {
  it.each([
    ["the epoch", Date.UTC(1970, 0, 1)],
    ["the last millisecond before it", Date.UTC(1969, 11, 31, 23, 59, 59, 999)],
    ["a leap day", Date.UTC(2024, 1, 29, 12, 0, 0, 5)],
    ["the day after a century's non-leap February", Date.UTC(2100, 2, 1)],
    ["a 400-year leap day", Date.UTC(2000, 1, 29, 23, 59, 59, 999)],
    ["new year's eve", Date.UTC(2026, 11, 31, 23, 59, 59, 90)],
    ["year 1000", Date.UTC(1000, 0, 1)],
  ])("%s", (_name, ms) => {
    expect(copyTimestamp(new Date(ms))).toBe(viaIso(new Date(ms)));
  });

  it("is the instant toISOString gives, for any date of years 1000-9999", () => {
    const min = Date.UTC(1000, 0, 1);
    const max = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    fc.assert(fc.property(fc.integer({ min, max }), (ms) => copyTimestamp(new Date(ms)) === viaIso(new Date(ms))), { numRuns: 20_000 });
  });

  it("falls back to toISOString outside years 1000-9999", () => {
    const far = new Date(Date.UTC(12_000, 0, 1));
    expect(copyTimestamp(far)).toBe(far.toISOString());
    const early = new Date(Date.UTC(999, 11, 31));
    expect(copyTimestamp(early)).toBe(early.toISOString());
  });
});
