import fs from "node:fs";
import os from "node:os";
import { beforeEach, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { action as importAction, loader as importLoader } from "~/routes/app.import";
import { parseFileUpload } from "~/services/csv-upload.server";
import { ValidationError } from "~/domain/errors";
import { browserHeaders, fakeShopify } from "../../support/test-app";
import { installTestShop } from "../../support/install";
import { drainJobs } from "../../support/jobs";

const fake = fakeShopify();

beforeEach(() => {
  fake.bulkOperations.configure({ completeAfterMs: 20, webhooks: false });
});

function adminRequest(shop: string, path: string, init: { method?: string; body?: BodyInit } = {}) {
  const token = fake.mintSessionToken({ shop, sub: "1" });
  return new Request(`https://wafa.test${path}`, {
    method: init.method ?? "GET",
    body: init.body,
    headers: { Authorization: `Bearer ${token}`, ...browserHeaders },
  });
}

function uploadForm(csv: string, fields: Record<string, string> = {}, fileName = "history.csv") {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("file", new File([csv], fileName, { type: "text/csv" }));
  return form;
}

const upload = (shop: string, form: FormData) =>
  importAction({ request: adminRequest(shop, "/app/import", { method: "POST", body: form }), params: {}, context: {} });
const report = (shop: string, query = "") => importLoader({ request: adminRequest(shop, `/app/import${query}`), params: {}, context: {} });
const leftoverUploads = () => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("wafa-upload-")).length;

async function until(check: () => Promise<boolean>, timeoutMs = 20_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

// The file names order_id "Invoice No": the form maps it.
const CSV = [
  "Invoice No,created_at,channel,branch,email,sku,title,quantity,unit_price,currency",
  "INV-1,2024-03-01 10:00,pos,Riyadh Olaya,sara@example.com,OUD-50,Oud perfume,2,120.00,SAR", // 2
  "INV-1,2024-03-01 10:00,pos,Riyadh Olaya,,MSK-10,Musk,two,45.50,SAR", // 3: bad quantity
  "INV-2,2024-03-02 12:30,online,,omar@example.com,BKH-1,Bakhoor,1,30.00,SAR", // 4
].join("\n");

describe("CSV import page", () => {
  it("imports an uploaded file with a column mapping, reports the bad row and shows processing complete", async () => {
    const { shop } = await installTestShop();
    const before = leftoverUploads();
    const response = await upload(shop, uploadForm(CSV, { "map.order_id": "Invoice No" }));
    expect(response.status).toBe(200);
    const result = (await response.json()) as { runId: string; duplicate: boolean; status: string };
    expect(result).toMatchObject({ ok: true, duplicate: false, status: "PENDING", totalRows: 3, acceptedRows: 2, rejectedRows: 1, orders: 2 });
    expect(leftoverUploads()).toBe(before); // the temporary file is gone

    const pending = await report(shop, `?run=${result.runId}`);
    expect(pending.run).toMatchObject({ id: result.runId, fileName: "history.csv", status: "PENDING", orders: 2, acceptedRows: 2, rejectedRows: 1 });
    expect(pending.rejections).toEqual([{ rowNumber: 3, code: "INVALID_QUANTITY", reason: 'quantity "two" must be a whole number from 1' }]);
    expect(pending.rejectionCount).toBe(1);
    expect(pending.active).toBe(true);

    await until(async () => {
      await drainJobs();
      return (await prisma.importRun.findUniqueOrThrow({ where: { id: result.runId } })).status === "COMPLETED";
    });
    const done = await report(shop);
    expect(done.run).toMatchObject({ id: result.runId, status: "COMPLETED", processedOrders: 2, orders: 2 });
    expect(done.active).toBe(false);
    expect(await prisma.order.count({ where: { shop, origin: "IMPORT" } })).toBe(2);

    // The same file again changes nothing and reports the first import.
    const again = await upload(shop, uploadForm(CSV, { "map.order_id": "Invoice No" }, "copy.csv"));
    expect(await again.json()).toMatchObject({ duplicate: true, runId: result.runId });
    expect(await prisma.importRun.count({ where: { shop } })).toBe(1);
  });

  it("pages the rejected rows 200 at a time with the total count", async () => {
    const { shop } = await installTestShop();
    const rows = Array.from({ length: 250 }, (_, i) => `O-${i},2024-03-01,pos,X,Item,0,1.00`);
    const response = await upload(shop, uploadForm(["order_id,created_at,channel,sku,title,quantity,unit_price", ...rows].join("\n")));
    const { runId } = (await response.json()) as { runId: string };
    const first = await report(shop, `?run=${runId}`);
    expect(first.rejectionCount).toBe(250);
    expect(first.rejections).toHaveLength(200);
    expect([first.rejections[0].rowNumber, first.rejections[199].rowNumber]).toEqual([2, 201]);
    const second = await report(shop, `?run=${runId}&page=2`);
    expect(second.rejections.map((r) => r.rowNumber)).toEqual(Array.from({ length: 50 }, (_, i) => 202 + i));
  });

  it("records a file without the required columns as failed with the reason", async () => {
    const { shop } = await installTestShop();
    const response = await upload(shop, uploadForm("Invoice No,created_at,title,quantity,unit_price\nI-1,2024-03-01,Oud,1,10.00"));
    expect(await response.json()).toMatchObject({ status: "FAILED", error: "The file has no column for: order_id. Map the file's headers to them." });
  });

  it("answers 422 without importing for a missing file or two columns mapped to one header", async () => {
    const { shop } = await installTestShop();
    const noFile = new FormData();
    noFile.append("map.order_id", "");
    const missing = await upload(shop, noFile);
    expect(missing.status).toBe(422);
    expect(await missing.json()).toMatchObject({ fieldErrors: { file: ["Choose a CSV file to import."] } });

    const clash = await upload(shop, uploadForm(CSV, { "map.order_id": "Invoice No", "map.customer_id": "invoice no" }));
    expect(clash.status).toBe(422);
    expect(await clash.json()).toMatchObject({ fieldErrors: { "map.customer_id": ['"invoice no" is already mapped to order_id.'] } });
    expect(await prisma.importRun.count({ where: { shop } })).toBe(0);
  });

  it("refuses an upload over the size limit with a clear error and leaves no temporary file", async () => {
    const before = leftoverUploads();
    const form = uploadForm("x".repeat(5000));
    const request = new Request("https://wafa.test/app/import", { method: "POST", body: form });
    const error = await parseFileUpload(request, { fileField: "file", maxBytes: 1024 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors).toEqual({ file: ["The file is larger than 1 KB."] });
    expect(leftoverUploads()).toBe(before);
  });

  it("never shows another shop's import run", async () => {
    const { shop } = await installTestShop();
    const { shop: other } = await installTestShop();
    const response = await upload(other, uploadForm(CSV, { "map.order_id": "Invoice No" }));
    const { runId } = (await response.json()) as { runId: string };
    const seen = await report(shop, `?run=${runId}`);
    expect(seen.run).toBeNull();
    expect(seen.rejections).toEqual([]);
    expect(seen.recent).toEqual([]);
  });
});
