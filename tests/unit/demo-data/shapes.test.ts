import { describe, expect, it } from "vitest";
import { SHOP_NAME, generateShop } from "../../../prisma/seed/demo-data";
import { collect } from "./helpers";

const RIYADH_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+03:00$/;

describe("demo shop and payload shapes", () => {
  it("describes a SAR shop in Riyadh with three branches and a ~60 product catalogue", () => {
    const shop = generateShop();
    expect(shop.shop).toMatchObject({
      name: SHOP_NAME,
      myshopify_domain: "demo-wafa.myshopify.com",
      currency: "SAR",
      country_code: "SA",
      iana_timezone: "Asia/Riyadh",
      taxes_included: true,
    });
    expect(shop.branches.map((branch) => branch.nameAr)).toEqual(["الرياض - العليا", "جدة - التحلية", "الدمام"]);
    for (const location of shop.locations) expect(location.admin_graphql_api_id).toBe(`gid://shopify/Location/${location.id}`);
    expect(shop.products.length).toBeGreaterThanOrEqual(55);
    const skus = shop.products.flatMap((product) => product.payload.variants.map((variant) => variant.sku));
    expect(new Set(skus).size).toBe(skus.length);
    expect(shop.products.every((product) => /[\u0600-\u06FF]/.test(product.catalog.titleAr))).toBe(true);
    expect(shop.products.some((product) => product.payload.variants.length > 1)).toBe(true);
  });

  it("writes orders as Shopify orders/create payloads", () => {
    const { orders } = collect({ seed: 4, customers: 500 });
    const locationIds = new Set(generateShop().locations.map((location) => location.id));
    orders.forEach(({ payload }, index) => {
      expect(payload.name).toBe(`#${1001 + index}`);
      expect(payload.admin_graphql_api_id).toBe(`gid://shopify/Order/${payload.id}`);
      expect(payload.created_at).toMatch(RIYADH_TIME);
      expect(payload.updated_at).toMatch(RIYADH_TIME);
      expect(payload.processed_at).toBe(payload.created_at);
      expect(payload.currency).toBe("SAR");
      expect(payload.presentment_currency).toBe("SAR");
      expect(payload.line_items.length).toBeGreaterThan(0);
      for (const item of payload.line_items) {
        expect(item.admin_graphql_api_id).toBe(`gid://shopify/LineItem/${item.id}`);
        expect(item.sku).toMatch(/^[A-Z]{3}-/);
        expect(item.quantity).toBeGreaterThan(0);
      }
      if (payload.source_name === "web") {
        expect(payload.location_id).toBeNull();
        expect(payload.shipping_lines.length).toBe(1);
        expect(payload.shipping_address).not.toBeNull();
        expect(payload.customer).not.toBeNull();
      } else {
        expect(payload.source_name).toBe("pos");
        expect(locationIds.has(payload.location_id!)).toBe(true);
        expect(payload.shipping_lines).toEqual([]);
      }
      if (payload.customer) {
        expect(payload.customer.admin_graphql_api_id).toBe(`gid://shopify/Customer/${payload.customer.id}`);
        expect(Date.parse(payload.customer.created_at)).toBeLessThanOrEqual(Date.parse(payload.created_at));
      }
      for (const refund of payload.refunds) {
        expect(refund.order_id).toBe(payload.id);
        expect(refund.admin_graphql_api_id).toBe(`gid://shopify/Refund/${refund.id}`);
        expect(Date.parse(refund.created_at)).toBeGreaterThanOrEqual(Date.parse(payload.created_at));
      }
    });
    const gateways = new Set(orders.flatMap((order) => order.payload.payment_gateway_names));
    for (const gateway of ["mada", "apple_pay", "cash", "visa"]) expect(gateways).toContain(gateway);
    const ids = orders.map((order) => order.payload.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("writes customers as customers/create payloads created before their first order", () => {
    const { bundles } = collect({ seed: 4, customers: 500 });
    for (const { customers, orders } of bundles) {
      for (const { payload } of customers) {
        expect(payload.admin_graphql_api_id).toBe(`gid://shopify/Customer/${payload.id}`);
        expect(payload.created_at).toMatch(RIYADH_TIME);
        expect(payload.updated_at >= payload.created_at).toBe(true);
        expect(payload.default_address === null || payload.addresses[0] === payload.default_address).toBe(true);
        const own = orders.filter((order) => order.payload.customer?.id === payload.id);
        expect(own.length).toBeGreaterThan(0);
        for (const order of own) expect(order.payload.created_at >= payload.created_at).toBe(true);
      }
    }
  });
});
