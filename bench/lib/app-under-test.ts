/**
 * Runs the production build as benchmarks need it: a local fake of Shopify with one installed
 * shop, the app started with `npm start`'s script in its own process (own embedded PostgreSQL
 * under .data/bench-pg unless DATABASE_URL is set), and helpers to start worker processes.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { startFakeShopify, type FakeShopify } from "../../tests/support/fake-shopify/server";
import { findFreePort } from "../../scripts/lib/demo-config";
import { WEB_NODE_FLAGS } from "../../scripts/lib/node-flags";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const BENCH_API_KEY = "wafa-bench-key";
export const BENCH_API_SECRET = "wafa-bench-secret-0123456789";
export const BENCH_SHOP = "bench-wafa.myshopify.com";

export function buildApp(): void {
  const result = spawnSync(process.execPath, [path.join(ROOT, "node_modules/@remix-run/dev/dist/cli.js"), "build"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NODE_ENV: "production" } });
  if (result.status !== 0) throw new Error(`remix build failed:\n${result.stdout}${result.stderr}`);
}

function waitForLine(child: ChildProcess, pattern: RegExp, label: string, timeoutMs = 120_000): Promise<string> {
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start:\n${output}`)), timeoutMs);
    const onData = (d: Buffer) => {
      output += d;
      const match = output.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d) => (output += d));
    child.once("exit", (code) => reject(new Error(`${label} exited with ${code}:\n${output}`)));
  });
}

export interface AppUnderTest {
  appUrl: string;
  fake: FakeShopify;
  env: NodeJS.ProcessEnv;
  databaseUrl: string;
  /** the web process's pid (node --import tsx runs the app in this very process); with WEB_CONCURRENCY above 1, the cluster's primary */
  appPid: number;
  /** HTTP processes serving the app (npm start's WEB_CONCURRENCY) */
  webProcesses: number;
  startWorkers(count: number, concurrency: number, extraEnv?: Record<string, string>): Promise<ChildProcess[]>;
  stopWorkers(): Promise<void>;
  stop(): Promise<void>;
}

const stopChild = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
  });

export async function startAppUnderTest(options: { dataDir?: string } = {}): Promise<AppUnderTest> {
  // A fresh database each run (the cluster is kept): numbers never depend on a previous run's rows.
  process.env.WAFA_DATA_DIR = options.dataDir ?? process.env.WAFA_DATA_DIR ?? ".data/bench-pg";
  const { resolveDatabaseUrl } = await import("../../scripts/lib/database");
  const { dropDatabase } = await import("../../scripts/lib/embedded-postgres");
  const { ensureDatabase } = await import("../../scripts/lib/embedded-postgres");
  const database = await resolveDatabaseUrl();
  if (database.serverUrl) {
    await dropDatabase(database.serverUrl, "wafa");
    await ensureDatabase(database.serverUrl, "wafa");
  }
  const port = await findFreePort(3700);
  const appUrl = `http://localhost:${port}`;
  const fake = await startFakeShopify({ apiKey: BENCH_API_KEY, apiSecret: BENCH_API_SECRET, appUrl });
  fake.addShop({ domain: BENCH_SHOP, name: "Bench", currencyCode: "SAR", countryCode: "SA", ianaTimezone: "Asia/Riyadh", grantedScopes: ["read_orders", "read_customers"] });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    WAFA_ALLOW_FAKE_IN_PRODUCTION: "1",
    PORT: String(port),
    SHOPIFY_API_KEY: BENCH_API_KEY,
    SHOPIFY_API_SECRET: BENCH_API_SECRET,
    SHOPIFY_APP_URL: appUrl,
    SCOPES: "read_orders,read_customers",
    SHOPIFY_FAKE_URL: fake.url,
    WORKERS_IN_PROCESS: "false",
    // WEB_CONCURRENCY (HTTP processes): npm start's default, 1, unless this run's environment sets it.
    WAFA_DATA_DIR: process.env.WAFA_DATA_DIR,
  };
  // BENCH_CPU_PROFILE=<dir>: write CPU profiles of the app and worker processes (node --import tsx: the script runs in this very process).
  const profileFlags = process.env.BENCH_CPU_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROFILE)}`] : [];
  // As `npm start` runs it (WEB_NODE_FLAGS: the flags package.json's start script passes).
  const app = spawn(process.execPath, [...profileFlags, ...WEB_NODE_FLAGS, "--import", "tsx", "scripts/start.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const listening = await waitForLine(app, /Wafa listening on \S+( \((\d+) processes\))?/, "the app");
  const workers: ChildProcess[] = [];

  // Install as the admin does, so webhooks for the shop are accepted.
  const status = await fake.openAppAsAdmin(BENCH_SHOP);
  if (status !== 200) throw new Error(`install failed: HTTP ${status}`);

  return {
    appUrl,
    fake,
    env,
    databaseUrl: database.url,
    appPid: app.pid!,
    webProcesses: Number(listening.match(/\((\d+) processes\)/)?.[1] ?? 1),
    async startWorkers(count, concurrency, extraEnv: Record<string, string> = {}) {
      for (let i = 0; i < count; i++) {
        // node --import tsx (not the tsx CLI, which runs the script in a child): the pid is the worker's own, for RSS.
        const child = spawn(process.execPath, [...profileFlags, "--import", "tsx", "scripts/worker.ts"], { cwd: ROOT, env: { ...env, ...extraEnv, WORKER_CONCURRENCY: String(concurrency) }, stdio: ["ignore", "pipe", "pipe"] });
        await waitForLine(child, /workers running/, "a worker");
        workers.push(child);
      }
      return workers;
    },
    async stopWorkers() {
      await Promise.all(workers.splice(0).map(stopChild));
    },
    async stop() {
      await Promise.all(workers.map(stopChild));
      await stopChild(app);
      await fake.close();
      await database.stop();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const { utime, stime } = procStat(pid);
  return (utime + stime) / CLOCK_TICKS_PER_SECOND;
}

/** CPU seconds of this process's children that have ended and been waited for (the import CLI). */
export function endedChildrenCpuSeconds(): number {
  const { cutime, cstime } = procStat("self");
  return (cutime + cstime) / CLOCK_TICKS_PER_SECOND;
}

/** /proc/<pid>/stat's parent and CPU tick counts (fields after the command name, which may hold spaces). */
function procStat(pid: number | "self") {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
  return { ppid: fields[1], utime: fields[11], stime: fields[12], cutime: fields[13], cstime: fields[14] };
}

/** CPU seconds used so far by a process and its descendants (npm start's web processes under its primary). */
export function processTreeCpuSeconds(pid: number): number {
  let total = cpuSeconds(pid);
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    const children = fs.readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean);
    for (const child of children) total += processTreeCpuSeconds(Number(child));
  }
  return total;
}

/**
 * CPU seconds used so far by the PostgreSQL cluster in `dataDir` (the benchmark's, from WAFA_DATA_DIR):
 * the postmaster with its reaped children, plus the backends still running.
 */
export function postgresCpuSeconds(dataDir = process.env.WAFA_DATA_DIR ?? ".data/bench-pg"): number {
  return Object.values(postgresCpuSecondsByKind(dataDir)).reduce((sum, seconds) => sum + seconds, 0);
}

/**
 * postgresCpuSeconds by kind of process: "backends" (the app's connections), each background
 * process by name ("walwriter", "checkpointer", "autovacuum worker", …), and "ended" (processes
 * that exited, counted into the postmaster's children time, with the postmaster's own).
 */
export function postgresCpuSecondsByKind(dataDir = process.env.WAFA_DATA_DIR ?? ".data/bench-pg"): Record<string, number> {
  const postmaster = Number(fs.readFileSync(path.resolve(ROOT, dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  const own = procStat(postmaster);
  const ticks: Record<string, number> = { ended: own.utime + own.stime + own.cutime + own.cstime };
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === postmaster) continue;
    try {
      const backend = procStat(Number(entry));
      if (backend.ppid !== postmaster) continue;
      // "postgres: walwriter", "postgres: autovacuum worker wafa", "postgres: user db 127.0.0.1(5432) idle"
      const title = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      // An exiting process (a zombie until the postmaster reaps it) has no command line.
      const kind = !title ? "ended" : /\(\d+\)/.test(title) ? "backends" : title.replace(/^postgres:\s*/, "").replace(/ worker .*$/, " worker");
      ticks[kind] = (ticks[kind] ?? 0) + backend.utime + backend.stime;
    } catch {
      // the process ended meanwhile
    }
  }
  return Object.fromEntries(Object.entries(ticks).map(([kind, n]) => [kind, n / CLOCK_TICKS_PER_SECOND]));
}

/** The CPU seconds of each kind of PostgreSQL process since `before` (postgresCpuSecondsByKind), largest first, as one line. */
export function postgresCpuSince(before: Record<string, number>, dataDir?: string): string {
  const now = postgresCpuSecondsByKind(dataDir);
  return Object.entries(now)
    .map(([kind, seconds]) => [kind, seconds - (before[kind] ?? 0)] as const)
    .filter(([, seconds]) => seconds >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, seconds]) => `${kind} ${seconds.toFixed(1)} s`)
    .join(", ");
}
// USER_HZ: 100 on Linux for every architecture this runs on (sysconf(_SC_CLK_TCK)).
const CLOCK_TICKS_PER_SECOND = 100;
