/**
 * `npm run import:orders -- --shop <domain> --file <csv> [--map "Invoice No=order_id"]...`
 * Imports order history from another POS into the app's database (embedded by default, or
 * DATABASE_URL), for an installed shop or one that has not installed Wafa yet. Returns when the
 * imported orders are fully processed (this process runs their jobs), printing counts and every
 * rejected row. With --no-wait it returns once the file is stored, leaving the orders' processing
 * to the app's workers (the admin's Data sync page shows it finish). Format: docs/csv-import.md. Exit codes: 0 done (even with rejected rows),
 * 1 unexpected failure, 2 bad arguments or a file that cannot be imported.
 */
import fs from "node:fs";
import path from "node:path";
import { migrateDatabase, resolveDatabaseUrl } from "./lib/database.js";

class UsageError extends Error {}

function parseArgs(argv: string[]) {
  const args = { shop: "", file: "", mapping: {} as Record<string, string>, wait: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === "--shop") args.shop = value().trim().toLowerCase();
    else if (flag === "--file") args.file = value();
    else if (flag === "--no-wait") args.wait = false;
    else if (flag === "--map") {
      for (const pair of value().split(",")) {
        const at = pair.lastIndexOf("=");
        if (at <= 0) throw new UsageError(`--map takes file_header=column, got "${pair}"`);
        args.mapping[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
      }
    } else throw new UsageError(`unknown option ${flag}`);
  }
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(args.shop)) throw new UsageError("--shop must be a *.myshopify.com domain");
  if (!args.file) throw new UsageError("--file is required");
  if (!fs.existsSync(args.file)) throw new UsageError(`no such file: ${args.file}`);
  return args;
}

let stopDatabase = async () => {};
try {
  const args = parseArgs(process.argv.slice(2));
  const database = await resolveDatabaseUrl({ log: (line) => console.error(line) });
  stopDatabase = database.stop;
  await migrateDatabase(database.url);
  // The app's modules read their configuration when first imported: set it before importing them.
  // The import never calls Shopify, so the app identity only needs to be well-formed.
  Object.assign(process.env, {
    DATABASE_URL: database.url,
    NODE_ENV: process.env.NODE_ENV ?? "production",
    SHOPIFY_API_KEY: process.env.SHOPIFY_API_KEY ?? "wafa-cli",
    SHOPIFY_API_SECRET: process.env.SHOPIFY_API_SECRET ?? "wafa-cli-no-shopify-calls",
    SHOPIFY_APP_URL: process.env.SHOPIFY_APP_URL ?? "https://localhost",
    SCOPES: process.env.SCOPES ?? "read_orders",
  });
  const { importOrdersFile, listImportRejections, getImportRun } = await import("../app/services/import-orders.server.js");
  const { taskList } = await import("../app/jobs/tasks.server.js");
  const { runOnce, Logger } = await import("graphile-worker");
  const prisma = (await import("../app/db.server.js")).default;

  const started = Date.now();
  const result = await importOrdersFile({
    shop: args.shop,
    filePath: args.file,
    fileName: path.basename(args.file),
    columnMapping: args.mapping,
    allowUninstalledShop: true,
  });
  if (result.duplicate) console.log(`This file was already imported for ${args.shop} (run ${result.runId}); nothing changed.`);
  else console.log(`stored ${result.orders} orders (${result.totalRows} rows) in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // Process the imported orders here (only the jobs an import creates), until the run completes.
  const importTasks = { "order-stored": taskList["order-stored"], "process-import": taskList["process-import"] };
  const quiet = new Logger(() => () => {});
  while (args.wait) {
    const run = await getImportRun({ shop: args.shop, id: result.runId });
    if (!run || run.status === "COMPLETED" || run.status === "FAILED") break;
    await runOnce({ connectionString: database.url, taskList: importTasks, logger: quiet });
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const run = (await getImportRun({ shop: args.shop, id: result.runId }))!;
  const shop = await prisma.shop.findUnique({ where: { shop: args.shop } });
  console.log(`shop ${args.shop} (${shop?.installState === "INSTALLED" ? "installed" : "not installed"}, ${shop?.currency})`);
  console.log(`status ${run.status}${run.error ? `: ${run.error}` : ""}`);
  console.log(`rows ${run.totalRows}, accepted ${run.acceptedRows}, rejected ${run.rejectedRows}`);
  console.log(`orders ${run.orders}, processed ${run.processedOrders} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (run.rejectedRows) {
    console.log("rejected rows (row number as a spreadsheet shows it; the header is row 1):");
    for (let skip = 0; ; skip += 1000) {
      const page = await listImportRejections({ shop: args.shop, importRunId: run.id, skip, take: 1000 });
      for (const r of page) console.log(`  row ${r.rowNumber}  ${r.code}  ${r.reason}`);
      if (page.length < 1000) break;
    }
  }
  await prisma.$disconnect();
  await stopDatabase();
  process.exit(run.status === "FAILED" ? 2 : 0);
} catch (error) {
  const usage = error instanceof UsageError || (error as Error).name === "ImportHeaderError" || (error as Error).name === "NotFoundError";
  console.error(usage ? `import:orders: ${(error as Error).message}` : error);
  if (error instanceof UsageError) console.error("usage: npm run import:orders -- --shop <shop>.myshopify.com --file <orders.csv> [--map \"File header=column\"] [--no-wait]");
  await stopDatabase().catch(() => {});
  process.exit(usage ? 2 : 1);
}
