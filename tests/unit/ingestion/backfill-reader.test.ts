import { describe, expect, it } from "vitest";
import { BackfillBatchReader, type BackfillReaderOptions, type BackfillReaderOutput } from "~/services/backfill-reader.server";
import { REFUNDS_PER_QUERY } from "~/shopify/bulk-operations";

const money = (amount: string) => ({ shopMoney: { amount, currencyCode: "SAR" } });
const SHOP = "reader.myshopify.com";

/** An order's line and one line-item line of a bulk result; `refunds` refund GIDs inline. */
function order(n: number, { refunds = 0, currencyCode = "SAR" }: { refunds?: number; currencyCode?: string } = {}) {
  const id = `gid://shopify/Order/${n}`;
  return [
    {
      id, name: `#${n}`, createdAt: "2026-11-01T10:00:00Z", updatedAt: "2026-11-01T11:00:00Z", currencyCode, sourceName: "pos",
      retailLocation: { id: "gid://shopify/Location/1" }, email: null, phone: null, customer: null,
      billingAddress: { firstName: "نورة", lastName: "القحطاني" }, totalPriceSet: money("10.00"),
      refunds: Array.from({ length: refunds }, (_, r) => ({ id: `gid://shopify/Refund/${n * 1000 + r}`, totalRefundedSet: money("1.00") })),
    },
    { id: `gid://shopify/LineItem/${n}`, sku: `SKU-${n}`, title: "عطر", quantity: 1, originalUnitPriceSet: money("10.00"), __parentId: id },
  ];
}

/** Runs a reader over the JSONL of `objects`, pushed in pieces of `piece` bytes (cutting characters too). */
function read(objects: unknown[][], options: Partial<BackfillReaderOptions> = {}, piece = 37) {
  const bytes = new TextEncoder().encode(objects.flat().map((o) => JSON.stringify(o)).join("\n") + "\n");
  const outputs: BackfillReaderOutput[] = [];
  const reader = new BackfillBatchReader({ shop: SHOP, resource: "orders", skipLines: 0, batchLines: 4, ...options }, (o) => outputs.push(o));
  for (let at = 0; at < bytes.length; at += piece) reader.push(bytes.slice(at, at + piece));
  reader.end();
  return outputs;
}

const decode = (chunks: Uint8Array[]) => chunks.map((c) => new TextDecoder().decode(c)).join("");
const batches = (outputs: BackfillReaderOutput[]) => outputs.filter((o): o is Extract<BackfillReaderOutput, { kind: "batch" }> => o.kind === "batch");

describe("BackfillBatchReader", () => {
  it("ends batches on object boundaries once batchLines are read, encodes each batch's orders for COPY, and ends with the line count", () => {
    const outputs = read([order(1), order(2), order(3), order(4), order(5)]);
    expect(outputs.map((o) => (o.kind === "batch" ? `batch ${o.endLine}: ${o.orders?.orderGids.join(",")}` : o.kind === "end" ? `end ${o.lines}` : o.kind))).toEqual([
      "batch 4: gid://shopify/Order/1,gid://shopify/Order/2",
      "batch 8: gid://shopify/Order/3,gid://shopify/Order/4",
      "batch 10: gid://shopify/Order/5",
      "end 10",
    ]);
    const [first] = batches(outputs);
    expect(first.objects).toBe(2);
    const orderRows = decode(first.orders!.orderRows).split("\n").filter(Boolean);
    expect(orderRows).toHaveLength(2);
    expect(orderRows[0].split("\t").slice(0, 5)).toEqual([SHOP, "gid://shopify/Order/1", "#1", "POS", "pos"]);
    expect(orderRows[0]).toContain("\tنورة\tالقحطاني\t");
    expect(orderRows[0]).toContain("\tBACKFILL\t");
    expect(decode(first.orders!.lineRows)).toBe(
      `${SHOP}\tgid://shopify/Order/1\tgid://shopify/LineItem/1\t\\N\t\\N\tSKU-1\tعطر\t\\N\t1\t1000\t0\tf\n` +
        `${SHOP}\tgid://shopify/Order/2\tgid://shopify/LineItem/2\t\\N\t\\N\tSKU-2\tعطر\t\\N\t1\t1000\t0\tf\n`,
    );
  });

  it("skips the lines a previous attempt committed", () => {
    const outputs = read([order(1), order(2), order(3), order(4), order(5)], { skipLines: 4 });
    expect(batches(outputs).map((b) => [b.endLine, b.orders?.orderGids])).toEqual([
      [8, ["gid://shopify/Order/3", "gid://shopify/Order/4"]],
      [10, ["gid://shopify/Order/5"]],
    ]);
  });

  it("asks for refunds REFUNDS_PER_QUERY at a time as it reads, the rest before their batch, with their orders' currencies", () => {
    const outputs = read([order(1, { refunds: REFUNDS_PER_QUERY + 10 }), order(2), order(3, { refunds: 1 })], { batchLines: 100 });
    expect(outputs.map((o) => (o.kind === "refunds" ? `refunds ${o.gids.length}` : o.kind))).toEqual(["refunds 50", "refunds 11", "batch", "end"]);
    expect(batches(outputs)[0].refundOrderCurrencies).toEqual([
      ["gid://shopify/Order/1", "SAR"],
      ["gid://shopify/Order/3", "SAR"],
    ]);
  });

  it("counts an object it cannot map, says why, and goes on", () => {
    const [batch] = batches(read([order(1), order(2, { currencyCode: "riyal" }), order(3)], { batchLines: 100 }));
    expect(batch.orders?.orderGids).toEqual(["gid://shopify/Order/1", "gid://shopify/Order/3"]);
    expect(batch).toMatchObject({ objects: 2, skipped: 1 });
    expect(batch.lastSkipReason).toMatch(/^gid:\/\/shopify\/Order\/2: /);
  });

  it("ends the batch before a second version of an order in it, so each batch holds an order once and both versions reach the store", () => {
    const newer = order(2);
    (newer[0] as { updatedAt: string }).updatedAt = "2026-11-02T09:00:00Z";
    const outputs = read([order(1), order(2), order(3), newer, order(4)], { batchLines: 100 });
    expect(batches(outputs).map((b) => [b.endLine, b.objects, b.orders?.orderGids])).toEqual([
      [6, 3, ["gid://shopify/Order/1", "gid://shopify/Order/2", "gid://shopify/Order/3"]],
      [10, 2, ["gid://shopify/Order/2", "gid://shopify/Order/4"]],
    ]);
    const second = decode(batches(outputs)[1].orders!.orderRows).split("\n").filter(Boolean);
    expect(second).toHaveLength(2);
    expect(second[0]).toContain("\t2026-11-02 09:00:00.000\t");
    expect(decode(batches(outputs)[1].orders!.lineRows).match(/LineItem\/2\t/g)).toHaveLength(1);
  });

  it("throws on a line that is not JSON", () => {
    const reader = new BackfillBatchReader({ shop: SHOP, resource: "orders", skipLines: 0, batchLines: 4 }, () => {});
    expect(() => reader.push(new TextEncoder().encode('{"id":"gid://shopify/Order/1"}\n{"id": \n'))).toThrow(SyntaxError);
  });
});
