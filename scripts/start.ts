/**
 * `npm start`: the production server (run `npm run build` first). Configuration comes from the
 * environment (README "Configuration"); without DATABASE_URL an embedded PostgreSQL is used.
 * WEB_CONCURRENCY=N (default 1) runs N HTTP processes sharing the port (node:cluster); the
 * database is prepared once by the primary, and job workers run in the first process only.
 */
import cluster from "node:cluster";
import { bootApp, onShutdown } from "./lib/app-process.js";
import { migrateDatabase, resolveDatabaseUrl } from "./lib/database.js";

process.env.NODE_ENV ??= "production";
const port = Number(process.env.PORT ?? 3000);
const processes = Math.max(1, Number(process.env.WEB_CONCURRENCY ?? 1));

try {
  if (processes > 1 && cluster.isPrimary) {
    const database = await resolveDatabaseUrl({ log: (l) => console.log(l) });
    await migrateDatabase(database.url);
    let ready = 0;
    for (let i = 0; i < processes; i++) {
      const worker = cluster.fork({ DATABASE_URL: database.url, WORKERS_IN_PROCESS: i === 0 ? (process.env.WORKERS_IN_PROCESS ?? "true") : "false" });
      worker.on("message", (message) => {
        if (message === "listening" && ++ready === processes) console.log(`Wafa listening on http://localhost:${port} (${processes} processes)`);
      });
    }
    cluster.on("exit", (worker, code) => {
      if (code !== 0) console.error(`web process ${worker.process.pid} exited with ${code}`);
    });
    onShutdown(async () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 500));
      await database.stop();
    });
  } else {
    const app = await bootApp({ port, log: (l) => console.log(l) });
    if (cluster.isWorker) process.send?.("listening");
    else console.log(`Wafa listening on http://localhost:${port}`);
    onShutdown(app.stop);
  }
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
