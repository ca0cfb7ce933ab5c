/**
 * Boots the production build: database (DATABASE_URL or embedded), migrations, HTTP server and,
 * unless WORKERS_IN_PROCESS=false, the job workers. Shared by `npm start` and `npm run demo`.
 */
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import type http from "node:http";
import { migrateDatabase, resolveDatabaseUrl, ROOT } from "./database.js";
import { loadServerBuild, startHttpServer } from "./http-server.js";

type Runner = { stop(): Promise<void> };

/**
 * How long a shutdown waits for the jobs in flight before it stops the database under them. Jobs
 * are durable (graphile-worker): one cut off runs again and its effects happen once.
 */
const STOP_JOBS_WITHIN_MS = 5_000;

export function ensureBuild(log: (line: string) => void): void {
  const built = path.join(ROOT, "build", "index.js");
  const newest = (dir: string): number =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
      const full = path.join(dir, entry.name);
      return Math.max(max, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
    }, 0);
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= newest(path.join(ROOT, "app"))) return;
  log("building the app (remix build)…");
  const result = spawnSync(process.execPath, [path.join(ROOT, "node_modules/@remix-run/dev/dist/cli.js"), "build"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production" },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`remix build failed:\n${result.stdout}\n${result.stderr}`);
}

export async function bootApp(options: { port: number; log: (line: string) => void; workers?: boolean }) {
  const database = await resolveDatabaseUrl({ log: options.log });
  process.env.DATABASE_URL = database.url;
  const applied = await migrateDatabase(database.url);
  if (applied.length) options.log(`applied migrations: ${applied.join(", ")}`);
  const build = await loadServerBuild();
  const server: http.Server = await startHttpServer({ build, port: options.port });
  let runner: Runner | null = null;
  const workers = options.workers ?? process.env.WORKERS_IN_PROCESS !== "false";
  if (workers) {
    const start = (build.entry.module as unknown as { startJobWorkers: () => Promise<Runner> }).startJobWorkers;
    runner = await start();
  }
  const stop = async () => {
    await new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
    if (runner) {
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), STOP_JOBS_WITHIN_MS)));
      const outcome = await Promise.race([runner.stop().then(() => "stopped" as const), waited]);
      clearTimeout(timer);
      if (outcome === "timeout") console.log(`jobs still running after ${STOP_JOBS_WITHIN_MS / 1000} s: stopping anyway (they run again on the next start)`);
    }
    await database.stop();
  };
  return { server, stop, databaseUrl: database.url, embedded: database.embedded };
}

export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    stop()
      .catch((error) => console.error(error))
      .finally(() => process.exit(0));
  };
  process.on("SIGINT", () => handler("SIGINT"));
  process.on("SIGTERM", () => handler("SIGTERM"));
}
