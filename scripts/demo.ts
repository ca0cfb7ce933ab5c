/**
 * `npm run demo`: the real app, offline, with no Shopify account. Starts the embedded PostgreSQL
 * (data kept in .data/ between runs), migrates, starts the local fake of Shopify with the demo
 * shop, serves the production build with its job workers, installs the app on the demo shop the
 * way the admin does (a signed session token, token exchange), and prints the URL to open.
 */
import { startFakeShopify } from "../tests/support/fake-shopify/server.js";
import { addDemoShop, DEMO_SHOP } from "../tests/support/fake-shopify/demo-shop.js";
import { DEMO_API_KEY, DEMO_API_SECRET, findFreePort, readTomlScopes } from "./lib/demo-config.js";
import { bootApp, ensureBuild, onShutdown } from "./lib/app-process.js";
import { ensureDemoProgram } from "./lib/demo-program.js";

const started = Date.now();
const log = (line: string) => console.log(`[demo] ${line}`);

try {
  const appPort = await findFreePort(Number(process.env.PORT ?? 3000));
  const fakePort = await findFreePort(Number(process.env.FAKE_SHOPIFY_PORT ?? 3100));
  const appUrl = `http://localhost:${appPort}`;
  const scopes = readTomlScopes();

  const fake = await startFakeShopify({ apiKey: DEMO_API_KEY, apiSecret: DEMO_API_SECRET, appUrl, port: fakePort, host: "127.0.0.1" });
  const seeded = addDemoShop(fake, { scopes, customers: Number(process.env.DEMO_CUSTOMERS ?? 5000) });
  log(`demo shop seeded: ${seeded.customers.size} customers, ${seeded.orders.size} orders`);

  Object.assign(process.env, {
    NODE_ENV: "production",
    WAFA_ALLOW_FAKE_IN_PRODUCTION: "1",
    SHOPIFY_API_KEY: DEMO_API_KEY,
    SHOPIFY_API_SECRET: DEMO_API_SECRET,
    SHOPIFY_APP_URL: appUrl,
    SCOPES: scopes.join(","),
    SHOPIFY_FAKE_URL: fake.url,
    APP_BRIDGE_URL: `${fake.url}/cdn/app-bridge.js`,
  });

  ensureBuild(log);
  const app = await bootApp({ port: appPort, log });
  // Before the install starts the backfill: the demo's two years of orders earn under this program.
  if (await ensureDemoProgram(app.databaseUrl, DEMO_SHOP, new Date(Date.now() - 3 * 365 * 86_400_000))) log("demo loyalty program saved");

  // Install on the demo shop as the admin does when the merchant first opens the app.
  const status = await fake.openAppAsAdmin(DEMO_SHOP);
  if (status !== 200) throw new Error(`installing on the demo shop failed: HTTP ${status}`);

  const url = `${fake.url}/admin/store/${DEMO_SHOP.replace(".myshopify.com", "")}/apps/wafa`;
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s (database: ${app.embedded ? "embedded PostgreSQL in .data/pg" : "DATABASE_URL"})`);
  console.log(`\n  Open Wafa in the demo Shopify admin:  ${url}\n`);
  onShutdown(async () => {
    await app.stop();
    await fake.close();
  });
} catch (error) {
  console.error(`[demo] ${(error as Error).message}`);
  process.exit(1);
}
