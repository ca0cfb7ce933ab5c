import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { InsufficientPointsError } from "~/domain/errors";
import { adjustPoints, redeemPoints } from "~/services/adjust-points.server";
import { redeemGrouped } from "~/services/redemption-group.server";
import { installTestShop } from "../../support/install";
import { createProfile, expectLedgerConsistent, getWallet, saveProgram } from "../../support/loyalty";

const STAFF = { staffId: "gid://shopify/StaffMember/1", staffName: "Noura" };

async function fundedProfiles(shop: string, count: number, points: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const profileId = await createProfile(shop);
    await adjustPoints({ shop, profileId, points, reason: "Goodwill", requestId: crypto.randomUUID(), ...STAFF });
    ids.push(profileId);
  }
  return ids;
}

/**
 * Calls made in the same tick: the first two go at once (two statements in flight), the rest wait
 * and are written together in one statement when one of those returns.
 */
describe("grouped redemptions (one statement for the redemptions waiting together)", () => {
  it("gives each redemption of a batch its own outcome: applied, insufficient, retried, no wallet", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop);
    const [a, b, c, d] = await fundedProfiles(shop, 4, 100);
    const walletless = await createProfile(shop);
    const first = await redeemPoints({ shop, profileId: c, points: 10, clientRequestId: "till-c", channel: "POS" });

    const outcomes = await Promise.allSettled([
      redeemPoints({ shop, profileId: d, points: 1, clientRequestId: "lead-1", channel: "POS" }),
      redeemPoints({ shop, profileId: d, points: 1, clientRequestId: "lead-2", channel: "POS" }),
      redeemPoints({ shop, profileId: a, points: 40, clientRequestId: "a-1", channel: "POS" }),
      redeemPoints({ shop, profileId: b, points: 500, clientRequestId: "b-1", channel: "ONLINE" }),
      redeemPoints({ shop, profileId: c, points: 10, clientRequestId: "till-c", channel: "POS" }),
      redeemPoints({ shop, profileId: a, points: 70, clientRequestId: "a-2", channel: "POS" }),
      redeemPoints({ shop, profileId: walletless, points: 5, clientRequestId: "w-1", channel: "POS" }),
      redeemPoints({ shop, profileId: a, points: 60, clientRequestId: "a-3", channel: "POS" }),
    ]);
    const [lead1, lead2, a1, b1, retried, a2, w1, a3] = outcomes;
    expect(lead1).toMatchObject({ status: "fulfilled", value: { status: "APPLIED" } });
    expect(lead2).toMatchObject({ status: "fulfilled", value: { status: "APPLIED" } });
    // In arrival order on one wallet: 100 - 40 = 60; 70 is more than that; 60 is exactly it.
    expect(a1).toMatchObject({ status: "fulfilled", value: { status: "APPLIED", balancePoints: 60 } });
    expect(a2.status).toBe("rejected");
    expect((a2 as PromiseRejectedResult).reason).toBeInstanceOf(InsufficientPointsError);
    expect(a3).toMatchObject({ status: "fulfilled", value: { status: "APPLIED", balancePoints: 0 } });
    expect(b1.status).toBe("rejected");
    expect((b1 as PromiseRejectedResult).reason).toBeInstanceOf(InsufficientPointsError);
    expect(retried).toMatchObject({ status: "fulfilled", value: { status: "DUPLICATE", entryId: first.entryId, balancePoints: 90 } });
    // No wallet yet: the ledger unit runs for it (and finds nothing to spend).
    expect(w1.status).toBe("rejected");
    expect((w1 as PromiseRejectedResult).reason).toBeInstanceOf(InsufficientPointsError);

    expect((await getWallet(shop, a))?.balancePoints).toBe(0);
    expect((await getWallet(shop, b))?.balancePoints).toBe(100);
    expect((await getWallet(shop, c))?.balancePoints).toBe(90);
    expect((await getWallet(shop, d))?.balancePoints).toBe(98);
    const redeems = await prisma.loyaltyEntry.findMany({ where: { shop, kind: "REDEEM" }, orderBy: { id: "asc" } });
    expect(redeems.map((e) => e.idempotencyKey).sort()).toEqual(["redeem:a-1", "redeem:a-3", "redeem:lead-1", "redeem:lead-2", "redeem:till-c"]);
    await expectLedgerConsistent(shop);
  });

  it("writes the waiting redemptions in one transaction, and retries them one by one when it fails", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop);
    const ids = await fundedProfiles(shop, 6, 50);
    const at = new Date();
    const input = (profileId: string, key: string, channel: string | null = "POS") => ({
      shop, profileId, key, points: 5, now: at, source: "STAFF", channel, locationGid: null, staffName: null,
    });
    // Batch of four after the two leaders; one of them carries a channel the database refuses,
    // which fails the batch's statement: the other three must still be written, once each.
    const results = await Promise.allSettled([
      redeemGrouped(input(ids[0], "redeem:g-0")),
      redeemGrouped(input(ids[1], "redeem:g-1")),
      redeemGrouped(input(ids[2], "redeem:g-2")),
      redeemGrouped(input(ids[3], "redeem:g-3", "TELEPORT")),
      redeemGrouped(input(ids[4], "redeem:g-4")),
      redeemGrouped(input(ids[5], "redeem:g-5")),
    ]);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value.status : "error"))).toEqual(["APPLIED", "APPLIED", "APPLIED", "error", "APPLIED", "APPLIED"]);
    for (const [i, profileId] of ids.entries()) expect((await getWallet(shop, profileId))?.balancePoints).toBe(i === 3 ? 50 : 45);
    expect(await prisma.loyaltyEntry.count({ where: { shop, kind: "REDEEM" } })).toBe(5);
    // The transaction ids show who went together: the two leaders alone, the last two together.
    const entries = await prisma.$queryRaw<Array<{ key: string; xid: string }>>`
      select "idempotencyKey" as key, xmin::text as xid from "LoyaltyEntry" where shop = ${shop} and kind = 'REDEEM' order by "idempotencyKey"`;
    const xid = new Map(entries.map((e) => [e.key, e.xid]));
    expect(xid.get("redeem:g-0")).not.toBe(xid.get("redeem:g-1"));
    expect(xid.get("redeem:g-4")).not.toBe(xid.get("redeem:g-5")); // retried one by one
    await expectLedgerConsistent(shop);
  });

  it("batches a burst on distinct wallets: the waiting ones share one transaction", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop);
    const ids = await fundedProfiles(shop, 12, 20);
    const at = new Date();
    const results = await Promise.all(ids.map((profileId, i) => redeemGrouped({
      shop, profileId, key: `redeem:burst-${i}`, points: 3, now: at, source: "STAFF", channel: "ONLINE", locationGid: null, staffName: null,
    })));
    expect(results.every((r) => r.status === "APPLIED")).toBe(true);
    const entries = await prisma.$queryRaw<Array<{ key: string; xid: string }>>`
      select "idempotencyKey" as key, xmin::text as xid from "LoyaltyEntry" where shop = ${shop} and kind = 'REDEEM'`;
    expect(entries).toHaveLength(12);
    // Two went alone; the ten that waited were written together.
    expect(new Set(entries.map((e) => e.xid)).size).toBeLessThanOrEqual(4);
    for (const profileId of ids) expect((await getWallet(shop, profileId))?.balancePoints).toBe(17);
    await expectLedgerConsistent(shop);
  });
});
