/**
 * Runs before each integration test file, before it imports app code: points the app at this
 * worker's database and at a fake Shopify of its own, with the test app's identity.
 */
import { afterAll, inject } from "vitest";
import { startFakeShopify } from "./fake-shopify/server";
import { TEST_API_KEY, TEST_API_SECRET, TEST_APP_URL, TEST_SCOPES } from "./test-app";

const poolId = Number(process.env.VITEST_POOL_ID ?? 1);
const databaseIndex = ((poolId - 1) % 8) + 1;
const fake = await startFakeShopify({ apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET, appUrl: TEST_APP_URL });

Object.assign(process.env, {
  NODE_ENV: "test",
  DATABASE_URL: `${inject("postgresServerUrl")}/wafa_test_${databaseIndex}`,
  SHOPIFY_API_KEY: TEST_API_KEY,
  SHOPIFY_API_SECRET: TEST_API_SECRET,
  SHOPIFY_APP_URL: TEST_APP_URL,
  SCOPES: TEST_SCOPES.join(","),
  SHOPIFY_FAKE_URL: fake.url,
  WORKERS_IN_PROCESS: "false",
});
(globalThis as { __fakeShopify?: typeof fake }).__fakeShopify = fake;

afterAll(async () => {
  await fake.close();
  const db = (globalThis as { prismaGlobal?: { $disconnect(): Promise<void> } }).prismaGlobal;
  await db?.$disconnect();
});
