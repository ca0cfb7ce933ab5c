/**
 * Batch identity resolution over a CSV, with the same domain code the app uses:
 *   npm run identity -- resolve --input customers.csv --output clusters.csv [--country SA]
 * Output: `id,cluster_id`, one row per input row, in input order. Summary on stderr.
 * Exit codes: 0 ok, 1 unexpected failure, 2 bad arguments or bad CSV (the message names the line).
 */
import { createReadStream, createWriteStream } from "node:fs";
import {
  CsvRowReader,
  CsvSyntaxError,
  normalizeIdentityRecord,
  NormalizationContext,
  resolveIdentities,
  type NormalizedIdentityRecord,
  type RawIdentityRecord,
} from "../app/domain/identity/index";

const COLUMNS = [
  "id", "first_name", "last_name", "full_name", "email", "phone", "address1", "address2", "city",
  "province", "postcode", "country", "birth_date", "external_id",
] as const;
type Column = (typeof COLUMNS)[number];

class UsageError extends Error {}

interface Args {
  input: string;
  output: string | null;
  country: string;
  normalizeOnly: boolean;
  linkThreshold?: number;
  reviewThreshold?: number;
}

function parseArgs(argv: string[]): Args {
  const [command, ...rest] = argv;
  if (command !== "resolve") throw new UsageError("usage: identity resolve --input <csv> --output <csv> [--country SA] [--normalize-only]");
  const args: Args = { input: "", output: null, country: "SA", normalizeOnly: false };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === "--input") args.input = value();
    else if (flag === "--output") args.output = value();
    else if (flag === "--country") args.country = value().toUpperCase();
    else if (flag === "--normalize-only") args.normalizeOnly = true;
    else if (flag === "--link-threshold") args.linkThreshold = Number(value());
    else if (flag === "--review-threshold") args.reviewThreshold = Number(value());
    else throw new UsageError(`unknown option ${flag}`);
  }
  if (!args.input) throw new UsageError("--input is required");
  if (!args.output && !args.normalizeOnly) throw new UsageError("--output is required");
  if (!/^[A-Z]{2}$/.test(args.country)) throw new UsageError(`--country must be an ISO 3166 code such as SA, got ${args.country}`);
  return args;
}

function toColumnIndex(header: string[]): Map<Column, number> {
  const index = new Map<Column, number>();
  const seen = new Map<string, number>();
  header.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    if (seen.has(name)) {
      throw new UsageError(`line 1: duplicate column "${name}" (columns ${seen.get(name)! + 1} and ${i + 1})`);
    }
    seen.set(name, i);
    if ((COLUMNS as readonly string[]).includes(name)) index.set(name as Column, i);
  });
  if (!index.has("id")) throw new UsageError(`line 1: the header has no "id" column (found: ${header.join(", ")})`);
  return index;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Streams the file through the domain's CSV reader (csv-parse costs ~7 µs a row, a quarter of the
 * 1M-row budget) and normalizes each row as it arrives; raw rows are never kept.
 */
async function readRecords(args: Args, ctx: NormalizationContext, keep: NormalizedIdentityRecord[]): Promise<number> {
  let columns: [Column, number][] | null = null;
  let width = 0;
  let count = 0;
  const reader = new CsvRowReader((row, line) => {
    if (!columns) {
      columns = [...toColumnIndex(row)];
      width = row.length;
      return;
    }
    if (row.length !== width) throw new UsageError(`line ${line}: expected ${width} fields, found ${row.length}`);
    const raw: Record<string, string> = { id: "" };
    for (const [name, i] of columns) {
      const v = row[i];
      if (v) raw[name] = v;
    }
    const record = normalizeIdentityRecord(raw as unknown as RawIdentityRecord, ctx);
    if (!args.normalizeOnly) keep.push(record);
    count++;
  });
  try {
    for await (const chunk of createReadStream(args.input, { encoding: "utf8", highWaterMark: 1 << 20 })) {
      reader.push(chunk as string);
    }
    reader.end();
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new UsageError(err.message);
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ENOENT") throw new UsageError(`cannot read ${args.input}: no such file`);
    throw err;
  }
  if (!columns) throw new UsageError("line 1: the file is empty; expected a header with an id column");
  return count;
}

async function writeClusters(path: string, records: NormalizedIdentityRecord[], clusterOf: Int32Array): Promise<void> {
  const out = createWriteStream(path);
  let buffer = "id,cluster_id\n";
  for (let i = 0; i < records.length; i++) {
    buffer += `${csvField(records[i].id)},c${clusterOf[i] + 1}\n`;
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer)) await new Promise<void>((r) => out.once("drain", () => r()));
      buffer = "";
    }
  }
  out.end(buffer);
  await new Promise<void>((resolve, reject) => {
    out.on("finish", resolve);
    out.on("error", reject);
  });
}

async function main(): Promise<number> {
  const started = performance.now();
  const args = parseArgs(process.argv.slice(2));
  const ctx = new NormalizationContext(args.country);
  const records: NormalizedIdentityRecord[] = [];
  const count = await readRecords(args, ctx, records);
  const normalizedAt = performance.now();
  const summary: Record<string, string | number> = { records: count };
  if (!args.normalizeOnly) {
    const result = resolveIdentities(records, {
      thresholds: {
        link: args.linkThreshold ?? 15,
        review: args.reviewThreshold ?? 9,
      },
    });
    await writeClusters(args.output as string, records, result.clusterOf);
    Object.assign(summary, {
      clusters: result.clusterCount,
      unusable: result.unusableCount,
      junk_identifiers: result.junk.length,
      links: result.stats.links,
      review_pairs: result.stats.reviewPairs,
      cannot_links: result.stats.cannotLinks,
      candidate_pairs: result.stats.candidatePairs,
      skipped_blocks: result.stats.skippedBlocks,
    });
    for (const j of result.junk.slice(0, 10)) process.stderr.write(`junk identifier: ${j.text}\n`);
  }
  summary.normalize_seconds = round((normalizedAt - started) / 1000);
  summary.seconds = round((performance.now() - started) / 1000);
  summary.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stderr.write(`identity ${args.normalizeOnly ? "normalize-only" : "resolve"}: ${Object.entries(summary).map(([k, v]) => `${k}=${v}`).join(" ")}\n`);
  return 0;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) {
      process.stderr.write(`identity: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`identity: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
