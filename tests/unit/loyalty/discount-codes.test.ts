import { describe, expect, it } from "vitest";
import { toDiscountCodeInput, type ReservationDiscount } from "~/shopify/discount-codes";

const base: ReservationDiscount = {
  code: "WAFA-ABCD2345",
  title: "Wafa points: Amount off",
  kind: "FIXED_AMOUNT",
  currency: "KWD",
  amountMinor: 2500,
  percent: null,
  minSubtotalMinor: 0,
  customerGid: "gid://shopify/Customer/7001",
  startsAt: new Date("2026-11-23T10:00:00Z"),
  endsAt: new Date("2026-11-23T10:30:00Z"),
};

describe("reservation discount code input", () => {
  it("is single-use, once per customer, bound to the customer and ends with the reservation", () => {
    expect(toDiscountCodeInput(base)).toEqual({
      title: "Wafa points: Amount off",
      code: "WAFA-ABCD2345",
      startsAt: "2026-11-23T10:00:00.000Z",
      endsAt: "2026-11-23T10:30:00.000Z",
      usageLimit: 1,
      appliesOncePerCustomer: true,
      context: { customers: { add: ["gid://shopify/Customer/7001"] } },
      customerGets: { value: { discountAmount: { amount: "2.500", appliesOnEachItem: false } }, items: { all: true } },
    });
  });

  it.each([
    { currency: "JPY", amountMinor: 500, amount: "500", min: "1000" },
    { currency: "SAR", amountMinor: 2505, amount: "25.05", min: "10.00" },
    { currency: "KWD", amountMinor: 2500, amount: "2.500", min: "1.000" },
  ])("writes $currency amounts with the currency's own decimals", ({ currency, amountMinor, amount, min }) => {
    const input = toDiscountCodeInput({ ...base, currency, amountMinor, minSubtotalMinor: 1000 });
    expect(input.customerGets).toEqual({ value: { discountAmount: { amount, appliesOnEachItem: false } }, items: { all: true } });
    expect(input.minimumRequirement).toEqual({ subtotal: { greaterThanOrEqualToSubtotal: min } });
  });

  it("gives percentages as a fraction and free shipping with its dearest covered rate; any buyer without a customer", () => {
    const percentage = toDiscountCodeInput({ ...base, kind: "PERCENTAGE", amountMinor: null, percent: 15, customerGid: null });
    expect(percentage.customerGets).toEqual({ value: { percentage: 0.15 }, items: { all: true } });
    expect(percentage.context).toEqual({ all: "ALL" });
    const shipping = toDiscountCodeInput({ ...base, kind: "FREE_SHIPPING", amountMinor: 3000 });
    expect(shipping).toMatchObject({ destination: { all: true }, maximumShippingPrice: "3.000" });
    expect(shipping).not.toHaveProperty("customerGets");
    expect(toDiscountCodeInput({ ...base, kind: "FREE_SHIPPING", amountMinor: null })).not.toHaveProperty("maximumShippingPrice");
  });
});
