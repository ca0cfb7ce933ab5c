import fs from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { canonicalizeHeaderName, getHeader } from "@shopify/shopify-api/runtime";

/** shopify-api 15.0.0's own canonicalization, as released (the patch only remembers its results). */
const released = (name: string) =>
  name.replace(/(^|-)(\w+)/g, (_m, start: string, letters: string) => start + letters.slice(0, 1).toUpperCase() + letters.slice(1).toLowerCase());

const NAMES = ["x-shopify-hmac-sha256", "X-SHOPIFY-TOPIC", "X-Shopify-Shop-Domain", "content-type", "x-shopify-event-id", "x--odd--name-", "-leading", "x_under_score", "é-accent-x", ""];

describe("the @shopify/shopify-api patch (patches/README.md)", () => {
  it("is installed in both of the library's builds", () => {
    const require = createRequire(import.meta.url);
    const cjs = require.resolve("@shopify/shopify-api/runtime");
    const esm = cjs.replace("/dist/cjs/runtime/index.js", "/dist/esm/runtime/http/headers.mjs");
    for (const file of [esm, cjs.replace("/index.js", "/http/headers.js")]) expect(fs.readFileSync(file, "utf8")).toContain("const canonicalHeaderNames = new Map();");
  });

  it("canonicalizes header names as the released library does, the first time and from memory", () => {
    for (let round = 0; round < 2; round++) for (const name of NAMES) expect(canonicalizeHeaderName(name)).toBe(released(name));
    expect(canonicalizeHeaderName("x-shopify-hmac-sha256")).toBe("X-Shopify-Hmac-Sha256");
  });

  it("stays correct past the names it remembers, and header lookups still find any spelling", () => {
    for (let i = 0; i < 2_500; i++) expect(canonicalizeHeaderName(`x-made-up-${i}-NAME`)).toBe(released(`x-made-up-${i}-NAME`));
    const headers = { "x-shopify-topic": "orders/create", "X-SHOPIFY-WEBHOOK-ID": "abc" };
    expect(getHeader(headers, "X-Shopify-Topic")).toBe("orders/create");
    expect(getHeader(headers, "x-shopify-webhook-id")).toBe("abc");
    expect(getHeader(headers, "X-Shopify-Shop-Domain")).toBeUndefined();
  });
});
