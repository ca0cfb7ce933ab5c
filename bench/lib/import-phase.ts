/**
 * The import half of bench:ingest: N orders of history as the CSV an old POS exports, imported by
 * `npm run import:orders` (the real CLI, its own process, peak RSS from /proc), against
 * COPY of the same rows into a bare table on the same PostgreSQL.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { once } from "node:events";
import pg from "pg";
import { iterateLegacyRows, toCsvLine, LEGACY_CSV_HEADER } from "../../prisma/seed/demo-data";
import { ROOT, endedChildrenCpuSeconds } from "./app-under-test";

/** Writes a CSV with about `orders` orders (whole orders, one row per line); returns rows and orders written. */
export async function writeOrdersCsv(file: string, orders: number): Promise<{ rows: number; orders: number }> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const out = fs.createWriteStream(file);
  out.write(LEGACY_CSV_HEADER.endsWith("\n") ? LEGACY_CSV_HEADER : `${LEGACY_CSV_HEADER}\n`);
  let rows = 0;
  let lastOrder = "";
  let count = 0;
  // ~3.4 orders per shopper in the generator; ask for enough shoppers and stop at `orders`.
  for (const { row, truth } of iterateLegacyRows({ seed: 2026, customers: Math.ceil(orders / 3) + 1000 })) {
    if (truth.orderId !== lastOrder) {
      if (count === orders) break;
      count++;
      lastOrder = truth.orderId;
    }
    if (!out.write(toCsvLine(row))) await once(out, "drain"); // toCsvLine ends the line
    rows++;
  }
  out.end();
  await once(out, "finish");
  return { rows, orders: count };
}

export async function baselineCopyRowsPerSecond(databaseUrl: string, file: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on("error", () => {});
  await client.connect();
  try {
    return await copyFile(client, file);
  } finally {
    await client.end().catch(() => {});
  }
}

async function copyFile(client: pg.Client, file: string): Promise<number> {
  const { from } = await import("pg-copy-streams");
  const header = fs.readFileSync(file, "utf8").slice(0, 4096).split("\n")[0].split(",");
  await client.query(`create temporary table bench_copy (${header.map((h) => `"${h}" text`).join(", ")})`);
  const t0 = performance.now();
  const stream = client.query(from(`copy bench_copy from stdin with (format csv, header true)`));
  await new Promise<void>((resolve, reject) => {
    fs.createReadStream(file).pipe(stream).on("finish", () => resolve()).on("error", reject);
  });
  const seconds = (performance.now() - t0) / 1000;
  const rows = Number((await client.query("select count(*) as n from bench_copy")).rows[0].n);
  return rows / seconds;
}

/** Runs the import CLI and samples its RSS (the tsx child that runs the script) every 100 ms. */
export async function runImportCli(env: NodeJS.ProcessEnv, shop: string, file: string, extra: string[] = []) {
  const t0 = performance.now();
  const cpu0 = endedChildrenCpuSeconds();
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/import-orders.ts", "--shop", shop, "--file", file, ...extra], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  let peakKb = 0;
  const sampler = setInterval(() => {
    try {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
      const kb = Number(status.match(/VmHWM:\s+(\d+)/)?.[1] ?? 0);
      peakKb = Math.max(peakKb, kb);
    } catch {
      /* the process has ended */
    }
  }, 100);
  const [code] = await once(child, "exit");
  clearInterval(sampler);
  if (code !== 0) throw new Error(`import:orders failed (${code}):\n${output}`);
  // The CLI's whole CPU time, start-up included (it is the only child that ends meanwhile).
  return { seconds: (performance.now() - t0) / 1000, peakRssMb: Math.round(peakKb / 1024), cpuSeconds: endedChildrenCpuSeconds() - cpu0, output };
}

/**
 * Writes the JSONL result of the app's own orders bulk query (BULK_QUERIES.orders) for `orders`
 * generated orders, streamed to disk; the refunds it names are kept (the fake answers the app's
 * `nodes(ids:)` for them). The fake then serves this file as the operation's result.
 */
export async function writeOrdersJsonl(file: string, orders: number) {
  const { BULK_QUERIES } = await import("../../app/shopify/bulk-operations");
  const { bulkJsonlLines, toGraphqlOrder, toGraphqlRefund } = await import("../../tests/support/fake-shopify/bulk-operations");
  const { iterateOrders } = await import("../../prisma/seed/demo-data");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, "w");
  const refunds = new Map<string, unknown>();
  let objectCount = 0;
  let rootObjectCount = 0;
  let buffer = "";
  function* graphqlOrders() {
    for (const { payload } of iterateOrders({ seed: 2027, customers: Math.ceil(orders / 3) + 1000, shopDomain: "jsonl-bench.myshopify.com" })) {
      if (rootObjectCount === orders) return;
      rootObjectCount++;
      const rest = payload as unknown as Record<string, unknown>;
      const orderGid = (rest.admin_graphql_api_id as string) ?? `gid://shopify/Order/${String(rest.id)}`;
      for (const r of (rest.refunds as Array<Record<string, unknown>> | undefined) ?? []) {
        const refund = toGraphqlRefund(r, orderGid, String(rest.currency)) as { id: string };
        refunds.set(refund.id, refund);
      }
      yield toGraphqlOrder(rest);
    }
  }
  bulkJsonlLines(BULK_QUERIES.orders, graphqlOrders(), (line) => {
    objectCount++;
    buffer += `${JSON.stringify(line)}\n`;
    if (buffer.length > 1 << 20) {
      fs.writeSync(fd, buffer);
      buffer = "";
    }
  });
  fs.writeSync(fd, buffer);
  fs.closeSync(fd);
  return { objectCount, rootObjectCount, refunds };
}

/** Peak RSS (VmHWM) of a process, sampled until stop() is called. */
export function samplePeakRss(pid: number) {
  let peakKb = 0;
  const read = () => {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
      peakKb = Math.max(peakKb, Number(status.match(/VmHWM:\s+(\d+)/)?.[1] ?? 0));
    } catch {
      /* the process has ended */
    }
  };
  const timer = setInterval(read, 100);
  return {
    stop() {
      read();
      clearInterval(timer);
      return Math.round(peakKb / 1024);
    },
  };
}
