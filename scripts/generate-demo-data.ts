/**
 * Writes the seeded demo data set to disk, streamed with bounded memory.
 *
 *   npx tsx scripts/generate-demo-data.ts --customers 5000 --seed 42 --format jsonl --out tmp/demo
 *
 * jsonl: shop.json, customers.jsonl and orders.jsonl (Shopify webhook payloads, one per line).
 * csv:   shop.json and orders.csv (the order-history import format, one row per order line).
 * Unless --no-truth: customers.truth.csv / orders.truth.csv map each record to its true person.
 */
import { once } from "node:events";
import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  LEGACY_CSV_HEADER,
  createLegacyRowMapper,
  generateShop,
  iteratePersons,
  resolveOptions,
  toCsvLine,
  type DemoDataOptions,
} from "../prisma/seed/demo-data";

const USAGE = `Usage: npx tsx scripts/generate-demo-data.ts [options]
  --customers N        shoppers to generate (default 5000)
  --seed S             integer or string seed (default 42)
  --format jsonl|csv   Shopify JSONL payloads, or the CSV order-history import format (default jsonl)
  --out DIR            output folder (default ./demo-data)
  --now ISO            the demo's "now"; history covers the years before it (default 2026-11-01T00:00:00+03:00)
  --years N            years of history (default 2)
  --currency CODE      SAR (default), KWD or JPY
  --shop DOMAIN        shop domain (default demo-wafa.myshopify.com)
  --no-truth           do not write the *.truth.csv side files
  --quiet              no progress on stderr`;

/**
 * Encodes lines straight into a 4 MB buffer (one UTF-8 pass, no string joins) and hands full
 * buffers to the stream, waiting for 'drain' whenever the stream asks it to (backpressure).
 */
class ChunkWriter {
  private buffer: Buffer;
  private used = 0;
  bytes = 0;

  constructor(
    private readonly stream: WriteStream,
    private readonly capacity = 4 << 20,
  ) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  /** Appends text; returns true when the caller should `await flush()` before the next push. */
  push(text: string): boolean {
    if (this.used + text.length * 3 > this.capacity) {
      if (this.used > 0) this.spill();
      if (text.length * 3 > this.capacity) {
        const big = Buffer.from(text, "utf8");
        this.bytes += big.length;
        this.pending = !this.stream.write(big) || this.pending;
        return this.pending;
      }
    }
    this.used += this.buffer.write(text, this.used, "utf8");
    return this.pending || this.used > this.capacity - 65_536;
  }

  private pending = false;

  /** Hands the filled part of the buffer to the stream and starts a fresh buffer. */
  private spill(): void {
    const chunk = this.buffer.subarray(0, this.used);
    this.bytes += this.used;
    this.buffer = Buffer.allocUnsafe(this.capacity);
    this.used = 0;
    if (!this.stream.write(chunk)) this.pending = true;
  }

  async flush(): Promise<void> {
    if (this.used > 0) this.spill();
    if (this.pending) {
      this.pending = false;
      await once(this.stream, "drain");
    }
  }

  async end(): Promise<void> {
    await this.flush();
    const finished = once(this.stream, "finish");
    this.stream.end();
    await finished;
  }
}

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        customers: { type: "string" },
        seed: { type: "string" },
        format: { type: "string" },
        out: { type: "string" },
        now: { type: "string" },
        years: { type: "string" },
        currency: { type: "string" },
        shop: { type: "string" },
        "no-truth": { type: "boolean" },
        quiet: { type: "boolean" },
        help: { type: "boolean" },
      },
      strict: true,
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const args = parsed.values;
  if (args.help) {
    process.stdout.write(USAGE + "\n");
    return;
  }
  const format = args.format ?? "jsonl";
  if (format !== "jsonl" && format !== "csv") fail(`--format must be jsonl or csv, got "${format}"`);
  const customers = args.customers === undefined ? undefined : Number(args.customers.replace(/_/g, ""));
  if (customers !== undefined && !Number.isSafeInteger(customers)) fail(`--customers must be an integer, got "${args.customers}"`);
  const years = args.years === undefined ? undefined : Number(args.years);
  const seed = args.seed === undefined ? undefined : /^-?\d+$/.test(args.seed) ? Number(args.seed) : args.seed;
  const options: DemoDataOptions = {
    customers,
    seed,
    now: args.now,
    years,
    currency: args.currency,
    shopDomain: args.shop,
  };
  let resolved;
  try {
    resolved = resolveOptions(options);
  } catch (error) {
    fail((error as Error).message);
  }
  const outDir = path.resolve(args.out ?? "demo-data");
  const writeTruth = !args["no-truth"];
  const quiet = Boolean(args.quiet);
  mkdirSync(outDir, { recursive: true });

  const started = performance.now();
  const shop = generateShop(resolved);
  writeFileSync(
    path.join(outDir, "shop.json"),
    JSON.stringify(
      {
        options: shop.options,
        shop: shop.shop,
        branches: shop.branches.map(({ location, ...branch }) => ({ ...branch, locationId: location.id })),
        locations: shop.locations,
        products: shop.products.map((product) => ({ ...product.payload, title_ar: product.catalog.titleAr })),
        discount_codes: shop.discountCodes,
        junk_phones: shop.junkPhones,
        history_starts_at: shop.historyStartsAt,
        history_ends_at: shop.historyEndsAt,
      },
      null,
      2,
    ) + "\n",
  );

  const open = (name: string) => new ChunkWriter(createWriteStream(path.join(outDir, name), { highWaterMark: 8 << 20 }));
  const customersOut = format === "jsonl" ? open("customers.jsonl") : null;
  const ordersOut = format === "jsonl" ? open("orders.jsonl") : open("orders.csv");
  const customerTruth = writeTruth ? open("customers.truth.csv") : null;
  const orderTruth = writeTruth ? open("orders.truth.csv") : null;
  if (format === "csv") ordersOut.push(LEGACY_CSV_HEADER);
  customerTruth?.push("customer_id,person_id,role,script,typo\n");
  orderTruth?.push(format === "csv" ? "order_id,person_id\n" : "order_id,person_id,channel,branch,customer_id,walk_in,junk_phone\n");

  const legacyRowsOf = createLegacyRowMapper(resolved);
  let persons = 0;
  let customerCount = 0;
  let orderCount = 0;
  let rowCount = 0;
  let peakRss = process.memoryUsage().rss;
  const progressEvery = Math.max(1000, Math.floor(resolved.customers / 20));

  for (const bundle of iteratePersons(resolved)) {
    persons++;
    if (customersOut) {
      for (const customer of bundle.customers) {
        customerCount++;
        if (customersOut.push(JSON.stringify(customer.payload) + "\n")) await customersOut.flush();
        const truth = customer.truth;
        if (customerTruth?.push(`${customer.payload.id},${truth.personId},${truth.role},${truth.script},${truth.typo ? 1 : 0}\n`)) {
          await customerTruth.flush();
        }
      }
    }
    for (const order of bundle.orders) {
      if (format === "jsonl") {
        orderCount++;
        if (ordersOut.push(JSON.stringify(order.payload) + "\n")) await ordersOut.flush();
        const t = order.truth;
        if (
          orderTruth?.push(
            `${order.payload.id},${t.personId},${t.channel},${t.branch ?? ""},${t.customerId ?? ""},${t.walkIn ? 1 : 0},${t.junkPhone ?? ""}\n`,
          )
        ) {
          await orderTruth.flush();
        }
      } else {
        const rows = legacyRowsOf(order);
        if (rows.length === 0) continue;
        orderCount++;
        for (const { row } of rows) {
          rowCount++;
          if (ordersOut.push(toCsvLine(row))) await ordersOut.flush();
        }
        if (orderTruth?.push(`${rows[0].row.order_id},${order.truth.personId}\n`)) await orderTruth.flush();
      }
    }
    if (persons % progressEvery === 0) {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (!quiet) {
        const seconds = (performance.now() - started) / 1000;
        process.stderr.write(`  ${persons}/${resolved.customers} persons, ${orderCount} orders, ${seconds.toFixed(1)} s\n`);
      }
    }
  }
  await Promise.all([customersOut?.end(), ordersOut.end(), customerTruth?.end(), orderTruth?.end()]);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  const seconds = (performance.now() - started) / 1000;
  const maxRssMb = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  const summary = {
    format,
    out: outDir,
    seed: resolved.seed,
    persons,
    customers: customerCount,
    orders: orderCount,
    ...(format === "csv" ? { csv_rows: rowCount } : {}),
    orders_bytes: ordersOut.bytes,
    seconds: Number(seconds.toFixed(2)),
    peak_rss_mb: Math.round(Math.max(maxRssMb, peakRss / 1048576)),
  };
  process.stdout.write(JSON.stringify(summary) + "\n");
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
