import { describe, expect, it } from "vitest";
import { runOnce, Logger } from "graphile-worker";
import prisma from "~/db.server";
import { defaultSettings } from "~/domain/loyalty/settings";
import { loyaltyTasks } from "~/jobs/loyalty-tasks.server";
import { enqueueJob } from "~/jobs/queue.server";
import { action as ordersCreate } from "~/routes/webhooks.orders.create";
import { action as refundsCreate } from "~/routes/webhooks.refunds.create";
import { action as customersCreate } from "~/routes/webhooks.customers.create";
import { action as customersUpdate } from "~/routes/webhooks.customers.update";
import { redeemPoints } from "~/services/adjust-points.server";
import { awardBirthdayBonuses, awardSignupBonuses } from "~/services/award-loyalty-bonuses.server";
import { expirePoints } from "~/services/expire-points.server";
import { runLedgerUnit } from "~/services/loyalty-ledger.server";
import { recalculateTiers } from "~/services/recalculate-tiers.server";
import { installTestShop } from "../../support/install";
import { drainJobs } from "../../support/jobs";
import { createProfile, expectLedgerConsistent, getWallet, saveProgram } from "../../support/loyalty";
import { webhookRequest } from "../../support/test-app";
import { customerPayload, orderPayload, refundPayload } from "../../factories/shopify-payloads";

const DAY = 86_400_000;

/** Credits a lot with chosen dates, as an earn or bonus would (BONUS keeps the test independent of orders). */
async function credit(shop: string, profileId: string, key: string, points: number, dates: { at: Date; availableAt?: Date; expiresAt?: Date | null }) {
  const [result] = await runLedgerUnit({
    shop,
    now: dates.at,
    target: async () => ({ walletIds: [profileId] }),
    plan: () => [
      {
        command: { kind: "BONUS", idempotencyKey: key, at: dates.at, walletId: profileId, points, reason: "TEST", availableAt: dates.availableAt, expiresAt: dates.expiresAt ?? null },
        meta: { source: "JOB" },
      },
    ],
  });
  expect(result.status).toBe("APPLIED");
}

async function entries(shop: string, kind?: "EXPIRY" | "BONUS" | "EARN") {
  return prisma.loyaltyEntry.findMany({ where: { shop, ...(kind ? { kind } : {}) }, orderBy: { id: "asc" } });
}

describe("expiry job", () => {
  it("writes off exactly the expired remainder of each lot, once, however often it runs", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop, { expiry: { kind: "AFTER_EARNING", months: 12 } });
    const profileId = await createProfile(shop);
    const earned = new Date("2026-01-10T10:00:00Z");
    await credit(shop, profileId, "test:old", 300, { at: earned, expiresAt: new Date("2027-01-10T10:00:00Z") });
    await credit(shop, profileId, "test:new", 100, { at: new Date("2026-06-01T00:00:00Z"), expiresAt: new Date("2027-06-01T00:00:00Z") });
    // 120 spent from the soonest-expiring lot: 180 of it is left to expire.
    await redeemPoints({ shop, profileId, points: 120, clientRequestId: "r-1", channel: "POS", now: new Date("2026-03-01T00:00:00Z") });

    const before = await expirePoints({ shop, now: new Date("2027-01-10T09:59:59Z") });
    expect(before.expiredLots).toBe(0);
    const now = new Date("2027-02-01T00:00:00Z");
    const first = await expirePoints({ shop, now });
    const second = await expirePoints({ shop, now: new Date(now.getTime() + DAY) });

    expect(first).toMatchObject({ expiredLots: 1, expiredPoints: 180 });
    expect(second).toMatchObject({ expiredLots: 0, expiredPoints: 0 });
    const expiries = await entries(shop, "EXPIRY");
    expect(expiries.map((e) => [e.points, e.idempotencyKey, e.reason, e.source])).toEqual([[-180, "expire:test:old", "LOT_EXPIRED", "JOB"]]);
    expect((await getWallet(shop, profileId))!.balancePoints).toBe(100);
    const lot = await prisma.loyaltyLot.findUniqueOrThrow({ where: { shop_id: { shop, id: "test:old" } } });
    expect(lot.remainingPoints).toBe(0);
    expect(lot.closedAt).not.toBeNull();
    await expectLedgerConsistent(shop);
  });

  it("resumes across batches: every expired lot of many wallets is written off by one run with small batches", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop, { expiry: { kind: "AFTER_EARNING", months: 1 } });
    const profiles = await Promise.all(Array.from({ length: 5 }, () => createProfile(shop)));
    for (const [index, profileId] of profiles.entries()) {
      await credit(shop, profileId, `test:lot-${index}-a`, 10 + index, { at: new Date("2026-01-01T00:00:00Z"), expiresAt: new Date("2026-02-01T00:00:00Z") });
      await credit(shop, profileId, `test:lot-${index}-b`, 5, { at: new Date("2026-01-01T00:00:00Z"), expiresAt: new Date("2026-02-01T00:00:00Z") });
    }
    const result = await expirePoints({ shop, now: new Date("2026-03-01T00:00:00Z"), batchSize: 3 });
    expect(result).toMatchObject({ expiredLots: 10, expiredPoints: 10 + 11 + 12 + 13 + 14 + 25 });
    for (const profileId of profiles) expect((await getWallet(shop, profileId))!.balancePoints).toBe(0);
    await expectLedgerConsistent(shop);
  });

  it("expires a whole wallet after N months without activity, and not a wallet that was active", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop, { expiry: { kind: "AFTER_INACTIVITY", months: 6 } });
    const idle = await createProfile(shop);
    const active = await createProfile(shop);
    const start = new Date("2026-01-15T12:00:00Z");
    for (const profileId of [idle, active]) {
      await credit(shop, profileId, `test:${profileId}:1`, 40, { at: start });
      await credit(shop, profileId, `test:${profileId}:2`, 60, { at: new Date("2026-03-01T00:00:00Z") });
    }
    // Spending is activity: the clock of this wallet restarts on 1 May.
    await redeemPoints({ shop, profileId: active, points: 10, clientRequestId: "act-1", channel: "ONLINE", now: new Date("2026-05-01T00:00:00Z") });

    expect((await expirePoints({ shop, now: new Date("2026-07-15T11:59:59Z") })).expiredLots).toBe(0);
    const result = await expirePoints({ shop, now: new Date("2026-07-15T12:00:00Z") });
    expect(result).toMatchObject({ expiredLots: 2, expiredPoints: 100 });
    expect((await getWallet(shop, idle))!.balancePoints).toBe(0);
    expect((await getWallet(shop, active))!.balancePoints).toBe(90);
    expect((await entries(shop, "EXPIRY")).map((e) => e.reason)).toEqual(["INACTIVITY", "INACTIVITY"]);
    // Six months after its last activity the active wallet goes too; a re-run writes nothing more.
    expect(await expirePoints({ shop, now: new Date("2026-11-01T00:00:00Z") })).toMatchObject({ expiredLots: 2, expiredPoints: 90 });
    expect(await expirePoints({ shop, now: new Date("2026-11-02T00:00:00Z") })).toMatchObject({ expiredLots: 0 });
    await expectLedgerConsistent(shop);
  });

  it("marks a wallet for metafield sync when its pending points become available, without a ledger entry", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop, { pendingDays: 14 });
    const profileId = await createProfile(shop);
    const earnedAt = new Date("2026-11-01T00:00:00Z");
    await credit(shop, profileId, "test:pending", 70, { at: earnedAt, availableAt: new Date("2026-11-15T00:00:00Z") });
    // As if the metafields had been synced right after the earn.
    await prisma.loyaltyWallet.update({ where: { shop_profileId: { shop, profileId } }, data: { syncRequestedAt: null, syncedBalance: 70 } });
    const entryCount = (await entries(shop)).length;

    expect((await expirePoints({ shop, now: new Date("2026-11-14T00:00:00Z") })).walletsBecameAvailable).toBe(0);
    expect((await getWallet(shop, profileId))!.syncRequestedAt).toBeNull();
    expect((await expirePoints({ shop, now: new Date("2026-11-15T01:00:00Z") })).walletsBecameAvailable).toBe(1);
    expect((await getWallet(shop, profileId))!.syncRequestedAt).not.toBeNull();
    // Once marked (and synced), later runs do not mark it again for the same lot.
    await prisma.loyaltyWallet.update({ where: { shop_profileId: { shop, profileId } }, data: { syncRequestedAt: null } });
    expect((await expirePoints({ shop, now: new Date("2026-11-15T02:00:00Z") })).walletsBecameAvailable).toBe(0);
    expect((await entries(shop)).length).toBe(entryCount);
  });
});

describe("birthday and signup bonuses", () => {
  it("credits the birthday bonus once a year on the shop's local date (Riyadh), including 29 February in a common year", async () => {
    const { shop } = await installTestShop({ ianaTimezone: "Asia/Riyadh" });
    await saveProgram(shop, { earn: { ...defaultSettings("SAR").earn, birthdayBonusPoints: 100 } });
    const march = await createProfile(shop);
    const leap = await createProfile(shop);
    const other = await createProfile(shop);
    await prisma.loyaltyWallet.createMany({
      data: [
        { shop, profileId: march, birthdayMonth: 3, birthdayDay: 1 },
        { shop, profileId: leap, birthdayMonth: 2, birthdayDay: 29 },
        { shop, profileId: other, birthdayMonth: 7, birthdayDay: 4 },
      ],
    });

    // 20:30 UTC on 28 Feb 2027 is 23:30 in Riyadh: still 28 Feb there (the 29 Feb birthday's day in 2027).
    expect(await awardBirthdayBonuses({ shop, now: new Date("2027-02-28T20:30:00Z") })).toEqual({ date: "2027-02-28", awarded: 1, skipped: false });
    // 21:30 UTC is already 1 March in Riyadh, while UTC is still on 28 February.
    expect(await awardBirthdayBonuses({ shop, now: new Date("2027-02-28T21:30:00Z") })).toEqual({ date: "2027-03-01", awarded: 1, skipped: false });
    expect(await awardBirthdayBonuses({ shop, now: new Date("2027-02-28T23:00:00Z") })).toMatchObject({ skipped: true });
    expect(await awardBirthdayBonuses({ shop, now: new Date("2027-02-28T23:00:00Z"), force: true })).toMatchObject({ awarded: 0 });
    // The next year, again once.
    expect(await awardBirthdayBonuses({ shop, now: new Date("2028-02-29T22:00:00Z") })).toMatchObject({ date: "2028-03-01", awarded: 1 });

    const bonuses = await entries(shop, "BONUS");
    expect(bonuses.map((e) => [e.profileId, e.points, e.idempotencyKey, e.reason])).toEqual([
      [leap, 100, `birthday:${leap}:2027`, "BIRTHDAY"],
      [march, 100, `birthday:${march}:2027`, "BIRTHDAY"],
      [march, 100, `birthday:${march}:2028`, "BIRTHDAY"],
    ]);
    await expectLedgerConsistent(shop);
  });

  it("credits nothing on birthdays while the program is off", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop, { enabled: false, earn: { ...defaultSettings("SAR").earn, birthdayBonusPoints: 100 } });
    const profileId = await createProfile(shop);
    await prisma.loyaltyWallet.create({ data: { shop, profileId, birthdayMonth: 5, birthdayDay: 5 } });
    expect(await awardBirthdayBonuses({ shop, now: new Date("2027-05-05T12:00:00Z") })).toMatchObject({ awarded: 0 });
  });

  it("gives a new customer's profile the signup bonus once, and none to customers who signed up before the program", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop, { earn: { ...defaultSettings("SAR").earn, signupBonusPoints: 50 } });
    const fresh = customerPayload({ created_at: "2026-11-20T09:00:00+03:00", updated_at: "2026-11-20T09:00:00+03:00" });
    const old = customerPayload({ email: "old@example.com", phone: "+966559999999", created_at: "2025-05-01T09:00:00+03:00", updated_at: "2025-05-01T09:00:00+03:00" });
    for (const [index, payload] of [fresh, old].entries()) {
      const response = await customersCreate({ request: webhookRequest({ shop, topic: "customers/create", payload, webhookId: `su-${index}` }), params: {}, context: {} });
      expect(response.status).toBe(200);
    }
    await drainJobs();
    const updated = { ...fresh, note: "VIP", updated_at: "2026-11-21T09:00:00+03:00" };
    await customersUpdate({ request: webhookRequest({ shop, topic: "customers/update", payload: updated, webhookId: "su-2" }), params: {}, context: {} });
    await drainJobs();
    // A re-run of the step (a retried job) changes nothing either.
    expect(await awardSignupBonuses({ shop, customerGids: [fresh.admin_graphql_api_id, old.admin_graphql_api_id] })).toBe(0);

    const member = await prisma.profileMember.findUniqueOrThrow({ where: { shop_memberKey: { shop, memberKey: fresh.admin_graphql_api_id } } });
    const bonuses = await entries(shop, "BONUS");
    expect(bonuses.map((e) => [e.profileId, e.points, e.idempotencyKey, e.reason])).toEqual([[member.profileId, 50, `signup:${member.profileId}`, "SIGNUP"]]);
    await expectLedgerConsistent(shop);
  });
});

describe("tier recalculation", () => {
  const tiers = [
    { id: "silver", name: { en: "Silver", ar: "فضي" }, thresholdMinor: 10_000, earnMultiplier: "1.5" },
    { id: "gold", name: { en: "Gold", ar: "ذهبي" }, thresholdMinor: 30_000, earnMultiplier: "2" },
  ];

  async function deliver(shop: string, topic: "orders/create" | "refunds/create", payload: object, webhookId: string) {
    const action = topic === "orders/create" ? ordersCreate : refundsCreate;
    const response = await action({ request: webhookRequest({ shop, topic, payload, webhookId }), params: {}, context: {} });
    expect(response.status).toBe(200);
    await drainJobs();
  }

  it("moves tiers up with spend and down with refunds and the rolling window, and the next order earns with the new multiplier", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop, { tiers });
    const first = orderPayload();
    await deliver(shop, "orders/create", first, "t-1");
    const earn = await prisma.loyaltyEntry.findFirstOrThrow({ where: { shop, kind: "EARN" } });
    const profileId = earn.profileId;
    // The order step enqueued the profile's recalculation, and the job ran.
    expect((await getWallet(shop, profileId))!.tierComputedAt).not.toBeNull();

    const at = new Date("2026-11-10T00:00:00Z");
    expect(await recalculateTiers({ shop, now: at, profileIds: [profileId] })).toMatchObject({ wallets: 1 });
    let wallet = (await getWallet(shop, profileId))!;
    // 173.91 SAR of eligible spend: silver (100 SAR).
    expect([wallet.tierId, wallet.tierSpendMinor]).toEqual(["silver", 17_391n]);

    const second = orderPayload({ created_at: "2026-11-05T10:00:00+03:00", processed_at: "2026-11-05T10:00:00+03:00", updated_at: "2026-11-05T10:00:00+03:00" });
    await deliver(shop, "orders/create", second, "t-2");
    const earns = await entries(shop, "EARN");
    // Same order amount, silver's 1.5 multiplier: 173.91 x 1.5 = 260.86 -> 260.
    expect(earns.map((e) => e.points)).toEqual([173, 260]);

    // Back to the state before the order's own recalculation job (which ran on the real clock),
    // with the metafields in sync, to see the daily run move the tier and ask for a sync.
    await prisma.loyaltyWallet.update({ where: { shop_profileId: { shop, profileId } }, data: { tierId: "silver", syncRequestedAt: null } });
    expect(await recalculateTiers({ shop, now: at })).toMatchObject({ tierChanges: 1 });
    wallet = (await getWallet(shop, profileId))!;
    expect([wallet.tierId, wallet.tierSpendMinor]).toEqual(["gold", 34_782n]);
    expect(wallet.syncRequestedAt).not.toBeNull();

    // Half of the second order refunded: 86.96 SAR less -> 260.86 SAR, back to silver.
    await deliver(shop, "refunds/create", refundPayload(second), "t-3");
    await recalculateTiers({ shop, now: at });
    wallet = (await getWallet(shop, profileId))!;
    expect([wallet.tierId, wallet.tierSpendMinor]).toEqual(["silver", 26_086n]);

    // A re-run at the same instant changes nothing.
    expect(await recalculateTiers({ shop, now: at })).toMatchObject({ tierChanges: 0 });
    // Twelve months after the orders they leave the window: no tier.
    await recalculateTiers({ shop, now: new Date("2027-11-06T00:00:00Z") });
    wallet = (await getWallet(shop, profileId))!;
    expect([wallet.tierId, wallet.tierSpendMinor]).toEqual([null, 0n]);
    expect((await prisma.loyaltyShopState.findUniqueOrThrow({ where: { shop } })).lastTierRunAt).toEqual(new Date("2027-11-06T00:00:00Z"));
    await expectLedgerConsistent(shop);
  });

  it("recalculates every wallet of a shop in keyset batches", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop, { tiers });
    const profiles = await Promise.all(Array.from({ length: 7 }, () => createProfile(shop)));
    await prisma.loyaltyWallet.createMany({ data: profiles.map((profileId) => ({ shop, profileId })) });
    await prisma.loyaltyOrderEarn.createMany({
      data: profiles.map((profileId, index) => ({
        shop,
        orderGid: `gid://shopify/Order/${9_000_000 + index}`,
        profileId,
        earnedPoints: 0,
        eligibleAmountMinor: BigInt(index * 6_000),
        settingsVersion: 1,
        channel: "ONLINE" as const,
        placedAt: new Date("2026-10-01T00:00:00Z"),
      })),
    });
    const result = await recalculateTiers({ shop, now: new Date("2026-11-01T00:00:00Z"), batchSize: 3 });
    expect(result).toEqual({ wallets: 7, tierChanges: 5 });
    const byProfile = new Map((await prisma.loyaltyWallet.findMany({ where: { shop } })).map((w) => [w.profileId, w.tierId]));
    expect(profiles.map((id) => byProfile.get(id))).toEqual([null, null, "silver", "silver", "silver", "gold", "gold"]);
  });
});

describe("loyalty cron", () => {
  it("fans out one job per shop however many ticks come before it runs, and the job does the work", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop, { expiry: { kind: "AFTER_EARNING", months: 1 } });
    const profileId = await createProfile(shop);
    await credit(shop, profileId, "test:cron", 25, { at: new Date("2026-01-01T00:00:00Z"), expiresAt: new Date("2026-02-01T00:00:00Z") });
    await enqueueJob(prisma, "loyalty-expire-sweep", {});
    await enqueueJob(prisma, "loyalty-expire-sweep", {});
    // Only the sweeps run here: each adds the shop's job under the same key.
    await runOnce({
      connectionString: process.env.DATABASE_URL!,
      taskList: { "loyalty-expire-sweep": loyaltyTasks["loyalty-expire-sweep"]! },
      logger: new Logger(() => () => {}),
    });
    const [{ count }] = await prisma.$queryRaw<Array<{ count: number }>>`
      select count(*)::int as count from graphile_worker.jobs where task_identifier = 'loyalty-expire-points' and key = ${`loyalty-expire-points:${shop}`}`;
    expect(count).toBe(1);
    await drainJobs();
    expect((await entries(shop, "EXPIRY")).map((e) => e.points)).toEqual([-25]);
  });
});
