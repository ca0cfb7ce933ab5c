import { describe, expect, it } from "vitest";
import { ar, en } from "~/i18n/messages";
import { CUSTOMER_MERGE_BLOCKERS } from "~/shopify/customer-merge";
import Profile from "~/routes/app.customers.$profileId";
import { renderRoute as render } from "../../support/render-route";

const customer = (id: number, name: string, email: string | null) => ({
  memberKey: `gid://shopify/Customer/${id}`, kind: "CUSTOMER", name, email, phone: "+966501234567", city: null, address: null, linkedBy: [], linkScore: null, linkReason: null,
});

const view = {
  timezone: "Asia/Riyadh",
  profile: { id: "p1", displayName: "Mohammed", email: "m@x.com", phone: "+966501234567", currency: "SAR", firstSeenAt: null, lastOrderAt: null },
  metrics: { visits: 0, visitsPerMonth: 0, totalSpentMinor: "0", averageMinor: "0", channels: [] },
  members: [customer(601, "Mohammed Alharbi", "m@x.com"), customer(602, "محمد الحربي", null)],
  invoices: [],
  products: [],
  adjustRequestId: "00000000-0000-4000-8000-000000000000",
  mergeRequestId: "00000000-0000-4000-8000-000000000001",
  customerMerges: [{
    requestId: "r1", status: "FAILED", customerOneGid: "gid://shopify/Customer/601", customerTwoGid: "gid://shopify/Customer/602",
    resultingCustomerGid: null, mergedAwayGid: null, blockers: [{ code: "GIFT_CARDS", message: "Customers with gift cards can't be merged." }], createdAt: "2026-12-01T10:00:00Z",
  }],
  wallet: {
    programEnabled: false, hasProgram: false, currency: "SAR", balancePoints: 0, availablePoints: 0, pendingPoints: 0, expiredPoints: 0, heldPoints: 0, debtPoints: 0,
    tierId: null, tier: null, tierSpendMinor: "0", nextTier: null, progressPercent: 0, nextExpiry: null, entries: [], nextBefore: null, firstPage: true,
  },
};

describe("the Merge in Shopify card", () => {
  it("appears with two Shopify customers, in Arabic and English, with a past merge's blocker in words", async () => {
    const arabic = await render(Profile, view, "ar");
    expect(arabic).toContain(ar["profile.merge.heading"]);
    expect(arabic).toContain(ar["profile.merge.check"]);
    expect(arabic).toContain(ar["profile.merge.blocker.GIFT_CARDS"]);
    expect(arabic).toContain(ar["profile.merge.badge.FAILED"]);
    const english = await render(Profile, view, "en");
    expect(english).toContain("Merge in Shopify");
    expect(english).toContain("One customer has gift cards.");
  });

  it("is not shown for a profile with one Shopify customer and no merge", async () => {
    const html = await render(Profile, { ...view, members: [view.members[0]], customerMerges: [] }, "en");
    expect(html).not.toContain("Merge in Shopify");
  });

  it("has every blocker and error code in both languages, the Arabic in Arabic letters", () => {
    const keys = [
      ...[...CUSTOMER_MERGE_BLOCKERS, "UNKNOWN"].map((code) => `profile.merge.blocker.${code}`),
      ...["VALIDATION_FAILED", "CUSTOMER_NOT_IN_PROFILE", "CUSTOMER_MERGE_IN_PROGRESS", "SHOPIFY_UNAVAILABLE", "SHOPIFY_SCOPE_MISSING", "CONFLICT"].map((code) => `profile.merge.error.${code}`),
    ] as Array<keyof typeof en>;
    for (const key of keys) {
      expect(en[key], key).toBeTruthy();
      expect(ar[key], key).toMatch(/[\u0600-\u06FF]/);
    }
    expect(Object.keys(ar).sort()).toEqual(Object.keys(en).sort());
  });
});
