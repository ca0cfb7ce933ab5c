/**
 * `npm start`: the production server (run `npm run build` first). Configuration comes from the
 * environment (README "Configuration"); without DATABASE_URL an embedded PostgreSQL is used.
 */
import { bootApp, onShutdown } from "./lib/app-process.js";

process.env.NODE_ENV ??= "production";
const port = Number(process.env.PORT ?? 3000);
try {
  const app = await bootApp({ port, log: (l) => console.log(l) });
  console.log(`Wafa listening on http://localhost:${port}`);
  onShutdown(app.stop);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
