import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import PointsLiability, { loader } from "~/routes/app.loyalty_.liability";
import { getPointsLiabilityReport } from "~/services/points-liability.server";
import { installTestShop } from "../../support/install";
import { saveProgram } from "../../support/loyalty";
import { adminRequest, renderPage, responseOf } from "./support";

const NOW = new Date("2026-11-23T12:00:00Z");
const DAY = 86_400_000;
const TIERS = [
  { id: "silver", name: { en: "Silver", ar: "فضي" }, thresholdMinor: 50_000, earnMultiplier: "1" },
  { id: "gold", name: { en: "Gold", ar: "ذهبي" }, thresholdMinor: 200_000, earnMultiplier: "1.5" },
];
const REWARDS = [
  { id: "small", name: { en: "25 off", ar: "خصم 25" }, kind: "FIXED_AMOUNT", pointsCost: 500, amountMinor: 2500 }, // 5 halalas a point
  { id: "best", name: { en: "20 off", ar: "خصم 20" }, kind: "FIXED_AMOUNT", pointsCost: 300, amountMinor: 2000 }, // 6.67 a point
  { id: "off", name: { en: "Disabled", ar: "معطلة" }, kind: "FIXED_AMOUNT", enabled: false, pointsCost: 100, amountMinor: 10_000 },
  { id: "pct", name: { en: "10%", ar: "10٪" }, kind: "PERCENTAGE", pointsCost: 1, percent: 10 },
] as const;

async function seedLots(shop: string) {
  await prisma.loyaltyWallet.createMany({
    data: [
      { shop, profileId: "w1", tierId: "silver", heldPoints: 25 },
      { shop, profileId: "w2", tierId: "gold", debtPoints: 8 },
      { shop, profileId: "w3", tierId: null },
      { shop, profileId: "w4", tierId: "platinum" }, // a tier since removed from the settings
    ],
  });
  const lot = (profileId: string, id: string, remainingPoints: number, availableAt: Date, expiresAt: string | null, closedAt: Date | null = null) => ({
    shop,
    id,
    profileId,
    points: remainingPoints + 10,
    remainingPoints,
    earnedAt: new Date(availableAt.getTime() - 14 * DAY),
    availableAt,
    expiresAt: expiresAt ? new Date(expiresAt) : null,
    closedAt,
  });
  const past = new Date(NOW.getTime() - 30 * DAY);
  const soon = new Date(NOW.getTime() + 3 * DAY);
  await prisma.loyaltyLot.createMany({
    data: [
      lot("w1", "a", 100, past, "2027-01-15T00:00:00Z"),
      lot("w1", "b", 40, soon, "2027-01-31T22:00:00Z"), // 1 February 01:00 in Riyadh
      lot("w2", "c", 500, past, null),
      lot("w2", "d", 60, past, "2026-11-01T00:00:00Z"), // expired, not yet written off
      lot("w2", "e", 30, past, "2026-10-01T00:00:00Z", new Date("2026-10-02T00:00:00Z")), // written off
      lot("w2", "f", 0, past, "2027-03-01T00:00:00Z"), // spent
      lot("w3", "g", 7, past, "2027-01-10T00:00:00Z"),
      lot("w4", "h", 3, soon, null),
    ],
  });
}

describe("points liability report", () => {
  it("sums outstanding points and their value by tier and by expiry month in the shop's time zone", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop, { tiers: TIERS, rewards: REWARDS as never });
    await seedLots(shop);
    const other = await installTestShop();
    await prisma.loyaltyWallet.create({ data: { shop: other.shop, profileId: "w1", tierId: "silver", heldPoints: 1 } });
    await prisma.loyaltyLot.create({ data: { shop: other.shop, id: "a", profileId: "w1", points: 1000, remainingPoints: 1000, earnedAt: NOW, availableAt: NOW, expiresAt: new Date("2027-01-15T00:00:00Z") } });

    const report = await getPointsLiabilityReport({ shop, now: NOW });
    expect(report.valuation).toMatchObject({ rewardId: "best", amountMinor: "2000", pointsCost: 300 });
    // value = points × 2000 / 300, half up to the halala
    expect(report.total).toEqual({ key: null, availablePoints: 607, pendingPoints: 43, expiredPoints: 60, lots: 6, points: 710, valueMinor: "4733" });
    expect(report.byTier.map((row) => [row.key, row.availablePoints, row.pendingPoints, row.expiredPoints, row.points, row.valueMinor])).toEqual([
      [null, 7, 0, 0, 7, "47"],
      ["silver", 100, 40, 0, 140, "933"],
      ["gold", 500, 0, 60, 560, "3733"],
      ["platinum", 0, 3, 0, 3, "20"],
    ]);
    expect(report.byTier[1].tierName).toEqual({ en: "Silver", ar: "فضي" });
    expect(report.byTier[3].tierName).toBeNull();
    expect(report.byMonth.map((row) => [row.key, row.availablePoints, row.pendingPoints, row.expiredPoints, row.valueMinor])).toEqual([
      ["2026-11", 0, 0, 60, "400"],
      ["2027-01", 107, 0, 0, "713"],
      ["2027-02", 0, 40, 0, "267"],
      [null, 500, 3, 0, "3353"],
    ]);
    expect([report.heldPoints, report.debtPoints, report.heldValueMinor]).toEqual([25, 8, "167"]);

    // The page's own loader, for this shop and for the other one.
    const page = await responseOf<{ total: { points: number } }>(loader({ request: adminRequest(shop, "/app/loyalty/liability"), params: {}, context: {} }));
    expect(page.body.total.points).toBe(710);
    const otherPage = await responseOf<{ total: { points: number }; heldPoints: number; valuation: unknown }>(
      loader({ request: adminRequest(other.shop, "/app/loyalty/liability"), params: {}, context: {} }),
    );
    expect(otherPage.body).toMatchObject({ total: { points: 1000 }, heldPoints: 1, valuation: null });

    const html = await renderPage(shop, PointsLiability, page.body, "ar");
    expect(html).toContain('dir="rtl"');
    expect(html).toContain("التزامات النقاط");
    expect(html).toContain("حسب شهر الانتهاء");
    expect(html).toContain("فضي");
    expect(html).toContain("47.33 SAR");
  });

  it("reports nothing for a shop without points, and no money value without a fixed-amount reward", async () => {
    const { shop } = await installTestShop();
    const report = await getPointsLiabilityReport({ shop, now: NOW });
    expect(report.total).toMatchObject({ points: 0, valueMinor: null });
    expect(report.byTier).toEqual([]);
    expect(report.byMonth).toEqual([]);
    const html = await renderPage(shop, PointsLiability, JSON.parse(JSON.stringify(report)), "en");
    expect(html).toContain("No enabled fixed-amount reward");
  });
});
