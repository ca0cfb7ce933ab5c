/**
 * `npm run worker`: job workers alone, no HTTP server, from the same production build as the web
 * process. Run as many as the queue needs.
 */
import { migrateDatabase, resolveDatabaseUrl } from "./lib/database.js";
import { loadServerBuild } from "./lib/http-server.js";
import { onShutdown } from "./lib/app-process.js";

process.env.NODE_ENV ??= "production";
try {
  const database = await resolveDatabaseUrl({ log: (l) => console.log(l) });
  process.env.DATABASE_URL = database.url;
  await migrateDatabase(database.url);
  const build = await loadServerBuild();
  const runner = await (build.entry.module as unknown as { startJobWorkers: () => Promise<{ stop(): Promise<void> }> }).startJobWorkers();
  console.log("Wafa workers running");
  onShutdown(async () => {
    await runner.stop();
    await database.stop();
  });
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
