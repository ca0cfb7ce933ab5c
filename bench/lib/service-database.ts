/**
 * For benchmarks that call the app's services in-process: a fresh database (dropped and created
 * each run, in the embedded cluster under WAFA_DATA_DIR or the server in DATABASE_URL), migrated,
 * and the environment the app's modules read at import time. Import app modules only after this.
 */
export async function openServiceDatabase(options: { dataDir: string; database: string; env?: Record<string, string> }) {
  process.env.WAFA_DATA_DIR ??= options.dataDir;
  const { resolveDatabaseUrl, migrateDatabase } = await import("../../scripts/lib/database");
  const { dropDatabase, ensureDatabase } = await import("../../scripts/lib/embedded-postgres");
  const database = await resolveDatabaseUrl();
  let url = database.url;
  if (database.serverUrl) {
    await dropDatabase(database.serverUrl, options.database);
    url = await ensureDatabase(database.serverUrl, options.database);
  }
  await migrateDatabase(url);
  Object.assign(process.env, {
    DATABASE_URL: url,
    NODE_ENV: "production",
    SHOPIFY_API_KEY: "bench",
    SHOPIFY_API_SECRET: "bench-secret-0123",
    SHOPIFY_APP_URL: "http://localhost:1",
    SCOPES: "read_orders",
    ...options.env,
  });
  return { url, stop: database.stop };
}
