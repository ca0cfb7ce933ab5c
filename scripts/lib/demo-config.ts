/**
 * Configuration of the local demo: a demo app identity (not a real Partner app), the scopes from
 * shopify.app.toml, and free ports. Used by `npm run demo`, the browser tests and the benchmarks.
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { parse } from "smol-toml";
import { ROOT } from "./database.js";

export const DEMO_API_KEY = "wafa-demo-client-id";
export const DEMO_API_SECRET = "wafa-demo-secret-for-local-use-only";

export function readTomlScopes(): string[] {
  const toml = parse(fs.readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8")) as { access_scopes: { scopes: string } };
  return toml.access_scopes.scopes.split(",").map((s) => s.trim());
}

export async function findFreePort(preferred: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once("error", reject);
      server.listen(port, "0.0.0.0", () => {
        const address = server.address() as net.AddressInfo;
        server.close(() => resolve(address.port));
      });
    });
  try {
    return await tryPort(preferred);
  } catch {
    return tryPort(0);
  }
}
