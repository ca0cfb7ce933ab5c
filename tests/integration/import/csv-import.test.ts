import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { listOrdersWithLines } from "~/models/order.server";
import prisma from "~/db.server";
import { importOrdersFile } from "~/services/import-orders.server";
import { installTestShop } from "../../support/install";
import { drainJobs } from "../../support/jobs";

const HEADER = "order_id,created_at,channel,branch,customer_id,email,phone,first_name,last_name,sku,title,quantity,unit_price,currency";

function csvFile(lines: string[]): string {
  const file = path.join(os.tmpdir(), `wafa-import-${crypto.randomBytes(6).toString("hex")}.csv`);
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

// Row numbers as a spreadsheet shows them: the header is row 1.
const HISTORY = [
  HEADER,
  "A-1,2024-03-01 10:00,pos,Riyadh Olaya,C-9,sara@example.com,0501234567,Sara,Al-Harbi,OUD-50,Oud perfume,2,120.00,SAR", // 2
  "A-1,2024-03-01 10:00,pos,Riyadh Olaya,C-9,,,,,MSK-10,Musk,1,٤٥٫٥٠,SAR", // 3: blanks inherit; Arabic digits
  "B-2,2024-03-02T12:30:00+03:00,online,,,omar@example.com,,Omar,,BKH-1,Bakhoor,zero,30.00,SAR", // 4: bad quantity
  "B-2,2024-03-02T12:30:00+03:00,online,,,omar@example.com,,Omar,,BKH-2,Bakhoor gift,1,30.00,SAR", // 5
  "C-3,2024-03-03 09:00,pos,Jeddah,,,,,,X-1,Item,1,10.00,SAR", // 6: C disagrees on created_at
  "C-3,2024-03-04 09:00,pos,Jeddah,,,,,,X-2,Item,1,10.00,SAR", // 7
  ",2024-03-05 09:00,pos,,,,,,,X-3,Item,1,10.00,SAR", // 8: no order id
  "A-1,2024-03-01 10:00,pos,Riyadh Olaya,C-9,,,,,X-4,Late line,1,10.00,SAR", // 9: A again, not adjacent
  "D-4,not a date,pos,,,,,,,X-5,Item,1,10.005,SAR", // 10: bad date and bad price
];

describe("CSV import of order history", () => {
  it("imports the good rows, reports each rejected row with its number and reason, and processes the orders", async () => {
    const { shop } = await installTestShop(); // SAR, Asia/Riyadh
    const file = csvFile(HISTORY);
    const result = await importOrdersFile({ shop, filePath: file, fileName: "history.csv" });
    expect(result).toMatchObject({ duplicate: false, status: "PENDING", totalRows: 9, acceptedRows: 3, rejectedRows: 6, orders: 2 });

    const rejections = await prisma.importRejection.findMany({ where: { importRunId: result.runId }, orderBy: [{ rowNumber: "asc" }, { code: "asc" }] });
    expect(rejections.map((r) => [r.rowNumber, r.code])).toEqual([
      [4, "INVALID_QUANTITY"],
      [6, "ORDER_CONFLICT"],
      [7, "ORDER_CONFLICT"],
      [8, "MISSING_ORDER_ID"],
      [9, "SPLIT_ORDER"],
      [10, "INVALID_DATE"],
      [10, "INVALID_PRICE"],
    ]);
    expect(rejections.find((r) => r.rowNumber === 6)!.reason).toBe("rows 6 and 7 of order C-3 disagree on created_at");

    const orders = await listOrdersWithLines({ shop });
    expect(orders.map((o) => o.orderGid)).toEqual(["gid://wafa/ImportedOrder/A-1", "gid://wafa/ImportedOrder/B-2"]);
    const [a, b] = orders;
    expect(a).toMatchObject({
      origin: "IMPORT", channel: "POS", branchName: "Riyadh Olaya", currency: "SAR", subtotalMinor: 28550n, totalMinor: 28550n,
      customerGid: "gid://wafa/ImportedCustomer/C-9", email: "sara@example.com", phone: "0501234567", firstName: "Sara", lastName: "Al-Harbi",
    });
    // Written without an offset: wall-clock time in the shop's zone (Riyadh, UTC+3).
    expect(a.shopifyCreatedAt.toISOString()).toBe("2024-03-01T07:00:00.000Z");
    expect(a.lines.map((l) => [l.sku, l.quantity, l.priceMinor])).toEqual([["OUD-50", 2, 12000n], ["MSK-10", 1, 4550n]]);
    expect(b).toMatchObject({ channel: "ONLINE", subtotalMinor: 3000n });
    expect(b.lines).toHaveLength(1);

    await drainJobs();
    const run = await prisma.importRun.findUniqueOrThrow({ where: { id: result.runId } });
    expect(run).toMatchObject({ status: "COMPLETED", orders: 2, processedOrders: 2 });
  });

  it("changes nothing when the same file is imported again", async () => {
    const { shop } = await installTestShop();
    const file = csvFile(HISTORY);
    const first = await importOrdersFile({ shop, filePath: file, fileName: "history.csv" });
    await drainJobs({ horizonMs: 3000 }); // until the import's own progress check has completed it
    const before = await prisma.order.findMany({ where: { shop }, select: { orderGid: true, updatedAt: true } });

    const again = await importOrdersFile({ shop, filePath: file, fileName: "renamed.csv" });
    expect(again).toMatchObject({ duplicate: true, runId: first.runId, status: "COMPLETED" });
    expect(await prisma.importRun.count({ where: { shop } })).toBe(1);
    expect(await prisma.importRejection.count({ where: { importRunId: first.runId } })).toBe(7);
    expect(await prisma.order.findMany({ where: { shop }, select: { orderGid: true, updatedAt: true } })).toEqual(before);
    const jobs = await prisma.$queryRaw<Array<{ n: bigint }>>`select count(*) as n from graphile_worker.jobs where task_identifier in ('order-stored', 'process-import')`;
    expect(Number(jobs[0].n)).toBe(0);
  });

  it("reads a file with its own header names through a column mapping", async () => {
    const { shop } = await installTestShop();
    const file = csvFile(["Invoice No,Date,Item,Qty,Price", "INV-7,2024-05-01,Saffron,3,15.25"]);
    const result = await importOrdersFile({
      shop, filePath: file, fileName: "pos-export.csv",
      columnMapping: { "Invoice No": "order_id", Date: "created_at", Item: "title", Qty: "quantity", Price: "unit_price" },
    });
    expect(result).toMatchObject({ orders: 1, rejectedRows: 0 });
    const order = await prisma.order.findUniqueOrThrow({ where: { shop_orderGid: { shop, orderGid: "gid://wafa/ImportedOrder/INV-7" } } });
    expect(order).toMatchObject({ channel: "POS", currency: "SAR", totalMinor: 4575n });
  });

  it("fails the run with the missing columns named when the header lacks required columns", async () => {
    const { shop } = await installTestShop();
    const file = csvFile(["order,when,qty", "1,2024-01-01,1"]);
    const result = await importOrdersFile({ shop, filePath: file, fileName: "bad.csv" });
    expect(result.status).toBe("FAILED");
    expect(result.error).toContain("order_id, created_at, quantity, unit_price, title");
    expect(await prisma.order.count({ where: { shop } })).toBe(0);
  });
});

describe("npm run import:orders", () => {
  it("imports for a shop that has not installed Wafa, with the file's currency, and returns when processing is done", async () => {
    const shop = `cli-${crypto.randomBytes(4).toString("hex")}.myshopify.com`;
    const file = csvFile([
      HEADER,
      "K-1,2024-06-01T10:00:00Z,pos,Kuwait City,,,+96550000000,Fahad,,AMB-1,Amber,1,12.125,KWD",
      "K-2,2024-06-02T10:00:00Z,pos,Kuwait City,,,,,,AMB-2,Amber,-1,12.125,KWD",
    ]);
    const { stdout } = await promisify(execFile)("npx", ["tsx", "scripts/import-orders.ts", "--shop", shop, "--file", file], {
      cwd: path.resolve(import.meta.dirname, "../../.."),
      env: { ...process.env, NODE_ENV: "test" },
      timeout: 45_000,
    });
    expect(stdout).toContain(`shop ${shop} (not installed, KWD)`);
    expect(stdout).toContain("status COMPLETED");
    expect(stdout).toContain("rows 2, accepted 1, rejected 1");
    expect(stdout).toContain("orders 1, processed 1");
    expect(stdout).toMatch(/row 3\s+INVALID_QUANTITY/);
    expect(await prisma.shop.findUniqueOrThrow({ where: { shop } })).toMatchObject({ installState: "NOT_INSTALLED", currency: "KWD" });
    const order = await prisma.order.findUniqueOrThrow({ where: { shop_orderGid: { shop, orderGid: "gid://wafa/ImportedOrder/K-1" } } });
    expect(order).toMatchObject({ currency: "KWD", totalMinor: 12125n, origin: "IMPORT" });
  });
});
