import { describe, expect, it } from "vitest";
import { BULK_QUERIES } from "~/shopify/bulk-operations";
import { bulkLineItem, bulkOrder, readBulkLineItemFast, readBulkOrderFast } from "~/shopify/bulk-records";
import { bulkJsonlLines, toGraphqlOrder } from "../../support/fake-shopify/bulk-operations";
import { iterateOrders } from "../../../prisma/seed/demo-data";

/** The lines of the orders bulk query for generated orders, as the fake (and Shopify) write them. */
function generatedLines(count: number) {
  const lines: Array<Record<string, unknown>> = [];
  const orders: unknown[] = [];
  for (const { payload } of iterateOrders({ seed: 11, customers: count, shopDomain: "fast.myshopify.com" })) {
    orders.push(toGraphqlOrder(payload as unknown as Record<string, unknown>));
    if (orders.length === count) break;
  }
  bulkJsonlLines(BULK_QUERIES.orders, orders, (line) => lines.push(JSON.parse(JSON.stringify(line)) as Record<string, unknown>));
  return lines;
}

/** The fast reader returns exactly what the schema's parse returns, or leaves the line to the schema. */
function expectSameAsSchema(line: Record<string, unknown>) {
  const isLineItem = typeof line.__parentId === "string";
  const fast = isLineItem ? readBulkLineItemFast(line) : readBulkOrderFast(line);
  const schema = (isLineItem ? bulkLineItem : bulkOrder).safeParse(line);
  if (typeof fast === "symbol") return "schema";
  expect(schema.success, JSON.stringify(line)).toBe(true);
  expect(fast).toEqual(schema.data);
  return "fast";
}

describe("bulk lines read without zod", () => {
  const lines = generatedLines(400);

  it("reads every generated order and line item as the schemas do, without falling back", () => {
    expect(lines.filter((l) => typeof l.__parentId === "string").length).toBeGreaterThan(100);
    for (const line of lines) expect(expectSameAsSchema(line)).toBe("fast");
  });

  it("leaves to the schema what it does not recognise, and agrees with it on what it accepts", () => {
    const odd: unknown[] = [undefined, null, "", "x", "not a date", 0, 1.5, 2 ** 60, true, [], ["a"], [1], {}, { id: 5 }, { id: "gid://x" }, { shopMoney: { amount: "1.00" } }, { shopMoney: { amount: "1.00", currencyCode: "SAR" } }];
    const order = lines.find((l) => typeof l.__parentId !== "string")!;
    const item = lines.find((l) => typeof l.__parentId === "string")!;
    const seen = { fast: 0, schema: 0 };
    for (const base of [order, item]) {
      for (const key of [...Object.keys(base), "missing"]) {
        for (const value of odd) {
          const changed = { ...base, [key]: value };
          if (value === undefined) delete changed[key];
          seen[expectSameAsSchema(changed)]++;
        }
      }
    }
    for (const key of ["billingAddress", "shippingAddress"]) {
      for (const value of odd) seen[expectSameAsSchema({ ...order, [key]: { firstName: value, zip: "" } })]++;
    }
    for (const value of odd) {
      seen[expectSameAsSchema({ ...order, refunds: [{ id: "gid://shopify/Refund/1", createdAt: value, totalRefundedSet: null }] })]++;
      seen[expectSameAsSchema({ ...item, discountAllocations: [{ allocatedAmountSet: value }] })]++;
    }
    expect(seen.fast).toBeGreaterThan(50);
    expect(seen.schema).toBeGreaterThan(50);
  });
});
