import path from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");

describe("UI extension bundles", () => {
  it("the POS block compiles with Preact and stays far below Shopify's 64 KB limit", async () => {
    const result = await build({
      entryPoints: [path.join(ROOT, "pos-extension/src/CustomerBlock.tsx")],
      bundle: true,
      minify: true,
      format: "esm",
      jsx: "automatic",
      jsxImportSource: "preact",
      write: false,
      logLevel: "silent",
    });
    const bytes = result.outputFiles[0].contents.byteLength;
    expect(bytes).toBeGreaterThan(1000);
    expect(bytes).toBeLessThan(64 * 1024);
  });
});
