import { describe, expect, it } from "vitest";
import { parseEnv, REQUEST_POOL_SIZE } from "~/env-schema";

const valid = {
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "secret-0123456789",
  SHOPIFY_APP_URL: "https://wafa.example.com",
  SCOPES: "read_orders, read_customers",
  DATABASE_URL: "postgres://u:p@db:5432/wafa",
};

describe("configuration", () => {
  it("parses a complete environment, splitting the scopes", () => {
    const env = parseEnv(valid);
    expect(env.SCOPES).toEqual(["read_orders", "read_customers"]);
    expect(env.WORKERS_IN_PROCESS).toBe(true);
    expect(env.WORKER_CONCURRENCY).toBe(4);
  });

  it("sizes the connection pool to the cores, plus one per job worker running in the process", () => {
    expect(REQUEST_POOL_SIZE).toBeGreaterThanOrEqual(6);
    expect(parseEnv(valid).DATABASE_POOL_MAX).toBe(REQUEST_POOL_SIZE + 4);
    expect(parseEnv({ ...valid, WORKER_CONCURRENCY: "8" }).DATABASE_POOL_MAX).toBe(REQUEST_POOL_SIZE + 8);
    expect(parseEnv({ ...valid, WORKERS_IN_PROCESS: "false" }).DATABASE_POOL_MAX).toBe(REQUEST_POOL_SIZE);
    expect(parseEnv({ ...valid, DATABASE_POOL_MAX: "40" }).DATABASE_POOL_MAX).toBe(40);
  });

  it("names every missing variable in one message", () => {
    expect(() => parseEnv({ SCOPES: "read_orders" })).toThrowError(
      /SHOPIFY_API_KEY is missing[\s\S]*SHOPIFY_API_SECRET is missing[\s\S]*SHOPIFY_APP_URL is missing[\s\S]*DATABASE_URL is missing/,
    );
  });

  it.each([
    ["SHOPIFY_APP_URL", "not a url"],
    ["DATABASE_URL", "mysql://db/wafa"],
    ["WORKER_CONCURRENCY", "0"],
    ["WORKERS_IN_PROCESS", "yes"],
  ])("rejects a malformed %s and names it", (name, value) => {
    expect(() => parseEnv({ ...valid, [name]: value })).toThrowError(new RegExp(`${name} is invalid`));
  });

  it("refuses the Shopify fake in production", () => {
    expect(() => parseEnv({ ...valid, NODE_ENV: "production", SHOPIFY_FAKE_URL: "http://localhost:3100" })).toThrowError(/SHOPIFY_FAKE_URL/);
  });
});
