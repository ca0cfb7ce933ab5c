/**
 * `npm run prisma -- <args>`: the Prisma CLI against the project's database (DATABASE_URL, or the
 * embedded PostgreSQL started here), so `migrate dev`, `migrate diff` and `studio` work offline.
 */
import { spawnSync } from "node:child_process";
import { resolveDatabaseUrl } from "./lib/database.js";

const { url, stop } = await resolveDatabaseUrl({ log: (l) => console.error(l) });
const result = spawnSync(process.execPath, ["node_modules/prisma/build/index.js", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, DATABASE_URL: url },
});
await stop();
process.exit(result.status ?? 1);
