/**
 * The app's configuration schema (pure: no side effects, so tests can exercise it). It is parsed
 * once from process.env by env.server.ts. A missing or malformed value stops the
 * app at start with a message naming the variable (never a half-configured app).
 */
import { availableParallelism } from "node:os";
import { z } from "zod";

/**
 * Connections the requests of one process need: about two per CPU core plus a couple (the usual
 * sizing rule, e.g. HikariCP's "About Pool Sizing"). Far more connections than the database has
 * cores only queue inside PostgreSQL, where the operating system time-slices them: measured on
 * 2 cores with 50 concurrent redemptions, 20 connections gave p99 26-27 ms, 6 gave 16-18 ms.
 * Job workers running in the same process get one more each on top (a job can hold its
 * connection while it waits for a shop's lock; requests must not queue behind that). With the
 * database on a bigger server, set DATABASE_POOL_MAX to about twice its cores.
 */
export const REQUEST_POOL_SIZE = Math.max(6, 2 * availableParallelism() + 2);

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  SHOPIFY_API_KEY: z.string().min(1, "is required: the app's client id from the Partner Dashboard"),
  SHOPIFY_API_SECRET: z.string().min(8, "is required: the app's client secret (at least 8 characters)"),
  SHOPIFY_APP_URL: z.url({ message: "must be the public https URL the app is served at" }),
  SCOPES: z
    .string()
    .min(1, "is required: comma-separated access scopes, the same as shopify.app.toml")
    .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean)),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection URL"),
  /**
   * The one switch that sends the app's calls for *.myshopify.com shops to a local fake of
   * Shopify (demo and tests). Never set it in production.
   */
  SHOPIFY_FAKE_URL: z.url().optional(),
  /** Where embedded pages load App Bridge from; unset means Shopify's CDN (the demo serves its own). */
  APP_BRIDGE_URL: z.url().optional(),
  /** Run background job workers inside the web process (`npm start`); `npm run worker` runs them alone. */
  WORKERS_IN_PROCESS: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Connections per process in the pool Prisma and the hot paths share (default: see REQUEST_POOL_SIZE). */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).optional(),
});

export type Env = Omit<z.infer<typeof schema>, "DATABASE_POOL_MAX"> & { DATABASE_POOL_MAX: number };

/** Parses an environment object; throws one Error listing every bad variable by name. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = issue.path.join(".");
      const received = source[name];
      return `  ${name} ${received === undefined || received === "" ? "is missing" : "is invalid"}: ${issue.message}`;
    });
    throw new Error(`Wafa cannot start: bad configuration.\n${lines.join("\n")}\nSee README.md, "Configuration".`);
  }
  if (result.data.NODE_ENV === "production" && result.data.SHOPIFY_FAKE_URL && !process.env.WAFA_ALLOW_FAKE_IN_PRODUCTION) {
    throw new Error("Wafa cannot start: SHOPIFY_FAKE_URL is set in production. It is for the demo and tests only.");
  }
  const poolMax = result.data.DATABASE_POOL_MAX ?? REQUEST_POOL_SIZE + (result.data.WORKERS_IN_PROCESS ? result.data.WORKER_CONCURRENCY : 0);
  return { ...result.data, DATABASE_POOL_MAX: poolMax };
}

