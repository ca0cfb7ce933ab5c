import { expect, it } from "vitest";
import Customers from "~/routes/app.customers._index";
import Profile from "~/routes/app.customers.$profileId";
import Review from "~/routes/app.review";
import { renderRoute as render } from "../../support/render-route";

it("renders the customer list and a profile in Arabic, and the review queue in English, from loader data", async () => {
  const list = { total: 1, page: 0, pageCount: 1, q: "", timezone: "Asia/Riyadh", profiles: [{ id: "p1", displayName: "محمد الحربي", email: "m@x.com", phone: "+966501234567", orderCount: 2, totalSpentMinor: "30000", currency: "SAR", lastOrderAt: "2026-01-01T00:00:00Z", memberCount: 2 }] };
  const listHtml = await render(Customers, list, "ar");
  expect(listHtml).toContain("محمد الحربي");
  expect(listHtml).toContain("العملاء");
  const view = {
    timezone: "Asia/Riyadh",
    profile: { id: "p1", displayName: "Mohammed", email: "m@x.com", phone: "+966501234567", currency: "SAR", firstSeenAt: null, lastOrderAt: null },
    metrics: { visits: 2, visitsPerMonth: 0.5, totalSpentMinor: "30000", averageMinor: "15000", channels: ["POS"] },
    members: [{ memberKey: "gid://shopify/Customer/1", kind: "CUSTOMER", name: "Mohammed", email: "m@x.com", phone: "+966501234567", city: null, address: null, linkedBy: [], linkScore: null, linkReason: null },
      { memberKey: "gid://shopify/Order/2", kind: "ORDER", name: "محمد", email: null, phone: "+966501234567", city: null, address: null, linkedBy: ["SAME_PHONE"], linkScore: 30, linkReason: "same phone +966501234567" }],
    invoices: [{ orderGid: "gid://shopify/Order/2", name: "#2", channel: "POS", branch: "7", at: "2026-01-01T00:00:00Z", totalMinor: "5000", currency: "SAR", cancelled: false }],
    products: [{ title: "Musk", sku: "MSK-1", quantity: 2 }],
    adjustRequestId: "00000000-0000-4000-8000-000000000000",
    mergeRequestId: "00000000-0000-4000-8000-000000000001",
    customerMerges: [],
    wallet: {
      programEnabled: true, hasProgram: true, currency: "SAR", balancePoints: 120, availablePoints: 100, pendingPoints: 20, expiredPoints: 0, heldPoints: 0, debtPoints: 0,
      tierId: null, tier: null, tierSpendMinor: "30000", nextTier: null, progressPercent: 100, nextExpiry: null, entries: [], nextBefore: null, firstPage: true,
    },
  };
  const html = await render(Profile, view, "ar");
  expect(html).toContain("same phone +966501234567");
  expect(html).toContain("السجلات المرتبطة");
  expect(html).toContain("150.00 SAR");
  const review = { pairs: [{ memberA: "a", memberB: "b", score: 13, reasons: [{ code: "NAME_MATCH", text: "name 1.00", weight: 6 }], a: { kind: "ORDER", profileId: "p1", name: "Reem", email: null, phone: null, city: "riyadh", address: null }, b: { kind: "ORDER", profileId: "p2", name: "Reem", email: null, phone: null, city: "riyadh", address: null } }], junk: [{ kind: "PHONE", value: "+966112345678", source: "DETECTED", active: true, reason: "x" }] };
  const reviewHtml = await render(Review, review, "en");
  expect(reviewHtml).toContain("+966112345678");
  expect(reviewHtml).toContain("Match score 13");
});
