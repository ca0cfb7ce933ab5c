/**
 * One person, one signup bonus: a profile merge that brings two signup bonuses into one wallet
 * takes the surplus back in the same ledger unit as the transfer (follow-profile-events).
 */
import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { DUPLICATE_SIGNUP_BONUS_REASON, SYSTEM_STAFF_ID } from "~/domain/loyalty/bonuses";
import { defaultSettings } from "~/domain/loyalty/settings";
import { toSignupBonusKey } from "~/domain/loyalty/keys";
import { action as customersCreate } from "~/routes/webhooks.customers.create";
import { action as customersUpdate } from "~/routes/webhooks.customers.update";
import { redeemPoints } from "~/services/adjust-points.server";
import { awardSignupBonuses } from "~/services/award-loyalty-bonuses.server";
import { followProfileEvents } from "~/services/follow-profile-events.server";
import { runLedgerUnit } from "~/services/loyalty-ledger.server";
import { installTestShop } from "../../support/install";
import { drainJobs } from "../../support/jobs";
import { createProfile, expectLedgerConsistent, getWallet, saveProgram } from "../../support/loyalty";
import { webhookRequest } from "../../support/test-app";
import { customerPayload } from "../../factories/shopify-payloads";

const SIGNUP = 50;

async function programWithSignupBonus(shop: string, overrides: Parameters<typeof saveProgram>[1] = {}) {
  await saveProgram(shop, { ...overrides, earn: { ...defaultSettings("SAR").earn, signupBonusPoints: SIGNUP } });
}

/** A profile holding its signup bonus, credited under the real key as awardSignupBonuses does. */
async function profileWithSignupBonus(shop: string, at: Date): Promise<string> {
  const profileId = await createProfile(shop);
  const [result] = await runLedgerUnit({
    shop,
    now: at,
    target: async () => ({ walletIds: [profileId] }),
    plan: () => [
      { command: { kind: "BONUS", idempotencyKey: toSignupBonusKey(profileId), at, walletId: profileId, points: SIGNUP, reason: "SIGNUP" }, meta: { source: "JOB" } },
    ],
  });
  expect(result.status).toBe("APPLIED");
  return profileId;
}

/** Identity merges `from` into `to` (members move, an event is recorded); the ledger follows. */
async function merge(shop: string, from: string, to: string): Promise<bigint> {
  await prisma.profileMember.updateMany({ where: { shop, profileId: from }, data: { profileId: to } });
  await prisma.profile.updateMany({ where: { shop, id: from }, data: { mergedIntoId: to } });
  const event = await prisma.profileEvent.create({ data: { shop, kind: "MERGED", fromProfileId: from, toProfileId: to, memberKeys: [] } });
  expect(await followProfileEvents({ shop })).toBe(1);
  return event.id;
}

async function takeBacks(shop: string) {
  return prisma.loyaltyEntry.findMany({ where: { shop, reason: DUPLICATE_SIGNUP_BONUS_REASON }, orderBy: { id: "asc" } });
}

async function spend(shop: string, profileId: string, points: number) {
  await redeemPoints({ shop, profileId, points, clientRequestId: crypto.randomUUID(), channel: "ONLINE" });
}

describe("duplicate signup bonuses after a profile merge", () => {
  it("leaves one signup bonus when a customer's second Shopify account is merged into the first, and a re-run changes nothing", async () => {
    const { shop } = await installTestShop();
    await programWithSignupBonus(shop);
    const created = { created_at: "2026-11-20T09:00:00+03:00", updated_at: "2026-11-20T09:00:00+03:00" };
    const first = customerPayload({ ...created, first_name: "Noura", last_name: "Alotaibi", email: "noura@example.com", phone: "+966551110001", default_address: { address1: "Olaya St", city: "Riyadh", zip: "12211", country_code: "SA", phone: "+966551110001" } });
    const second = customerPayload({ ...created, first_name: "Huda", last_name: "Alharbi", email: "huda@example.org", phone: "+966552220002", default_address: { address1: "Tahlia St", city: "Jeddah", zip: "23431", country_code: "SA", phone: "+966552220002" } });
    for (const [index, payload] of [first, second].entries()) {
      const response = await customersCreate({ request: webhookRequest({ shop, topic: "customers/create", payload, webhookId: `dup-${index}` }), params: {}, context: {} });
      expect(response.status).toBe(200);
    }
    await drainJobs();
    const bonuses = await prisma.loyaltyEntry.findMany({ where: { shop, kind: "BONUS", reason: "SIGNUP" } });
    expect(bonuses.map((e) => e.points)).toEqual([SIGNUP, SIGNUP]);
    expect(new Set(bonuses.map((e) => e.profileId)).size).toBe(2);

    // The second account turns out to be the same person: same email, phone and name.
    const same = { ...second, first_name: "Noura", last_name: "Alotaibi", email: first.email, phone: first.phone, default_address: first.default_address, updated_at: "2026-11-21T09:00:00+03:00" };
    expect((await customersUpdate({ request: webhookRequest({ shop, topic: "customers/update", payload: same, webhookId: "dup-2" }), params: {}, context: {} })).status).toBe(200);
    await drainJobs();
    const [event] = await prisma.profileEvent.findMany({ where: { shop, kind: "MERGED" } });
    expect(event).toBeDefined();
    const survivor = event.toProfileId;
    expect(bonuses.map((e) => e.profileId).sort()).toEqual([event.fromProfileId, survivor].sort());

    expect(await getWallet(shop, survivor)).toMatchObject({ balancePoints: SIGNUP, debtPoints: 0 });
    expect(await getWallet(shop, event.fromProfileId!)).toMatchObject({ balancePoints: 0 });
    const [takeBack] = await takeBacks(shop);
    expect(takeBack).toMatchObject({
      kind: "ADJUSTMENT",
      profileId: survivor,
      points: -SIGNUP,
      idempotencyKey: `signup-duplicate:profile-event:${event.id}`,
      source: "PROFILE",
      staffId: SYSTEM_STAFF_ID,
    });
    // Same credit time (one job): the tie goes to the key, and the other bonus is the one settled.
    const [keptKey, duplicateKey] = bonuses.map((e) => e.idempotencyKey).sort();
    expect(takeBack.details).toMatchObject({ duplicateSignupBonus: { keptKey, signupBonusKeys: [duplicateKey], owedPoints: SIGNUP, points: SIGNUP, uncollectedPoints: 0 } });
    const transferIn = await prisma.loyaltyEntry.findFirstOrThrow({ where: { shop, kind: "TRANSFER_IN" } });
    expect(transferIn.details).toMatchObject({ profileEventKind: "MERGED", duplicateSignupBonus: { signupBonusKeys: [duplicateKey] } });

    // Running the follower over the same event again (cursor rewound) and the signup step again changes nothing.
    const before = await prisma.loyaltyEntry.count({ where: { shop } });
    await prisma.loyaltyShopState.update({ where: { shop }, data: { profileEventCursor: 0 } });
    await followProfileEvents({ shop });
    expect(await awardSignupBonuses({ shop, customerGids: [first.admin_graphql_api_id, second.admin_graphql_api_id] })).toBe(0);
    expect(await prisma.loyaltyEntry.count({ where: { shop } })).toBe(before);
    expect(await getWallet(shop, survivor)).toMatchObject({ balancePoints: SIGNUP });
    await expectLedgerConsistent(shop);
  });

  it("keeps the earliest of equal bonuses and takes back only what is left when the second was already spent (RECORD_SHORTFALL)", async () => {
    const { shop } = await installTestShop();
    await programWithSignupBonus(shop);
    const a = await profileWithSignupBonus(shop, new Date("2026-11-01T00:00:00Z"));
    const b = await profileWithSignupBonus(shop, new Date("2026-11-02T00:00:00Z"));
    await spend(shop, b, SIGNUP);
    await spend(shop, a, 30);

    const eventId = await merge(shop, b, a);
    // 20 points were left of the 50 owed: the balance stops at zero, the rest is written off.
    expect(await getWallet(shop, a)).toMatchObject({ balancePoints: 0, debtPoints: 0 });
    const [takeBack] = await takeBacks(shop);
    expect([takeBack.profileId, takeBack.points, takeBack.idempotencyKey]).toEqual([a, -20, `signup-duplicate:profile-event:${eventId}`]);
    expect(takeBack.details).toMatchObject({
      duplicateSignupBonus: { keptKey: toSignupBonusKey(a), signupBonusKeys: [toSignupBonusKey(b)], owedPoints: SIGNUP, points: 20, uncollectedPoints: 30 },
    });
    await expectLedgerConsistent(shop);
  });

  it("settles a surplus bonus that was spent entirely without an entry, and does not take it at the next merge", async () => {
    const { shop } = await installTestShop();
    await programWithSignupBonus(shop);
    const a = await profileWithSignupBonus(shop, new Date("2026-11-01T00:00:00Z"));
    const b = await profileWithSignupBonus(shop, new Date("2026-11-02T00:00:00Z"));
    await spend(shop, a, SIGNUP);
    await spend(shop, b, SIGNUP);
    await merge(shop, b, a);
    expect(await takeBacks(shop)).toEqual([]);
    const transferIn = await prisma.loyaltyEntry.findFirstOrThrow({ where: { shop, kind: "TRANSFER_IN" } });
    expect(transferIn.details).toMatchObject({ duplicateSignupBonus: { signupBonusKeys: [toSignupBonusKey(b)], points: 0, uncollectedPoints: SIGNUP } });

    // A third account joins later: its bonus is the one surplus left; b's is not asked for again.
    const c = await profileWithSignupBonus(shop, new Date("2026-11-03T00:00:00Z"));
    await merge(shop, c, a);
    expect((await takeBacks(shop)).map((e) => [e.profileId, e.points])).toEqual([[a, -SIGNUP]]);
    expect(await getWallet(shop, a)).toMatchObject({ balancePoints: 0 });
    await expectLedgerConsistent(shop);
  });

  it("takes back the whole surplus under ALLOW_NEGATIVE, leaving a debt", async () => {
    const { shop } = await installTestShop();
    await programWithSignupBonus(shop, { negativeBalancePolicy: "ALLOW_NEGATIVE" });
    const a = await profileWithSignupBonus(shop, new Date("2026-11-01T00:00:00Z"));
    const b = await profileWithSignupBonus(shop, new Date("2026-11-02T00:00:00Z"));
    await spend(shop, b, SIGNUP);
    await spend(shop, a, 30);
    await merge(shop, b, a);
    expect(await getWallet(shop, a)).toMatchObject({ balancePoints: -30, debtPoints: 30 });
    expect((await takeBacks(shop)).map((e) => e.points)).toEqual([-SIGNUP]);
    await expectLedgerConsistent(shop);
  });

  it("counts the bonuses of wallets merged earlier on either side, each surplus once", async () => {
    const { shop } = await installTestShop();
    await programWithSignupBonus(shop);
    const a = await profileWithSignupBonus(shop, new Date("2026-11-01T00:00:00Z"));
    const b = await profileWithSignupBonus(shop, new Date("2026-11-02T00:00:00Z"));
    const c = await profileWithSignupBonus(shop, new Date("2026-11-03T00:00:00Z"));
    const d = await profileWithSignupBonus(shop, new Date("2026-10-01T00:00:00Z"));
    await merge(shop, b, a);
    await merge(shop, c, d);
    // a (holding b's wallet) into d (holding c's): d's bonus is the earliest and stays.
    await merge(shop, a, d);
    const taken = await takeBacks(shop);
    expect(taken.map((e) => [e.profileId, e.points])).toEqual([[a, -SIGNUP], [d, -SIGNUP], [d, -SIGNUP]]);
    expect(taken.at(-1)!.details).toMatchObject({ duplicateSignupBonus: { keptKey: toSignupBonusKey(d), signupBonusKeys: [toSignupBonusKey(a)] } });
    expect(await getWallet(shop, d)).toMatchObject({ balancePoints: SIGNUP });
    await expectLedgerConsistent(shop);
  });

  it("credits no signup bonus of its own to a profile that holds one merged in from the person's other profile", async () => {
    const { shop } = await installTestShop();
    await programWithSignupBonus(shop);
    const customer = customerPayload({ created_at: "2026-11-20T09:00:00+03:00", updated_at: "2026-11-20T09:00:00+03:00" });
    await customersCreate({ request: webhookRequest({ shop, topic: "customers/create", payload: customer, webhookId: "guest-1" }), params: {}, context: {} });
    await drainJobs();
    const member = await prisma.profileMember.findUniqueOrThrow({ where: { shop_memberKey: { shop, memberKey: customer.admin_graphql_api_id } } });
    // The customer's profile is merged into one without a customer (guest orders, say), which survives.
    const guests = await createProfile(shop);
    await merge(shop, member.profileId, guests);
    expect(await takeBacks(shop)).toEqual([]);

    expect(await awardSignupBonuses({ shop, customerGids: [customer.admin_graphql_api_id] })).toBe(0);
    expect((await prisma.loyaltyEntry.findMany({ where: { shop, kind: "BONUS" } })).map((e) => e.idempotencyKey)).toEqual([toSignupBonusKey(member.profileId)]);
    expect(await getWallet(shop, guests)).toMatchObject({ balancePoints: SIGNUP });
    await expectLedgerConsistent(shop);
  });

  it("waits with the transfer while the merged wallet has an open reservation, and takes nothing back before it moves", async () => {
    const { shop } = await installTestShop();
    await programWithSignupBonus(shop);
    const a = await profileWithSignupBonus(shop, new Date("2026-11-01T00:00:00Z"));
    const b = await profileWithSignupBonus(shop, new Date("2026-11-02T00:00:00Z"));
    const reservationId = crypto.randomUUID();
    const at = new Date("2026-11-05T00:00:00Z");
    const [reserved] = await runLedgerUnit({
      shop,
      now: at,
      target: async () => ({ walletIds: [b] }),
      plan: () => [
        {
          command: { kind: "RESERVE", idempotencyKey: `reserve:${reservationId}`, at, walletId: b, reservationId, points: 20 },
          meta: { source: "RESERVATION" },
          reservation: {
            clientRequestId: reservationId, expiresAt: new Date("2026-11-06T00:00:00Z"), channel: "ONLINE", locationGid: null, rewardId: null,
            discountKind: "FIXED_AMOUNT", discountValue: "20", currency: "SAR", minOrderMinor: 0, customerGid: null, discountCode: null,
            discountNodeGid: null, codeStatus: "PENDING", codeError: null, staffId: null,
          },
        },
      ],
    });
    expect(reserved.status).toBe("APPLIED");

    await prisma.profileEvent.create({ data: { shop, kind: "MERGED", fromProfileId: b, toProfileId: a, memberKeys: [] } });
    expect(await followProfileEvents({ shop })).toBe(0);
    expect(await takeBacks(shop)).toEqual([]);
    expect(await getWallet(shop, a)).toMatchObject({ balancePoints: SIGNUP });

    const [released] = await runLedgerUnit({
      shop,
      now: at,
      target: async () => ({ walletIds: [], reservationIds: [reservationId] }),
      plan: () => [{ command: { kind: "RELEASE", idempotencyKey: `release:${reservationId}`, at, reservationId }, meta: { source: "RESERVATION" }, closeReason: "CANCELLED" }],
    });
    expect(released.status).toBe("APPLIED");
    expect(await followProfileEvents({ shop })).toBe(1);
    expect((await takeBacks(shop)).map((e) => [e.profileId, e.points])).toEqual([[a, -SIGNUP]]);
    expect(await getWallet(shop, a)).toMatchObject({ balancePoints: SIGNUP });
    await expectLedgerConsistent(shop);
  });
});
