import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LEGACY_CSV_HEADER, iterateCustomers, iterateLegacyRows, iterateOrders, toCsvLine } from "../../../prisma/seed/demo-data";

const root = path.resolve(import.meta.dirname, "../../..");
const out = mkdtempSync(path.join(tmpdir(), "wafa-demo-data-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function run(args: string[]): Record<string, unknown> {
  const stdout = execFileSync(path.join(root, "node_modules/.bin/tsx"), ["scripts/generate-demo-data.ts", ...args, "--quiet"], {
    cwd: root,
    encoding: "utf8",
  });
  return JSON.parse(stdout.trim().split("\n").pop()!);
}

describe("generate-demo-data CLI", () => {
  it("writes the library's customers and orders as JSONL, byte for byte, with truth files", () => {
    const dir = path.join(out, "jsonl");
    const summary = run(["--customers", "150", "--seed", "8", "--format", "jsonl", "--out", dir]);
    const options = { customers: 150, seed: 8 };
    const customers = [...iterateCustomers(options)];
    const orders = [...iterateOrders(options)];
    expect(summary).toMatchObject({ persons: 150, customers: customers.length, orders: orders.length });
    expect(readFileSync(path.join(dir, "customers.jsonl"), "utf8")).toBe(customers.map((c) => JSON.stringify(c.payload) + "\n").join(""));
    expect(readFileSync(path.join(dir, "orders.jsonl"), "utf8")).toBe(orders.map((o) => JSON.stringify(o.payload) + "\n").join(""));
    const truth = readFileSync(path.join(dir, "orders.truth.csv"), "utf8").trim().split("\n");
    expect(truth.length).toBe(orders.length + 1);
    expect(truth[1].split(",").slice(0, 2)).toEqual([String(orders[0].payload.id), orders[0].truth.personId]);
    const shop = JSON.parse(readFileSync(path.join(dir, "shop.json"), "utf8"));
    expect(shop.locations).toHaveLength(3);
  });

  it("writes the CSV import format and rejects bad arguments", () => {
    const dir = path.join(out, "csv");
    run(["--customers", "100", "--seed", "8", "--format", "csv", "--out", dir]);
    const expected = LEGACY_CSV_HEADER + [...iterateLegacyRows({ customers: 100, seed: 8 })].map(({ row }) => toCsvLine(row)).join("");
    expect(readFileSync(path.join(dir, "orders.csv"), "utf8")).toBe(expected);
    expect(() => run(["--format", "xml", "--out", dir])).toThrow();
  });
});
