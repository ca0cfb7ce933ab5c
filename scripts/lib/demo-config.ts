/**
 * Configuration of the local demo: a demo app identity (not a real Partner app), the scopes from
 * shopify.app.toml, and free ports. Used by `npm run demo`, the browser tests and the benchmarks.
 */
import fs from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { ROOT } from "./database.js";
import { findFreePort as findFreePortOn } from "./embedded-postgres.js";

export const DEMO_API_KEY = "wafa-demo-client-id";
export const DEMO_API_SECRET = "wafa-demo-secret-for-local-use-only";

export function readTomlScopes(): string[] {
  const toml = parse(fs.readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8")) as { access_scopes: { scopes: string } };
  return toml.access_scopes.scopes.split(",").map((s) => s.trim());
}

/** Free ports for the demo's servers, listening on every interface like the app. */
export const findFreePort = (preferred: number) => findFreePortOn(preferred, "0.0.0.0");
