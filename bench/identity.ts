/**
 * Identity resolution benchmark: npm run bench:identity -- [--sizes 10000,100000,1000000]
 * [--quality-size 100000] [--seed 42] [--profiles 1000000] [--attaches 2000] [--no-incremental].
 * Generates records with known truth, runs the real CLI as a child process per size, scores
 * pairwise precision/recall, and times a parse+normalize-only pass over the largest file as the
 * same-run baseline. Then bench/identity-incremental.ts (own process, embedded PostgreSQL under
 * WAFA_DATA_DIR, default .data/bench-pg-identity) measures incremental_p99_ms with `--profiles`
 * stored. Last stdout line: one JSON object with every metric.
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { CSV_COLUMNS, generateIdentityRecords, inferableGroups, scorePairs, toCsvLine } from "./identity-data";

const root = path.resolve(import.meta.dirname, "..");
const outDir = path.join(root, "bench", "out");

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const sizes = arg("sizes", "10000,100000,1000000").split(",").map(Number).filter((n) => n > 0);
const qualitySize = Number(arg("quality-size", sizes.includes(100000) ? "100000" : String(sizes[0])));
const seed = Number(arg("seed", "42"));
const profiles = arg("profiles", "1000000");
const attaches = arg("attaches", "2000");
const incremental = !process.argv.includes("--no-incremental");

async function writeInput(n: number): Promise<{ file: string; truth: Int32Array; inferable: Int32Array | null }> {
  const records = generateIdentityRecords({ records: n, seed });
  const inferable = n === qualitySize ? inferableGroups(records) : null;
  const file = path.join(outDir, `identity-${n}.csv`);
  const out = createWriteStream(file);
  let buf = `${CSV_COLUMNS.join(",")}\n`;
  const truth = new Int32Array(n);
  records.forEach((r, i) => {
    truth[i] = r.person;
    buf += `${toCsvLine(r)}\n`;
    if (buf.length > 1 << 16) {
      out.write(buf);
      buf = "";
    }
  });
  out.end(buf);
  await new Promise<void>((r) => out.on("finish", () => r()));
  return { file, truth, inferable };
}

interface RunResult {
  seconds: number;
  peakRssMb: number;
  summary: Record<string, string>;
}

/** Runs the incremental benchmark and returns its metrics (its last stdout line). */
function runIncremental(): Promise<Record<string, number | string | null>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, "node_modules", ".bin", "tsx"), path.join(root, "bench", "identity-incremental.ts"), "--profiles", profiles, "--attaches", attaches, "--seed", String(seed)], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      process.stdout.write(String(d).split("\n").filter((l) => l && !l.startsWith("{")).map((l) => `${l}\n`).join(""));
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`identity-incremental exited ${code}`));
      resolve(JSON.parse(stdout.trimEnd().split("\n").pop() ?? "{}"));
    });
  });
}

function runCli(args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(root, "node_modules", ".bin", "tsx"), path.join(root, "scripts", "identity.ts"), ...args], {
      cwd: root,
      stdio: ["ignore", "inherit", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`identity CLI exited ${code}: ${stderr}`));
      const line = stderr.split("\n").find((l) => l.startsWith("identity ")) ?? "";
      const summary = Object.fromEntries([...line.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
      resolve({ seconds, peakRssMb: Number(summary.peak_rss_mb), summary });
    });
  });
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const rows: string[][] = [];
  const metrics: Record<string, number | string> = { bench: "identity" };
  let largest = "";
  for (const n of sizes) {
    const { file, truth, inferable } = await writeInput(n);
    largest = file;
    const output = path.join(outDir, `identity-${n}.clusters.csv`);
    const run = await runCli(["resolve", "--input", file, "--output", output, "--country", "SA"]);
    let quality = "";
    if (n === qualitySize) {
      const lines = readFileSync(output, "utf8").trimEnd().split("\n").slice(1);
      const predicted = lines.map((l) => l.slice(l.lastIndexOf(",") + 1));
      const q = scorePairs(predicted, truth);
      metrics.precision = round(q.precision, 4);
      metrics.recall = round(q.recall, 4);
      quality = `precision ${q.precision.toFixed(4)} recall ${q.recall.toFixed(4)} (true pairs ${q.truePairs}, predicted ${q.predictedPairs})`;
      if (inferable) {
        // Recall on the pairs the data can show (see inferableGroups); the main metric stays `recall`.
        const qi = scorePairs(predicted, inferable);
        metrics.recall_inferable = round(qi.recall, 4);
        quality += `; recall on inferable pairs ${qi.recall.toFixed(4)} (${qi.truePairs} of ${q.truePairs} true pairs)`;
      }
    }
    const label = n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}m` : n % 1000 === 0 ? `${n / 1000}k` : String(n);
    metrics[`seconds_${label}`] = round(Number(run.summary.seconds), 3);
    if (n === Math.max(...sizes)) {
      metrics[`peak_rss_mb_${label}`] = run.peakRssMb;
      // CPU seconds of all the CLI's threads: wall time on a shared 2-core machine varies with load.
      metrics[`cpu_seconds_${label}`] = round(Number(run.summary.cpu_seconds), 3);
    }
    rows.push([label, `${run.summary.seconds} (cpu ${run.summary.cpu_seconds})`, String(run.peakRssMb), run.summary.clusters, run.summary.links, run.summary.junk_identifiers, quality]);
  }
  const baseline = await runCli(["resolve", "--input", largest, "--normalize-only", "--country", "SA"]);
  const maxN = Math.max(...sizes);
  const maxLabel = maxN >= 1e6 && maxN % 1e6 === 0 ? `${maxN / 1e6}m` : `${maxN / 1000}k`;
  metrics[`baseline_parse_normalize_seconds_${maxLabel}`] = round(Number(baseline.summary.seconds), 3);

  const header = ["records", "seconds", "peak MB", "clusters", "links", "junk ids", "quality"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (r: string[]) => r.map((c, i) => (c ?? "").padEnd(widths[i])).join("  ");
  console.log(fmt(header));
  for (const r of rows) console.log(fmt(r));
  console.log(`baseline (parse + normalize only, ${maxLabel}): ${baseline.summary.seconds} s, ${baseline.peakRssMb} MB`);
  if (incremental) {
    const inc = await runIncremental();
    for (const [k, v] of Object.entries(inc)) if (k !== "bench") metrics[k] = v as number | string;
  }
  console.log(JSON.stringify(metrics));
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
