/**
 * Prisma CLI configuration: the bundled WebAssembly schema engine through @prisma/adapter-pg, so
 * migrate/generate work offline with no downloaded engine (see ../shared/ENVIRONMENT.md).
 */
import crypto from "node:crypto";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

// prisma/prisma#27403: the adapter cannot deserialize PostgreSQL catalog types that the schema
// engine introspects. Reporting them as text (OID 25) is enough for the engine.
const CATALOG_TYPE_OIDS = new Set([18, 19, 22, 30, 194, 1033, 2205, 2206]);
type QueryResultLike = { fields?: Array<{ dataTypeID: number }> };
function asText<T>(result: T): T {
  const results = (Array.isArray(result) ? result : [result]) as QueryResultLike[];
  for (const r of results) for (const f of r?.fields ?? []) if (CATALOG_TYPE_OIDS.has(f.dataTypeID)) f.dataTypeID = 25;
  return result;
}
class CatalogTextClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const callback = typeof args[args.length - 1] === "function" ? args.pop() : undefined;
    if (callback) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return (super.query as any)(...args, (error: unknown, result: unknown) => callback(error, error ? result : asText(result)));
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const out = (super.query as any)(...args);
    return out && typeof out.then === "function" ? out.then(asText) : out;
  }
}

export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error("DATABASE_URL is not set: run prisma through `npm run prisma -- <command>`");
    // Discrete fields, not a connection string, so a copy can point at another database.
    const url = new URL(connectionString);
    const config: pg.PoolConfig = {
      host: url.hostname,
      port: Number(url.port || 5432),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: url.pathname.replace(/^\//, ""),
      ssl: url.searchParams.get("sslmode") === "require" ? { rejectUnauthorized: false } : undefined,
      Client: CatalogTextClient,
      allowExitOnIdle: true,
    };
    const runOnServer = async (sql: string) => {
      const client = new pg.Client({ ...config, database: "postgres" });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    // `migrate dev` needs a shadow database. The adapter's own version drops it while its pool
    // still holds a connection; this one closes the pool first.
    const connectToShadowDb = async () => {
      const name = `prisma_migrate_shadow_db_${crypto.randomUUID().replace(/-/g, "")}`;
      await runOnServer(`CREATE DATABASE "${name}"`);
      const shadow = await new PrismaPg({ ...config, database: name }).connect();
      const dispose = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        await dispose();
        await runOnServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      };
      return shadow;
    };
    return Object.assign(new PrismaPg(config), { connectToShadowDb });
  },
});
