import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { WEB_NODE_FLAGS } from "../../../scripts/lib/node-flags";

describe("the web process's node flags", () => {
  it("are the ones npm start passes (bench:ingest starts the app with WEB_NODE_FLAGS)", () => {
    const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../../package.json"), "utf8")) as { scripts: Record<string, string> };
    const start = pkg.scripts.start.split(/\s+/);
    expect(start[0]).toBe("node");
    const flags = start.slice(1, start.indexOf("--import"));
    expect(flags).toEqual([...WEB_NODE_FLAGS]);
    expect(start.slice(-3)).toEqual(["--import", "tsx", "scripts/start.ts"]);
  });
});
