import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { enqueueJob } from "~/jobs/queue.server";
import { adjustPoints } from "~/services/adjust-points.server";
import { runLedgerUnit } from "~/services/loyalty-ledger.server";
import { offlineGraphql } from "~/services/offline-admin.server";
import { syncLoyaltyMetafields } from "~/services/sync-loyalty-metafields.server";
import type { AdminGraphql } from "~/shopify/graphql-client";
import { getMetafields } from "../../support/fake-shopify/metafields";
import { installTestShop } from "../../support/install";
import { drainJobs } from "../../support/jobs";
import { createProfile, getWallet, saveProgram } from "../../support/loyalty";
import { fakeShopify } from "../../support/test-app";

let nextCustomer = 880_000;

/** A profile with Shopify customers that exist in the fake store (so metafieldsSet accepts them). */
async function profileWithCustomers(shop: string, fakeShop: Awaited<ReturnType<typeof installTestShop>>["fakeShop"], count: number) {
  const profileId = await createProfile(shop);
  const gids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = ++nextCustomer;
    const gid = `gid://shopify/Customer/${id}`;
    fakeShop.customers.set(String(id), { id, admin_graphql_api_id: gid });
    await prisma.profileMember.create({ data: { shop, memberKey: gid, memberKind: "CUSTOMER", profileId, record: {} } });
    gids.push(gid);
  }
  return { profileId, gids };
}

/** The Admin API, with `change` run once right after the first call answers (while the sync is in flight). */
function afterFirstCall(graphql: AdminGraphql, change: () => Promise<unknown>): AdminGraphql {
  let done = false;
  return async (query, options) => {
    const response = await graphql(query, options);
    if (!done) {
      done = true;
      await change();
    }
    return response;
  };
}

async function adjust(shop: string, profileId: string, points: number, requestId: string) {
  await adjustPoints({ shop, profileId, points, reason: "test", staffId: "1", staffName: "Owner", requestId, now: new Date("2026-11-01T00:00:00Z") });
}

async function requireGraphql(shop: string): Promise<AdminGraphql> {
  const graphql = await offlineGraphql(shop);
  if (!graphql) throw new Error("the test shop should be installed");
  return graphql;
}

const NOW = new Date("2026-11-10T00:00:00Z");

describe("loyalty metafields in Shopify", () => {
  it("writes balance, available points and tier to every customer of a profile, then records what was synced", async () => {
    const { shop, fakeShop } = await installTestShop();
    await saveProgram(shop);
    const { profileId, gids } = await profileWithCustomers(shop, fakeShop, 2);
    await adjust(shop, profileId, 200, "m-1");
    // 30 more points still pending (inside the return window) at NOW.
    await runLedgerUnit({
      shop,
      now: new Date("2026-11-05T00:00:00Z"),
      target: async () => ({ walletIds: [profileId] }),
      plan: (state) => [
        {
          command: { kind: "BONUS", idempotencyKey: "test:pending", at: state.now, walletId: profileId, points: 30, reason: "TEST", availableAt: new Date("2026-11-19T00:00:00Z") },
          meta: { source: "JOB" },
        },
      ],
    });
    await prisma.loyaltyWallet.update({ where: { shop_profileId: { shop, profileId } }, data: { tierId: "silver" } });

    const result = await syncLoyaltyMetafields({ shop, graphql: await requireGraphql(shop), now: NOW });

    expect(result).toMatchObject({ wallets: 1, customers: 2 });
    expect(result.failures.size).toBe(0);
    for (const gid of gids) {
      expect(getMetafields(fakeShop, gid)).toEqual({
        "$app.points_balance": { type: "number_integer", value: "230" },
        "$app.points_available": { type: "number_integer", value: "200" },
        "$app.tier": { type: "single_line_text_field", value: "silver" },
      });
    }
    const wallet = (await getWallet(shop, profileId))!;
    expect([wallet.syncedBalance, wallet.syncedTierId, wallet.syncRequestedAt]).toEqual([230, "silver", null]);

    // Nothing requested any more: a second run sends nothing.
    const calls = fakeShopify().store.graphqlLog.filter((entry) => entry.shop === shop).length;
    expect(await syncLoyaltyMetafields({ shop, graphql: await requireGraphql(shop), now: NOW })).toMatchObject({ wallets: 0, customers: 0 });
    expect(fakeShopify().store.graphqlLog.filter((entry) => entry.shop === shop).length).toBe(calls);
  });

  it("removes the tier metafield when the customer no longer holds a tier", async () => {
    const { shop, fakeShop } = await installTestShop();
    await saveProgram(shop);
    const { profileId, gids } = await profileWithCustomers(shop, fakeShop, 1);
    await adjust(shop, profileId, 10, "t-1");
    await prisma.loyaltyWallet.update({ where: { shop_profileId: { shop, profileId } }, data: { tierId: "gold" } });
    await syncLoyaltyMetafields({ shop, graphql: await requireGraphql(shop), now: NOW });
    expect(getMetafields(fakeShop, gids[0])["$app.tier"]).toEqual({ type: "single_line_text_field", value: "gold" });

    await prisma.loyaltyWallet.update({ where: { shop_profileId: { shop, profileId } }, data: { tierId: null, syncRequestedAt: new Date() } });
    await syncLoyaltyMetafields({ shop, graphql: await requireGraphql(shop), now: NOW });
    expect(Object.keys(getMetafields(fakeShop, gids[0])).sort()).toEqual(["$app.points_available", "$app.points_balance"]);
    expect((await getWallet(shop, profileId))!.syncedTierId).toBeNull();
  });

  it("keeps the request when the balance changes while Shopify is being called, and sends the new balance next time", async () => {
    const { shop, fakeShop } = await installTestShop();
    await saveProgram(shop);
    const { profileId, gids } = await profileWithCustomers(shop, fakeShop, 1);
    await adjust(shop, profileId, 100, "c-1");
    const graphql = await requireGraphql(shop);
    const racing = afterFirstCall(graphql, () => adjust(shop, profileId, 5, "c-2"));
    await syncLoyaltyMetafields({ shop, graphql: racing, now: NOW });
    expect(getMetafields(fakeShop, gids[0])["$app.points_balance"].value).toBe("100");
    const wallet = (await getWallet(shop, profileId))!;
    expect(wallet.syncedBalance).toBe(100);
    expect(wallet.syncRequestedAt).not.toBeNull();

    await syncLoyaltyMetafields({ shop, graphql, now: NOW });
    expect(getMetafields(fakeShop, gids[0])["$app.points_balance"].value).toBe("105");
    expect((await getWallet(shop, profileId))!.syncRequestedAt).toBeNull();
  });

  it("keeps the request when the wallet changes and changes back while Shopify is being called (same balance, newer version)", async () => {
    const { shop, fakeShop } = await installTestShop();
    await saveProgram(shop);
    const { profileId } = await profileWithCustomers(shop, fakeShop, 1);
    await adjust(shop, profileId, 100, "aba-1");
    const graphql = await requireGraphql(shop);
    const racing = afterFirstCall(graphql, async () => {
      await adjust(shop, profileId, 5, "aba-2");
      await adjust(shop, profileId, -5, "aba-3");
    });
    await syncLoyaltyMetafields({ shop, graphql: racing, now: NOW });
    const wallet = (await getWallet(shop, profileId))!;
    expect(wallet.balancePoints).toBe(100);
    expect(wallet.syncRequestedAt).not.toBeNull();
    await syncLoyaltyMetafields({ shop, graphql, now: NOW });
    expect((await getWallet(shop, profileId))!.syncRequestedAt).toBeNull();
  });

  it("waits for the rate-limit bucket and retries THROTTLED calls, writing every customer correctly", async () => {
    const { shop, fakeShop } = await installTestShop();
    await saveProgram(shop);
    // A tiny bucket: two mutations (10 points each) empty it, and it refills at 40 points a second.
    fakeShop.apiLimits = { maximumAvailable: 20, restoreRate: 40 };
    const profiles = [];
    for (let i = 0; i < 20; i++) {
      const profile = await profileWithCustomers(shop, fakeShop, 1);
      await adjust(shop, profile.profileId, 10 + i, `th-${i}`);
      profiles.push({ ...profile, points: 10 + i });
    }
    // Another client of the same app empties the bucket just before the sync starts.
    for (let i = 0; i < 2; i++) await fakeShopify().graphql.run(shop, { query: "mutation { _noop }" });

    const graphql = await requireGraphql(shop);
    const outcomes: string[] = [];
    const counting: AdminGraphql = async (query, options) => {
      try {
        const response = await graphql(query, options);
        outcomes.push("OK");
        return response;
      } catch (error) {
        const codes = ((error as { body?: { errors?: { graphQLErrors?: Array<{ extensions?: { code?: string } }> } } }).body?.errors?.graphQLErrors ?? []).map((e) => e.extensions?.code);
        outcomes.push(codes.includes("THROTTLED") ? "THROTTLED" : "ERROR");
        throw error;
      }
    };
    const result = await syncLoyaltyMetafields({ shop, graphql: counting, now: NOW });

    expect(result).toMatchObject({ wallets: 20, customers: 20 });
    expect(outcomes).toContain("THROTTLED");
    expect(outcomes).not.toContain("ERROR");
    // 20 customers x 3 metafields... without a tier: 2 each, 8 customers per call -> 3 calls.
    expect(outcomes.filter((outcome) => outcome === "OK")).toHaveLength(3);
    for (const { gids, points } of profiles) {
      expect(getMetafields(fakeShop, gids[0])["$app.points_balance"].value).toBe(String(points));
    }
    expect(await prisma.loyaltyWallet.count({ where: { shop, syncRequestedAt: { not: null } } })).toBe(0);
  });

  it("reports customers Shopify refuses, keeps their wallets requested and confirms the others", async () => {
    const { shop, fakeShop } = await installTestShop();
    await saveProgram(shop);
    const good = await profileWithCustomers(shop, fakeShop, 1);
    const bad = await profileWithCustomers(shop, fakeShop, 1);
    fakeShop.customers.delete(bad.gids[0].split("/").at(-1)!); // gone from Shopify, not yet from Wafa
    await adjust(shop, good.profileId, 10, "g-1");
    await adjust(shop, bad.profileId, 20, "b-1");

    const result = await syncLoyaltyMetafields({ shop, graphql: await requireGraphql(shop), now: NOW });
    expect([...result.failures.keys()]).toEqual([bad.gids[0]]);
    expect(result.failures.get(bad.gids[0])![0].message).toBe("Owner does not exist.");
    expect(getMetafields(fakeShop, good.gids[0])["$app.points_balance"].value).toBe("10");
    expect((await getWallet(shop, good.profileId))!.syncRequestedAt).toBeNull();
    expect((await getWallet(shop, bad.profileId))!.syncRequestedAt).not.toBeNull();
  });

  it("runs from the cron sweep through the worker with the shop's offline token", async () => {
    const { shop, fakeShop } = await installTestShop();
    await saveProgram(shop);
    const { profileId, gids } = await profileWithCustomers(shop, fakeShop, 1);
    await adjust(shop, profileId, 42, "w-1");
    await enqueueJob(prisma, "loyalty-sync-sweep", {});
    await drainJobs();
    expect(getMetafields(fakeShop, gids[0])["$app.points_balance"].value).toBe("42");
    expect((await getWallet(shop, profileId))!.syncedBalance).toBe(42);
  });
});
