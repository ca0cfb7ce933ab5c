import { describe, expect, it } from "vitest";
import {
  BulkFormatError,
  BulkObjectAssembler,
  toCustomerRecordFromBulk,
  toOrderRecordFromBulk,
  toRefundRecordFromGraphql,
} from "~/shopify/bulk-records";

const money = (amount: string, currencyCode = "SAR") => ({ shopMoney: { amount, currencyCode } });

function bulkOrder(overrides: Record<string, unknown> = {}) {
  return {
    id: "gid://shopify/Order/1001",
    name: "#1001",
    createdAt: "2026-11-01T10:00:00Z",
    updatedAt: "2026-11-01T11:00:00Z",
    processedAt: "2026-11-01T10:00:05Z",
    cancelledAt: null,
    cancelReason: null,
    displayFinancialStatus: "PARTIALLY_REFUNDED",
    currencyCode: "SAR",
    sourceName: "web",
    retailLocation: null,
    email: "sara@example.com",
    phone: null,
    taxesIncluded: true,
    customer: { id: "gid://shopify/Customer/7001" },
    billingAddress: { firstName: "Sara", lastName: "Al-Harbi", phone: "+966501234567", address1: "Billing St", city: "Riyadh", countryCodeV2: "SA" },
    shippingAddress: { firstName: "S", lastName: "H", address1: "King Fahd Rd", address2: "", city: "Jeddah", province: "Makkah", zip: "21411", countryCodeV2: "SA" },
    subtotalPriceSet: money("200.00"),
    totalDiscountsSet: money("20.00"),
    totalShippingPriceSet: money("15.00"),
    totalTaxSet: money("26.09"),
    totalPriceSet: money("195.00"),
    discountCodes: ["EID10"],
    paymentGatewayNames: ["mada"],
    tags: ["vip"],
    refunds: [{ id: "gid://shopify/Refund/5001", createdAt: "2026-11-02T10:00:00Z", totalRefundedSet: money("50.00") }],
    ...overrides,
  };
}

function bulkLine(overrides: Record<string, unknown> = {}) {
  return {
    id: "gid://shopify/LineItem/9101",
    sku: "OUD-50",
    title: "Oud perfume",
    variantTitle: "50 ml",
    quantity: 2,
    originalUnitPriceSet: money("100.00"),
    discountAllocations: [{ allocatedAmountSet: money("15.00") }, { allocatedAmountSet: money("5.00") }],
    product: { id: "gid://shopify/Product/9001" },
    variant: { id: "gid://shopify/ProductVariant/9002" },
    __parentId: "gid://shopify/Order/1001",
    ...overrides,
  };
}

describe("toOrderRecordFromBulk", () => {
  it("maps an online order with its lines exactly, contact from billing and place from shipping", () => {
    const { order, refundGids } = toOrderRecordFromBulk(bulkOrder(), [bulkLine()]);
    expect(order).toEqual({
      orderGid: "gid://shopify/Order/1001",
      name: "#1001",
      channel: "ONLINE",
      sourceName: "web",
      locationGid: null,
      branchName: null,
      shopifyCreatedAt: new Date("2026-11-01T10:00:00Z"),
      processedAt: new Date("2026-11-01T10:00:05Z"),
      shopifyUpdatedAt: new Date("2026-11-01T11:00:00Z"),
      cancelledAt: null,
      cancelReason: null,
      financialStatus: "partially_refunded",
      currency: "SAR",
      subtotalMinor: 20000,
      discountsMinor: 2000,
      shippingMinor: 1500,
      taxMinor: 2609,
      totalMinor: 19500,
      taxesIncluded: true,
      discountCodes: ["EID10"],
      gateways: ["mada"],
      customerGid: "gid://shopify/Customer/7001",
      email: "sara@example.com",
      phone: "+966501234567",
      firstName: "Sara",
      lastName: "Al-Harbi",
      address1: "King Fahd Rd",
      address2: null,
      city: "Jeddah",
      province: "Makkah",
      zip: "21411",
      countryCode: "SA",
      tags: ["vip"],
      lines: [
        {
          lineGid: "gid://shopify/LineItem/9101",
          productGid: "gid://shopify/Product/9001",
          variantGid: "gid://shopify/ProductVariant/9002",
          sku: "OUD-50",
          title: "Oud perfume",
          variantTitle: "50 ml",
          quantity: 2,
          priceMinor: 10000,
          discountMinor: 2000,
          giftCard: false,
        },
      ],
    });
    expect(refundGids).toEqual(["gid://shopify/Refund/5001"]);
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ["a POS order at a location", { sourceName: "pos", retailLocation: { id: "gid://shopify/Location/70001" } }, { channel: "POS", locationGid: "gid://shopify/Location/70001" }],
    ["JPY (no decimals)", { currencyCode: "JPY", subtotalPriceSet: money("1500", "JPY"), totalPriceSet: money("1500", "JPY") }, { currency: "JPY", subtotalMinor: 1500, totalMinor: 1500 }],
    ["KWD (three decimals)", { currencyCode: "KWD", subtotalPriceSet: money("12.345", "KWD"), totalPriceSet: money("12.5", "KWD") }, { currency: "KWD", subtotalMinor: 12345, totalMinor: 12500 }],
    ["extra decimals rounded half-even down", { totalTaxSet: money("10.005") }, { taxMinor: 1000 }],
    ["extra decimals rounded half-even up", { totalTaxSet: money("10.015") }, { taxMinor: 1002 }],
    ["a cancelled order", { cancelledAt: "2026-11-03T00:00:00Z", cancelReason: "CUSTOMER" }, { cancelledAt: new Date("2026-11-03T00:00:00Z"), cancelReason: "customer" }],
    ["no addresses and no money bags", { billingAddress: null, shippingAddress: null, totalShippingPriceSet: null, totalDiscountsSet: null, phone: "0501", customer: null }, { firstName: null, city: null, phone: "0501", shippingMinor: 0, discountsMinor: 0, customerGid: null }],
    ["billing only, used for the place too", { shippingAddress: null }, { address1: "Billing St", city: "Riyadh", firstName: "Sara" }],
    ["missing lists", { discountCodes: null, paymentGatewayNames: null, tags: null, refunds: null, taxesIncluded: null }, { discountCodes: [], gateways: [], tags: [], taxesIncluded: false }],
  ])("maps %s", (_name, overrides, expected) => {
    expect(toOrderRecordFromBulk(bulkOrder(overrides), []).order).toMatchObject(expected);
  });

  it.each<[string, Record<string, unknown>, number, number]>([
    ["no discount allocations", { discountAllocations: null }, 10000, 0],
    ["no unit price", { originalUnitPriceSet: null }, 0, 2000],
  ])("maps a line with %s", (_name, overrides, priceMinor, discountMinor) => {
    const { order } = toOrderRecordFromBulk(bulkOrder(), [bulkLine(overrides)]);
    expect([order.lines[0].priceMinor, order.lines[0].discountMinor]).toEqual([priceMinor, discountMinor]);
  });

  it("marks gift card lines (isGiftCard), which earn no points", () => {
    const { order } = toOrderRecordFromBulk(bulkOrder(), [bulkLine(), bulkLine({ id: "gid://shopify/LineItem/9102", isGiftCard: true })]);
    expect(order.lines.map((l) => l.giftCard)).toEqual([false, true]);
  });

  it("keeps line order and maps a line without product, variant or title", () => {
    const { order } = toOrderRecordFromBulk(bulkOrder(), [bulkLine(), bulkLine({ id: "gid://shopify/LineItem/9102", product: null, variant: null, title: null, sku: "" })]);
    expect(order.lines.map((l) => [l.lineGid, l.productGid, l.variantGid, l.sku, l.title])).toEqual([
      ["gid://shopify/LineItem/9101", "gid://shopify/Product/9001", "gid://shopify/ProductVariant/9002", "OUD-50", "Oud perfume"],
      ["gid://shopify/LineItem/9102", null, null, null, ""],
    ]);
  });

  it.each<[string, Record<string, unknown>]>([
    ["a lower-case currency", { currencyCode: "sar" }],
    ["an unreadable date", { updatedAt: "yesterday" }],
    ["no id", { id: undefined }],
  ])("refuses an order with %s", (_name, overrides) => {
    expect(() => toOrderRecordFromBulk(bulkOrder(overrides), [])).toThrow();
  });

  it("refuses a line with a fractional quantity", () => {
    expect(() => toOrderRecordFromBulk(bulkOrder(), [bulkLine({ quantity: 1.5 })])).toThrow();
  });
});

describe("toCustomerRecordFromBulk", () => {
  const full = {
    id: "gid://shopify/Customer/7001",
    firstName: "Sara",
    lastName: "Al-Harbi",
    state: "ENABLED",
    note: "",
    tags: ["vip"],
    createdAt: "2025-01-01T00:00:00Z",
    updatedAt: "2026-11-01T00:00:00Z",
    defaultEmailAddress: { emailAddress: "sara@example.com" },
    defaultPhoneNumber: { phoneNumber: "+966501234567" },
    defaultAddress: { firstName: "S", lastName: "H", address1: "King Fahd Rd", city: "Riyadh", province: "Riyadh", zip: "12211", countryCodeV2: "SA", phone: "+966500000000" },
  };

  it("maps a customer exactly", () => {
    expect(toCustomerRecordFromBulk(full)).toEqual({
      customerGid: "gid://shopify/Customer/7001",
      email: "sara@example.com",
      phone: "+966501234567",
      firstName: "Sara",
      lastName: "Al-Harbi",
      address1: "King Fahd Rd",
      address2: null,
      city: "Riyadh",
      province: "Riyadh",
      zip: "12211",
      countryCode: "SA",
      tags: ["vip"],
      state: "enabled",
      note: null,
      shopifyCreatedAt: new Date("2025-01-01T00:00:00Z"),
      shopifyUpdatedAt: new Date("2026-11-01T00:00:00Z"),
    });
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ["names and phone from the default address", { firstName: "", lastName: null, defaultPhoneNumber: null }, { firstName: "S", lastName: "H", phone: "+966500000000" }],
    ["no contact at all", { defaultEmailAddress: null, defaultPhoneNumber: null, defaultAddress: null }, { email: null, phone: null, address1: null, countryCode: null }],
    ["no tags or creation date", { tags: null, createdAt: null }, { tags: [], shopifyCreatedAt: null }],
  ])("maps %s", (_name, overrides, expected) => {
    expect(toCustomerRecordFromBulk({ ...full, ...overrides })).toMatchObject(expected);
  });

  it("refuses a customer without updatedAt", () => {
    expect(() => toCustomerRecordFromBulk({ ...full, updatedAt: undefined })).toThrow();
  });
});

describe("toRefundRecordFromGraphql", () => {
  const refund = {
    id: "gid://shopify/Refund/5001",
    createdAt: "2026-11-02T10:00:00Z",
    order: { id: "gid://shopify/Order/1001" },
    totalRefundedSet: money("115.00"),
    refundLineItems: {
      nodes: [
        { id: "gid://shopify/RefundLineItem/1", lineItem: { id: "gid://shopify/LineItem/9101" }, quantity: 1, subtotalSet: money("100.00") },
        { id: null, lineItem: { id: "gid://shopify/LineItem/9102" }, quantity: 2, subtotalSet: money("7.50") },
      ],
    },
  };

  it("maps the money returned and the refunded lines' subtotal", () => {
    expect(toRefundRecordFromGraphql(refund, "USD")).toEqual({
      refundGid: "gid://shopify/Refund/5001",
      orderGid: "gid://shopify/Order/1001",
      shopifyCreatedAt: new Date("2026-11-02T10:00:00Z"),
      amountMinor: 11500,
      linesSubtotalMinor: 10750,
      currency: "SAR",
      lines: [
        { lineGid: "gid://shopify/RefundLineItem/1", orderLineGid: "gid://shopify/LineItem/9101", quantity: 1, subtotalMinor: 10000 },
        { lineGid: "gid://shopify/RefundLineItem/5001-9102", orderLineGid: "gid://shopify/LineItem/9102", quantity: 2, subtotalMinor: 750 },
      ],
    });
  });

  it("uses the fallback currency and the epoch when Shopify gives neither", () => {
    const bare = { ...refund, createdAt: null, totalRefundedSet: null, refundLineItems: { nodes: [] } };
    expect(toRefundRecordFromGraphql(bare, "KWD")).toMatchObject({ currency: "KWD", amountMinor: 0, linesSubtotalMinor: 0, shopifyCreatedAt: new Date(0), lines: [] });
  });
});

describe("BulkObjectAssembler", () => {
  const order = (n: number) => ({ id: `gid://shopify/Order/${n}` });
  const line = (n: number, parent: number) => ({ id: `gid://shopify/LineItem/${n}`, __parentId: `gid://shopify/Order/${parent}` });

  it("returns each root object with its children when the next root starts, and the last on finish", () => {
    const assembler = new BulkObjectAssembler();
    const input = [order(1), line(11, 1), line(12, 1), order(2), order(3), line(31, 3)];
    const completed = input.map((l) => assembler.push(l)).map((done) => (done ? [done.line.id, done.children.map((c) => c.id)] : null));
    expect(completed).toEqual([
      null,
      null,
      null,
      ["gid://shopify/Order/1", ["gid://shopify/LineItem/11", "gid://shopify/LineItem/12"]],
      ["gid://shopify/Order/2", []],
      null,
    ]);
    const last = assembler.finish();
    expect([last?.line.id, last?.children.map((c) => c.id)]).toEqual(["gid://shopify/Order/3", ["gid://shopify/LineItem/31"]]);
    expect(assembler.finish()).toBeNull();
  });

  it("accepts a grandchild whose parent is a child of the current object", () => {
    const assembler = new BulkObjectAssembler();
    assembler.push(order(1));
    assembler.push(line(11, 1));
    assembler.push({ id: "gid://shopify/Discount/1", __parentId: "gid://shopify/LineItem/11" });
    expect(assembler.finish()?.children).toHaveLength(2);
  });

  it.each<[string, Array<Record<string, unknown>>]>([
    ["a child before any root", [line(11, 1)]],
    ["a child of an earlier root", [order(1), order(2), line(11, 1)]],
  ])("refuses %s", (_name, input) => {
    const assembler = new BulkObjectAssembler();
    expect(() => input.forEach((l) => assembler.push(l))).toThrow(BulkFormatError);
  });
});
