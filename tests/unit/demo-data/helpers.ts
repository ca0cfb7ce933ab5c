import {
  iteratePersons,
  parseMinor,
  type DemoDataOptions,
  type GeneratedCustomer,
  type GeneratedOrder,
  type PersonBundle,
  type ShopifyMoneySet,
  type ShopifyOrder,
} from "../../../prisma/seed/demo-data";

export interface Collected {
  bundles: PersonBundle[];
  customers: GeneratedCustomer[];
  orders: GeneratedOrder[];
}

const cache = new Map<string, Collected>();

/** Small data sets held in memory for assertions (memoised per options within a test file). */
export function collect(options: DemoDataOptions): Collected {
  const key = JSON.stringify(options);
  const hit = cache.get(key);
  if (hit) return hit;
  const bundles = [...iteratePersons(options)];
  const result = {
    bundles,
    customers: bundles.flatMap((bundle) => bundle.customers),
    orders: bundles.flatMap((bundle) => bundle.orders),
  };
  cache.set(key, result);
  return result;
}

/** Digits of a free-text Saudi phone as a 9-digit national number ("501234567"), or null. */
export function toNsn(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const ascii = raw.replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x660)).replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x6f0));
  let digits = ascii.replace(/\D/g, "");
  if (digits.startsWith("00966")) digits = digits.slice(5);
  else if (digits.startsWith("966")) digits = digits.slice(3);
  else if (digits.startsWith("0")) digits = digits.slice(1);
  return digits.length === 9 ? digits : null;
}

/** Checks one order's money arithmetic exactly in minor units; returns the problems found. */
export function orderArithmeticProblems(order: ShopifyOrder, exponent: number): string[] {
  const problems: string[] = [];
  const m = (amount: string) => parseMinor(amount, exponent);
  const check = (label: string, actual: number, expected: number) => {
    if (actual !== expected) problems.push(`${order.name} ${label}: ${actual} != ${expected}`);
  };
  const checkSet = (label: string, plain: string, moneySet: ShopifyMoneySet) => {
    if (moneySet.shop_money.amount !== plain || moneySet.presentment_money.amount !== plain) {
      problems.push(`${order.name} ${label}_set differs from ${label}`);
    }
    if (moneySet.shop_money.currency_code !== order.currency) problems.push(`${order.name} ${label}_set currency`);
  };
  let lines = 0;
  let allocations = 0;
  let lineTax = 0;
  for (const item of order.line_items) {
    const price = m(item.price);
    checkSet("price", item.price, item.price_set);
    const allocated = item.discount_allocations.reduce((sum, allocation) => sum + m(allocation.amount), 0);
    check("line total_discount", m(item.total_discount), allocated);
    lines += price * item.quantity;
    allocations += allocated;
    const tax = item.tax_lines.reduce((sum, line) => sum + m(line.price), 0);
    lineTax += tax;
    const rate = item.tax_lines[0]?.rate ?? 0;
    const net = price * item.quantity - allocated;
    const expectedTax = rate === 0 ? 0 : order.taxes_included ? Math.round((net * rate) / (1 + rate)) : Math.round(net * rate);
    check(`line ${item.sku} tax`, tax, expectedTax);
  }
  check("total_line_items_price", m(order.total_line_items_price), lines);
  check("total_discounts", m(order.total_discounts), allocations);
  if (order.discount_codes.length > 0) check("discount_codes amount", m(order.discount_codes[0].amount), allocations);
  check("subtotal_price", m(order.subtotal_price), lines - allocations);
  const shipping = order.shipping_lines.reduce((sum, line) => sum + m(line.price), 0);
  const shippingTax = order.shipping_lines.reduce((sum, line) => sum + line.tax_lines.reduce((s, t) => s + m(t.price), 0), 0);
  check("total_shipping_price_set", m(order.total_shipping_price_set.shop_money.amount), shipping);
  check("total_tax", m(order.total_tax), lineTax + shippingTax);
  check("order tax_lines", order.tax_lines.reduce((sum, line) => sum + m(line.price), 0), lineTax + shippingTax);
  const total = m(order.total_price);
  check("total_price", total, m(order.subtotal_price) + shipping + (order.taxes_included ? 0 : m(order.total_tax)));
  checkSet("total_price", order.total_price, order.total_price_set);
  checkSet("subtotal_price", order.subtotal_price, order.subtotal_price_set);
  checkSet("total_tax", order.total_tax, order.total_tax_set);
  checkSet("total_discounts", order.total_discounts, order.total_discounts_set);
  checkSet("current_total_price", order.current_total_price, order.current_total_price_set);

  let refunded = 0;
  let refundedSubtotal = 0;
  let refundedTax = 0;
  const refundedQuantity = new Map<number, number>();
  for (const refund of order.refunds) {
    let expected = 0;
    for (const line of refund.refund_line_items) {
      const subtotal = m(line.subtotal);
      const tax = m(line.total_tax);
      expected += subtotal + (order.taxes_included ? 0 : tax);
      refundedSubtotal += subtotal;
      refundedTax += tax;
      refundedQuantity.set(line.line_item_id, (refundedQuantity.get(line.line_item_id) ?? 0) + line.quantity);
      checkSet("refund subtotal", line.subtotal, line.subtotal_set);
    }
    for (const adjustment of refund.order_adjustments) {
      expected += -m(adjustment.amount) + (order.taxes_included ? 0 : -m(adjustment.tax_amount));
      refundedTax += -m(adjustment.tax_amount);
    }
    const paid = refund.transactions.reduce((sum, transaction) => sum + m(transaction.amount), 0);
    check("refund transactions", paid, expected);
    if (refund.transactions.some((transaction) => transaction.kind !== "refund")) problems.push(`${order.name} transaction kind`);
    refunded += paid;
  }
  for (const item of order.line_items) {
    const quantity = refundedQuantity.get(item.id) ?? 0;
    if (quantity > item.quantity) problems.push(`${order.name} refunds more than sold of ${item.sku}`);
    check("current_quantity", item.current_quantity, item.quantity - quantity);
  }
  check("current_total_price", m(order.current_total_price), total - refunded);
  check("current_subtotal_price", m(order.current_subtotal_price), m(order.subtotal_price) - refundedSubtotal);
  check("current_total_tax", m(order.current_total_tax), m(order.total_tax) - refundedTax);
  if (total - refunded < 0) problems.push(`${order.name} refunded more than paid`);
  const status = refunded === 0 ? "paid" : refunded === total ? "refunded" : "partially_refunded";
  if (order.financial_status !== status) problems.push(`${order.name} financial_status ${order.financial_status} != ${status}`);
  return problems;
}
