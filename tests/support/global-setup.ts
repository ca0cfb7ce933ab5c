/**
 * Integration tests: one embedded PostgreSQL (or the server in DATABASE_URL), a template database
 * migrated once per run, and one database per worker cloned from it.
 */
import path from "node:path";
import type { TestProject } from "vitest/node";
import { dropDatabase, ensureDatabase, startPostgres } from "../../scripts/lib/embedded-postgres";
import { migrateDatabase, ROOT } from "../../scripts/lib/database";

export const WORKER_DATABASES = 8;

declare module "vitest" {
  export interface ProvidedContext {
    postgresServerUrl: string;
  }
}

export default async function setup(project: TestProject) {
  // WAFA_TEST_DATA_DIR lets two test runs (two engineers on one checkout) keep separate clusters.
  const dataDir = process.env.WAFA_TEST_DATA_DIR ? path.resolve(ROOT, process.env.WAFA_TEST_DATA_DIR) : path.join(ROOT, ".data", "test-pg");
  const handle = await startPostgres({ dataDir, preferredPort: 5434 });
  await dropDatabase(handle.serverUrl, "wafa_template");
  const templateUrl = await ensureDatabase(handle.serverUrl, "wafa_template");
  await migrateDatabase(templateUrl);
  for (let i = 1; i <= WORKER_DATABASES; i++) {
    await dropDatabase(handle.serverUrl, `wafa_test_${i}`);
    await ensureDatabase(handle.serverUrl, `wafa_test_${i}`, "wafa_template");
  }
  project.provide("postgresServerUrl", handle.serverUrl);
  return async () => {
    await handle.stop();
  };
}
