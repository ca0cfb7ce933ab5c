import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import pg from "pg";
import { dropDatabase, ensureDatabase } from "../../../scripts/lib/embedded-postgres";
import { migrateDatabase } from "../../../scripts/lib/database";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");

describe("database migrations", () => {
  it("apply to an empty database, twice without effect the second time", async () => {
    const server = inject("postgresServerUrl");
    const name = `wafa_empty_${process.pid}`;
    await dropDatabase(server, name);
    const url = await ensureDatabase(server, name);
    try {
      const first = await migrateDatabase(url);
      expect(first.length).toBeGreaterThan(0);
      expect(await migrateDatabase(url)).toEqual([]);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const tables = await client.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public'");
      const jobs = await client.query("select count(*) from graphile_worker.jobs");
      await client.end();
      expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(["Session", "Shop", "Order", "WebhookReceipt"]));
      expect(jobs.rowCount).toBe(1);
    } finally {
      await dropDatabase(server, name);
    }
  });

  it("match the Prisma schema exactly (no drift)", () => {
    const result = spawnSync(
      process.execPath,
      [path.join(ROOT, "node_modules/prisma/build/index.js"), "migrate", "diff", "--from-migrations", "prisma/migrations", "--to-schema-datamodel", "prisma/schema.prisma", "--exit-code"],
      { cwd: ROOT, env: { ...process.env, CHECKPOINT_DISABLE: "1" }, encoding: "utf8" },
    );
    // --exit-code: 0 = no difference, 2 = the migrations do not produce the schema.
    expect(result.stdout + result.stderr).toContain("No difference detected");
    expect(result.status).toBe(0);
  });
});
