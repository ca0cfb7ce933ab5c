import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import Profile, { action, loader } from "~/routes/app.customers.$profileId";
import { storeOrders } from "~/services/store-orders.server";
import type { WalletCardData } from "~/components/loyalty/WalletCard";
import { installTestShop } from "../../support/install";
import { createProfile, expectLedgerConsistent, saveProgram } from "../../support/loyalty";
import { orderRecord } from "../../factories/records";
import { adminPost, adminRequest, renderPage, responseOf } from "./support";

const DAY = 86_400_000;
const TIERS = [
  { id: "silver", name: { en: "Silver", ar: "فضي" }, thresholdMinor: 50_000, earnMultiplier: "1" },
  { id: "gold", name: { en: "Gold", ar: "ذهبي" }, thresholdMinor: 200_000, earnMultiplier: "1.5" },
];

type PageData = { wallet: WalletCardData; adjustRequestId: string };

const loadProfile = (shop: string, profileId: string, query = "") =>
  responseOf<PageData>(loader({ request: adminRequest(shop, `/app/customers/${profileId}${query}`), params: { profileId }, context: {} }));

/** A wallet written straight into its tables, as the ledger leaves it: lots in every state and 55 entries. */
async function seedWallet(shop: string, profileId: string, orderGid: string) {
  const now = Date.now();
  await prisma.loyaltyWallet.create({ data: { shop, profileId, balancePoints: 310, heldPoints: 20, debtPoints: 0, tierId: "silver", tierSpendMinor: 125_000n } });
  const lot = (id: string, remainingPoints: number, availableAt: number, expiresAt: number | null, closed = false) => ({
    shop,
    id,
    profileId,
    points: Math.max(remainingPoints, 10),
    remainingPoints,
    earnedAt: new Date(availableAt - 14 * DAY),
    availableAt: new Date(availableAt),
    expiresAt: expiresAt === null ? null : new Date(expiresAt),
    closedAt: closed ? new Date(now - DAY) : null,
  });
  await prisma.loyaltyLot.createMany({
    data: [
      lot("earn:a", 100, now - 10 * DAY, now + 30 * DAY),
      lot("earn:b", 10, now - 9 * DAY, now + 30 * DAY),
      lot("earn:c", 150, now + 5 * DAY, now + 365 * DAY),
      lot("earn:d", 50, now - 100 * DAY, now - DAY),
      lot("earn:e", 0, now - 200 * DAY, now - 2 * DAY, true),
    ],
  });
  const entries = Array.from({ length: 52 }, (_, i) => ({
    shop,
    profileId,
    idempotencyKey: `bonus:${i}`,
    kind: "BONUS" as const,
    points: 1,
    balanceAfter: i + 1,
    occurredAt: new Date(now - (60 - i) * DAY),
    source: "JOB",
  }));
  await prisma.loyaltyEntry.createMany({ data: entries });
  await prisma.loyaltyEntry.create({
    data: { shop, profileId, idempotencyKey: `earn:${orderGid}`, kind: "EARN", points: 300, balanceAfter: 352, occurredAt: new Date(now - 5 * DAY), source: "ORDER", channel: "POS", locationGid: "gid://shopify/Location/7", orderGid, settingsVersion: 1 },
  });
  await prisma.loyaltyEntry.create({
    data: { shop, profileId, idempotencyKey: "reverse:gid://shopify/Refund/9", kind: "REVERSAL", points: -30, balanceAfter: 322, occurredAt: new Date(now - 4 * DAY), source: "REFUND", channel: "POS", orderGid, refundGid: "gid://shopify/Refund/9", shortfallPoints: 12 },
  });
  await prisma.loyaltyEntry.create({
    data: { shop, profileId, idempotencyKey: "adjust:seed", kind: "ADJUSTMENT", points: -12, balanceAfter: 310, occurredAt: new Date(now - 3 * DAY), source: "STAFF", reason: "Duplicate gift", staffId: "1", staffName: "Store Owner" },
  });
}

describe("loyalty wallet on the profile page", () => {
  it("shows balances by state, tier progress, next expiry and the newest 50 entries, then older ones by cursor", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop, { tiers: TIERS, expiry: { kind: "AFTER_EARNING", months: 12 } });
    const profileId = await createProfile(shop);
    const order = orderRecord({ name: "#1042", branchName: "فرع العليا", locationGid: "gid://shopify/Location/7" });
    await storeOrders({ shop, orders: [order], origin: "WEBHOOK" });
    await seedWallet(shop, profileId, order.orderGid);
    // Another shop's wallet under the same profile id never shows here.
    const other = await installTestShop();
    await prisma.loyaltyWallet.create({ data: { shop: other.shop, profileId, balancePoints: 999 } });
    await prisma.loyaltyEntry.create({ data: { shop: other.shop, profileId, idempotencyKey: "x", kind: "BONUS", points: 999, balanceAfter: 999, occurredAt: new Date(), source: "JOB" } });

    const { body } = await loadProfile(shop, profileId);
    const wallet = body.wallet;
    expect(wallet).toMatchObject({
      programEnabled: true,
      balancePoints: 310,
      availablePoints: 110,
      pendingPoints: 150,
      expiredPoints: 50,
      heldPoints: 20,
      debtPoints: 0,
      tier: { id: "silver" },
      tierSpendMinor: "125000",
      nextTier: { id: "gold", remainingMinor: "75000" },
      progressPercent: 50,
      nextExpiry: { points: 110 },
    });
    expect(wallet.entries).toHaveLength(50);
    expect(wallet.entries.slice(0, 3).map((e) => [e.kind, e.points, e.balanceAfter])).toEqual([["ADJUSTMENT", -12, 310], ["REVERSAL", -30, 322], ["EARN", 300, 352]]);
    expect(wallet.entries[0]).toMatchObject({ reason: "Duplicate gift", staffName: "Store Owner", source: "STAFF" });
    expect(wallet.entries[1]).toMatchObject({ shortfallPoints: 12, orderName: "#1042", source: "REFUND" });
    expect(wallet.entries[2]).toMatchObject({ channel: "POS", orderName: "#1042", branchName: "فرع العليا" });
    expect(wallet.entries.some((e) => e.points === 999)).toBe(false);
    expect(wallet.nextBefore).toBe(wallet.entries[49].id);

    const older = (await loadProfile(shop, profileId, `?entriesBefore=${wallet.nextBefore}`)).body.wallet;
    expect(older.entries.map((e) => e.balanceAfter)).toEqual([5, 4, 3, 2, 1]);
    expect(older.nextBefore).toBeNull();
    expect(older.firstPage).toBe(false);

    const html = await renderPage(shop, Profile, body, "ar");
    expect(html).toContain('dir="rtl"');
    expect(html).toContain("محفظة الولاء");
    expect(html).toContain("فضي");
    expect(html).toContain("يتبقى 750.00 SAR للوصول إلى ذهبي");
    expect(html).toContain("عجز: ١٢ نقطة أُنفقت مسبقًا");
    expect(html).toContain("shopify://admin/orders/");
    const english = await renderPage(shop, Profile, body, "en");
    expect(english).toContain("Reason: Duplicate gift");
    expect(english).toContain("By Store Owner");
  });

  it("adjusts points through the page once per form, with the staff member's name, and explains refusals", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop);
    const profileId = await createProfile(shop);
    const post = (fields: Record<string, string>) =>
      responseOf<{ ok?: true; status?: string; balancePoints?: number; code?: string; fieldErrors?: Record<string, string[]>; details?: Record<string, number> }>(
        action({ request: adminPost(shop, `/app/customers/${profileId}`, { intent: "adjust", ...fields }), params: { profileId }, context: {} }),
      );
    const { body: page } = await loadProfile(shop, profileId);
    expect(page.adjustRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(page.wallet.entries).toEqual([]);

    expect(await post({ points: "+40", reason: "Goodwill", requestId: page.adjustRequestId })).toEqual({ status: 200, body: { ok: true, intent: "adjust", status: "APPLIED", balancePoints: 40 } });
    expect((await post({ points: "+40", reason: "Goodwill", requestId: page.adjustRequestId })).body).toMatchObject({ status: "DUPLICATE", balancePoints: 40 });

    const insufficient = await post({ points: "-100", reason: "Correction", requestId: "form-2" });
    expect(insufficient.status).toBe(409);
    expect(insufficient.body).toMatchObject({ code: "INSUFFICIENT_POINTS", details: { requiredPoints: 100, availablePoints: 40 } });

    const invalid = await post({ points: "ten", reason: "  ", requestId: "form-3" });
    expect(invalid.status).toBe(422);
    expect(Object.keys(invalid.body.fieldErrors ?? {}).sort()).toEqual(["points", "reason"]);

    // Arabic-Indic digits and a minus sign typed by staff are understood.
    expect((await post({ points: "-١٠", reason: "تصحيح", requestId: "form-4" })).body).toMatchObject({ status: "APPLIED", balancePoints: 30 });

    const entries = await prisma.loyaltyEntry.findMany({ where: { shop }, orderBy: { id: "asc" } });
    expect(entries.map((e) => [e.kind, e.points, e.reason, e.staffId, e.staffName, e.source])).toEqual([
      ["ADJUSTMENT", 40, "Goodwill", "1", "Store Owner", "STAFF"],
      ["ADJUSTMENT", -10, "تصحيح", "1", "Store Owner", "STAFF"],
    ]);
    await expectLedgerConsistent(shop);
    const after = (await loadProfile(shop, profileId)).body;
    expect(after.wallet.balancePoints).toBe(30);
    expect(after.wallet.entries.map((e) => e.points)).toEqual([-10, 40]);
    expect(after.adjustRequestId).not.toBe(page.adjustRequestId);
  });
});
