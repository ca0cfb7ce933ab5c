/**
 * One place that decides which database the app, the CLIs and the demo use: DATABASE_URL when set,
 * otherwise the `wafa` database on the embedded PostgreSQL in .data/pg.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { ensureDatabase, startPostgres } from "./embedded-postgres.js";

import { Logger } from "graphile-worker";

const quietLogger = new Logger(() => () => {});

export const ROOT = path.resolve(import.meta.dirname, "..", "..");

export async function resolveDatabaseUrl(options: { log?: (line: string) => void; database?: string } = {}) {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {}, embedded: false };
  // WAFA_DATA_DIR lets the browser tests and benchmarks keep their own cluster beside a running demo.
  const dataDir = process.env.WAFA_DATA_DIR ? path.resolve(ROOT, process.env.WAFA_DATA_DIR) : path.join(ROOT, ".data", "pg");
  const handle = await startPostgres({ dataDir, log: options.log });
  const url = await ensureDatabase(handle.serverUrl, options.database ?? "wafa");
  return { url, stop: handle.stop, embedded: true, serverUrl: handle.serverUrl };
}

/**
 * Applies every migration in prisma/migrations that the database lacks, recording each in
 * `_prisma_migrations` exactly as `prisma migrate deploy` does (same checksum), so the Prisma CLI
 * and this runner agree. It exists because the offline Prisma CLI lingers ~10 s after finishing,
 * which the demo's start-up budget cannot afford. An advisory lock serialises concurrent runs.
 */
export async function migrateDatabase(url: string): Promise<string[]> {
  const dir = path.join(ROOT, "prisma", "migrations");
  const names = fs.readdirSync(dir).filter((n) => fs.existsSync(path.join(dir, n, "migration.sql"))).sort();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query("select pg_advisory_lock(7261001)");
    await client.query(`create table if not exists "_prisma_migrations" (
      "id" varchar(36) primary key not null, "checksum" varchar(64) not null, "finished_at" timestamptz,
      "migration_name" varchar(255) not null, "logs" text, "rolled_back_at" timestamptz,
      "started_at" timestamptz not null default now(), "applied_steps_count" integer not null default 0)`);
    const done = await client.query<{ migration_name: string }>(
      `select migration_name from "_prisma_migrations" where finished_at is not null and rolled_back_at is null`,
    );
    const doneNames = new Set(done.rows.map((r) => r.migration_name));
    for (const name of names) {
      if (doneNames.has(name)) continue;
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      const checksum = crypto.createHash("sha256").update(sql).digest("hex");
      await client.query("begin");
      try {
        await client.query(sql);
        await client.query(
          `insert into "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           values ($1, $2, now(), $3, now(), 1)`,
          [crypto.randomUUID(), checksum, name],
        );
        await client.query("commit");
        applied.push(name);
      } catch (error) {
        await client.query("rollback");
        throw new Error(`migration ${name} failed: ${(error as Error).message}`);
      }
    }
  } finally {
    await client.query("select pg_advisory_unlock(7261001)").catch(() => {});
    await client.end();
  }
  // The job queue's own schema (graphile_worker), so receipts can enqueue jobs in SQL from the start.
  const { runMigrations } = await import("graphile-worker");
  await runMigrations({ connectionString: url, logger: quietLogger });
  return applied;
}
