import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { action as profileAction, loader as profileLoader } from "~/routes/app.customers.$profileId";
import { storeCustomersInTransaction, storeOrders } from "~/services/store-orders.server";
import { enqueueCustomerStored } from "~/services/order-stored.server";
import { splitMember } from "~/services/resolve-identity.server";
import { followProfileEvents } from "~/services/follow-profile-events.server";
import type { FakeShop } from "../../support/fake-shopify/store";
import { failNextCustomerMerge, listCustomerMergeJobs, markCustomerMergeBlocker, setCustomerMergePolls } from "../../support/fake-shopify/customer-merge";
import { browserHeaders, fakeShopify, TEST_SCOPES } from "../../support/test-app";
import { customerRecord, orderRecord } from "../../factories/records";
import { installTestShop } from "../../support/install";
import { drainJobs } from "../../support/jobs";
import { expectLedgerConsistent, saveProgram } from "../../support/loyalty";

const fake = fakeShopify();
const ONE = "gid://shopify/Customer/601"; // Mohammed, with an email
const TWO = "gid://shopify/Customer/602"; // the same man, created at a branch with his phone only

function adminRequest(shop: string, path: string, init: { method?: string; body?: BodyInit } = {}) {
  const token = fake.mintSessionToken({ shop, sub: "1" });
  return new Request(`https://wafa.test${path}`, { method: init.method ?? "GET", body: init.body, headers: { Authorization: `Bearer ${token}`, ...browserHeaders } });
}

async function post(shop: string, profileId: string, fields: Record<string, string>) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  const res = (await profileAction({ request: adminRequest(shop, `/app/customers/${profileId}`, { method: "POST", body: form }), params: { profileId }, context: {} })) as Response;
  return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Two Shopify customers of one man (same phone), one order each, in Shopify and in Wafa; a program so the wallet holds points. */
async function seed(fakeShop: FakeShop, shop: string) {
  await saveProgram(shop);
  fakeShop.customers.set("601", { id: 601, admin_graphql_api_id: ONE, email: "mohammed.harbi@gmail.com", phone: "+966501234567", first_name: "Mohammed", last_name: "Alharbi", tags: "vip" });
  fakeShop.customers.set("602", { id: 602, admin_graphql_api_id: TWO, email: null, phone: "+966501234567", first_name: "محمد", last_name: "الحربي", tags: "" });
  await prisma.$transaction(async (tx) => {
    const customerGids = await storeCustomersInTransaction(tx, {
      shop,
      customers: [
        customerRecord({ customerGid: ONE, firstName: "Mohammed", lastName: "Alharbi", email: "mohammed.harbi@gmail.com", phone: "+966501234567", shopifyCreatedAt: new Date("2025-06-01T00:00:00Z") }),
        customerRecord({ customerGid: TWO, firstName: "محمد", lastName: "الحربي", phone: "0501234567", shopifyCreatedAt: new Date("2025-06-02T00:00:00Z") }),
      ],
      origin: "WEBHOOK",
    });
    await enqueueCustomerStored(tx, { shop, customerGids });
  });
  const start = Date.UTC(2026, 2, 1);
  const orderOne = orderRecord({ customerGid: ONE, totalMinor: 10000, subtotalMinor: 10000 }, { startsAt: start });
  const orderTwo = orderRecord({ customerGid: TWO, totalMinor: 5000, subtotalMinor: 5000 }, { startsAt: start });
  await storeOrders({ shop, orders: [orderOne, orderTwo], origin: "WEBHOOK" });
  await drainJobs();
  const profile = await prisma.profile.findFirstOrThrow({ where: { shop, mergedIntoId: null } });
  expect(await prisma.profileMember.count({ where: { shop, profileId: profile.id } })).toBe(2);
  return { profileId: profile.id, orderTwoGid: orderTwo.orderGid };
}

async function snapshot(shop: string, profileId: string) {
  const wallet = await prisma.loyaltyWallet.findUnique({ where: { shop_profileId: { shop, profileId } } });
  return {
    balance: wallet?.balancePoints ?? null,
    entries: await prisma.loyaltyEntry.count({ where: { shop } }),
    members: (await prisma.profileMember.findMany({ where: { shop }, orderBy: { seq: "asc" } })).map((m) => [m.memberKey, m.profileId]),
    profiles: await prisma.profile.count({ where: { shop, mergedIntoId: null } }),
    requests: await prisma.customerMergeRequest.count({ where: { shop } }),
  };
}

describe("merging a profile's Shopify customers", () => {
  it("shows Shopify's blockers in stable codes and changes nothing when a customer has gift cards", async () => {
    const { shop, fakeShop } = await installTestShop();
    const { profileId } = await seed(fakeShop, shop);
    markCustomerMergeBlocker(fakeShop, TWO, "GIFT_CARDS");
    const before = await snapshot(shop, profileId);
    expect(before.balance).toBe(150);

    const preview = await post(shop, profileId, { intent: "merge-preview", customerOneGid: ONE, customerTwoGid: TWO });
    expect(preview.status).toBe(200);
    expect(preview.body.blockers).toEqual([{ code: "GIFT_CARDS", message: "Customers with gift cards can't be merged." }]);

    const merge = await post(shop, profileId, { intent: "merge", customerOneGid: ONE, customerTwoGid: TWO, requestId: "r-blocked" });
    expect(merge.status).toBe(200);
    expect(merge.body.merge).toMatchObject({ status: "BLOCKED", blockers: [{ code: "GIFT_CARDS" }] });
    expect(listCustomerMergeJobs(fakeShop)).toHaveLength(0);
    expect(fakeShop.customers.has("602")).toBe(true);
    expect(await snapshot(shop, profileId)).toEqual(before);
  });

  it("merges: keeps the customer Shopify kept, the other leaves the profile, its orders and the wallet stay whole", async () => {
    const { shop, fakeShop } = await installTestShop();
    const { profileId, orderTwoGid } = await seed(fakeShop, shop);
    const before = await snapshot(shop, profileId);

    const preview = await post(shop, profileId, { intent: "merge-preview", customerOneGid: TWO, customerTwoGid: ONE });
    expect(preview.body).toMatchObject({ resultingCustomerGid: ONE, blockers: [] });
    // customerOne has the only email: Shopify keeps it rather than customerTwo.
    const merge = await post(shop, profileId, { intent: "merge", customerOneGid: ONE, customerTwoGid: TWO, requestId: "r-1" });
    expect(merge.status).toBe(200);
    expect(merge.body.merge).toMatchObject({ status: "COMPLETED", resultingCustomerGid: ONE, mergedAwayGid: TWO });

    expect(fakeShop.customers.has("602")).toBe(false);
    expect(await prisma.profileMember.findMany({ where: { shop }, select: { memberKey: true, profileId: true } })).toEqual([{ memberKey: ONE, profileId }]);
    expect(await prisma.identityKey.count({ where: { shop, memberKey: TWO } })).toBe(0);
    expect((await prisma.order.findUniqueOrThrow({ where: { shop_orderGid: { shop, orderGid: orderTwoGid } } })).customerGid).toBe(ONE);
    expect((await prisma.customer.findUniqueOrThrow({ where: { shop_customerGid: { shop, customerGid: TWO } } })).deletedAt).not.toBeNull();
    const profile = await prisma.profile.findUniqueOrThrow({ where: { shop_id: { shop, id: profileId } } });
    expect(profile).toMatchObject({ mergedIntoId: null, orderCount: 2, totalSpentMinor: 15000n });
    const after = await snapshot(shop, profileId);
    expect(after).toMatchObject({ balance: before.balance, entries: before.entries, profiles: 1, requests: 1 });
    await expectLedgerConsistent(shop);

    // The same form again: the same answer, no second merge in Shopify.
    const again = await post(shop, profileId, { intent: "merge", customerOneGid: ONE, customerTwoGid: TWO, requestId: "r-1" });
    expect(again.body.merge).toMatchObject({ status: "COMPLETED", resultingCustomerGid: ONE });
    expect(listCustomerMergeJobs(fakeShop)).toHaveLength(1);
    // A new request for the same pair: the merged-away customer is no longer in the profile.
    const other = await post(shop, profileId, { intent: "merge", customerOneGid: ONE, customerTwoGid: TWO, requestId: "r-2" });
    expect(other).toMatchObject({ status: 409, body: { code: "CUSTOMER_NOT_IN_PROFILE" } });
    // The job left by the request finds the merge applied and does nothing more.
    await drainJobs({ horizonMs: 2_000 });
    expect(await snapshot(shop, profileId)).toEqual(after);

    const page = (await profileLoader({ request: adminRequest(shop, `/app/customers/${profileId}`), params: { profileId }, context: {} })) as unknown as { customerMerges: Array<{ status: string }> };
    expect(page.customerMerges.map((m) => m.status)).toEqual(["COMPLETED"]);
  });

  it("keeps polling in a durable job when Shopify takes longer than the request", async () => {
    const { shop, fakeShop } = await installTestShop();
    const { profileId } = await seed(fakeShop, shop);
    setCustomerMergePolls(fakeShop, 3);
    const merge = await post(shop, profileId, { intent: "merge", customerOneGid: TWO, customerTwoGid: ONE, requestId: "r-slow" });
    expect(merge.body.merge).toMatchObject({ status: "RUNNING" });
    expect(fakeShop.customers.has("602")).toBe(true);
    expect(await prisma.profileMember.count({ where: { shop } })).toBe(2);
    // Another request looks at the running merge first (still in progress: refused).
    const busy = await post(shop, profileId, { intent: "merge", customerOneGid: TWO, customerTwoGid: ONE, requestId: "r-other" });
    expect(busy).toMatchObject({ status: 409, body: { code: "CUSTOMER_MERGE_IN_PROGRESS" } });

    await drainJobs({ horizonMs: 10_000 });
    const row = await prisma.customerMergeRequest.findFirstOrThrow({ where: { shop, requestId: "r-slow" } });
    expect(row).toMatchObject({ status: "COMPLETED", resultingCustomerGid: ONE, mergedAwayGid: TWO });
    expect(await prisma.profileMember.findMany({ where: { shop }, select: { memberKey: true } })).toEqual([{ memberKey: ONE }]);
    await expectLedgerConsistent(shop);
  });

  it("records a merge job that Shopify failed and changes nothing of ours", async () => {
    const { shop, fakeShop } = await installTestShop();
    const { profileId } = await seed(fakeShop, shop);
    const before = await snapshot(shop, profileId);
    failNextCustomerMerge(fakeShop);
    const merge = await post(shop, profileId, { intent: "merge", customerOneGid: ONE, customerTwoGid: TWO, requestId: "r-fail" });
    expect(merge.body.merge).toMatchObject({ status: "FAILED", blockers: [{ code: "GIFT_CARDS" }] });
    expect(await snapshot(shop, profileId)).toEqual({ ...before, requests: 1 });
  });

  it("answers bad input with stable codes: 422 for the form, 409 for customers outside the profile", async () => {
    const { shop, fakeShop } = await installTestShop();
    const { profileId } = await seed(fakeShop, shop);
    const same = await post(shop, profileId, { intent: "merge", customerOneGid: ONE, customerTwoGid: ONE, requestId: "r" });
    expect(same).toMatchObject({ status: 422, body: { code: "VALIDATION_FAILED", fieldErrors: { customerTwoGid: ["Choose two different customers"] } } });
    const malformed = await post(shop, profileId, { intent: "merge-preview", customerOneGid: "601", customerTwoGid: TWO });
    expect(malformed).toMatchObject({ status: 422, body: { code: "VALIDATION_FAILED" } });
    const stranger = await post(shop, profileId, { intent: "merge-preview", customerOneGid: ONE, customerTwoGid: "gid://shopify/Customer/999" });
    expect(stranger).toMatchObject({ status: 409, body: { code: "CUSTOMER_NOT_IN_PROFILE" } });

    // Another shop cannot merge this shop's customers.
    const other = await installTestShop();
    const foreign = await post(other.shop, profileId, { intent: "merge", customerOneGid: ONE, customerTwoGid: TWO, requestId: "r-x" });
    expect(foreign).toMatchObject({ status: 409, body: { code: "CUSTOMER_NOT_IN_PROFILE" } });
    expect(listCustomerMergeJobs(fakeShop)).toHaveLength(0);
  });

  it("a customer deleted in Shopify meanwhile is a blocker, not an error", async () => {
    const { shop, fakeShop } = await installTestShop();
    const { profileId } = await seed(fakeShop, shop);
    fakeShop.customers.delete("602");
    const merge = await post(shop, profileId, { intent: "merge", customerOneGid: ONE, customerTwoGid: TWO, requestId: "r-gone" });
    expect(merge.body.merge).toMatchObject({ status: "BLOCKED", blockers: [{ code: "DELETED_AT" }] });
    expect(await prisma.customerMergeRequest.count({ where: { shop } })).toBe(0);
  });

  it("keeps a guest order linked only through the merged-away customer in the profile, after later re-clustering too", async () => {
    const { shop, fakeShop } = await installTestShop();
    await saveProgram(shop);
    // ONE and TWO share a phone; the guest order shares only TWO's email.
    fakeShop.customers.set("601", { id: 601, admin_graphql_api_id: ONE, email: "reem.otaibi@gmail.com", phone: "+966505550123", first_name: "Reem", last_name: "Alotaibi", tags: "" });
    fakeShop.customers.set("602", { id: 602, admin_graphql_api_id: TWO, email: "reem.o@hotmail.com", phone: "+966505550123", first_name: "Reem", last_name: "Alotaibi", tags: "" });
    const store = async (city: string | null, at: string) => {
      await prisma.$transaction(async (tx) => {
        const customerGids = await storeCustomersInTransaction(tx, {
          shop,
          customers: [
            customerRecord({ customerGid: ONE, firstName: "Reem", lastName: "Alotaibi", email: "reem.otaibi@gmail.com", phone: "+966505550123", city, shopifyUpdatedAt: new Date(at) }),
            customerRecord({ customerGid: TWO, firstName: "Reem", lastName: "Alotaibi", email: "reem.o@hotmail.com", phone: "+966505550123", shopifyUpdatedAt: new Date("2026-01-01T00:00:00Z") }),
          ],
          origin: "WEBHOOK",
        });
        await enqueueCustomerStored(tx, { shop, customerGids });
      });
    };
    await store(null, "2026-01-01T00:00:00Z");
    const walkIn = orderRecord({ channel: "ONLINE", sourceName: "web", locationGid: null, firstName: "Reem", lastName: "Alotaibi", email: "Reem.O@hotmail.com" }, { startsAt: Date.UTC(2026, 3, 1) });
    await storeOrders({ shop, orders: [walkIn], origin: "WEBHOOK" });
    await drainJobs();
    const profileId = (await prisma.profileMember.findUniqueOrThrow({ where: { shop_memberKey: { shop, memberKey: ONE } } })).profileId;
    expect(await prisma.profileMember.count({ where: { shop, profileId } })).toBe(3);

    // Both have an email: Shopify keeps customerTwo (ONE); TWO, the guest order's only link, goes.
    const merge = await post(shop, profileId, { intent: "merge", customerOneGid: TWO, customerTwoGid: ONE, requestId: "r-bridge" });
    expect(merge.body.merge).toMatchObject({ status: "COMPLETED", resultingCustomerGid: ONE, mergedAwayGid: TWO });
    const [a, b] = [ONE, walkIn.orderGid];
    expect(await prisma.matchPair.findFirst({ where: { shop, OR: [{ memberA: a, memberB: b }, { memberA: b, memberB: a }] } })).toMatchObject({ status: "APPROVED" });

    // customers/update of the kept customer re-clusters its region: the guest order stays.
    await store("Riyadh", "2026-05-01T00:00:00Z");
    await drainJobs();
    expect((await prisma.profileMember.findMany({ where: { shop }, orderBy: { seq: "asc" } })).map((m) => [m.memberKey, m.profileId])).toEqual([[ONE, profileId], [walkIn.orderGid, profileId]]);
    await expectLedgerConsistent(shop);
  });

  it("moves the merged-away customer's earns to the kept customer's wallet when re-clustering split them meanwhile", async () => {
    const { shop, fakeShop } = await installTestShop();
    const { profileId } = await seed(fakeShop, shop);
    setCustomerMergePolls(fakeShop, 2);
    const merge = await post(shop, profileId, { intent: "merge", customerOneGid: TWO, customerTwoGid: ONE, requestId: "r-split" });
    expect(merge.body.merge).toMatchObject({ status: "RUNNING" });
    // While Shopify merges, the merchant splits TWO (and its 50-point order) out of the profile.
    expect(await splitMember({ shop, profileId, memberKey: TWO, decidedBy: "test" })).toBe(true);
    await followProfileEvents({ shop });
    const split = await prisma.profileMember.findUniqueOrThrow({ where: { shop_memberKey: { shop, memberKey: TWO } } });
    expect(split.profileId).not.toBe(profileId);
    expect((await prisma.loyaltyWallet.findUniqueOrThrow({ where: { shop_profileId: { shop, profileId: split.profileId } } })).balancePoints).toBe(50);

    await drainJobs({ horizonMs: 5_000 });
    expect(await prisma.customerMergeRequest.findFirstOrThrow({ where: { shop, requestId: "r-split" } })).toMatchObject({ status: "COMPLETED", mergedAwayGid: TWO });
    expect(await prisma.profileMember.findMany({ where: { shop }, select: { memberKey: true, profileId: true } })).toEqual([{ memberKey: ONE, profileId }]);
    // The emptied profile is merged into the kept customer's, and its wallet with it.
    expect((await prisma.profile.findUniqueOrThrow({ where: { shop_id: { shop, id: split.profileId } } })).mergedIntoId).toBe(profileId);
    expect((await prisma.loyaltyWallet.findUniqueOrThrow({ where: { shop_profileId: { shop, profileId } } })).balancePoints).toBe(150);
    expect((await prisma.loyaltyWallet.findUniqueOrThrow({ where: { shop_profileId: { shop, profileId: split.profileId } } })).balancePoints).toBe(0);
    expect(await prisma.profile.findUniqueOrThrow({ where: { shop_id: { shop, id: profileId } } })).toMatchObject({ orderCount: 2, totalSpentMinor: 15000n });
    await expectLedgerConsistent(shop);
  });

  it("answers 403 SHOPIFY_SCOPE_MISSING when the shop has not approved the merge scopes", async () => {
    const { shop, fakeShop } = await installTestShop({ grantedScopes: TEST_SCOPES.filter((scope) => !scope.includes("customer_merge")) });
    const { profileId } = await seed(fakeShop, shop);
    const preview = await post(shop, profileId, { intent: "merge-preview", customerOneGid: ONE, customerTwoGid: TWO });
    expect(preview).toMatchObject({ status: 403, body: { code: "SHOPIFY_SCOPE_MISSING" } });
    const merge = await post(shop, profileId, { intent: "merge", customerOneGid: ONE, customerTwoGid: TWO, requestId: "r-scope" });
    expect(merge).toMatchObject({ status: 403, body: { code: "SHOPIFY_SCOPE_MISSING" } });
    expect(await prisma.customerMergeRequest.count({ where: { shop } })).toBe(0);
  });

  it("a new request finishes an earlier merge whose job stopped polling, then refuses the customer that left", async () => {
    const { shop, fakeShop } = await installTestShop();
    const { profileId } = await seed(fakeShop, shop);
    setCustomerMergePolls(fakeShop, 2);
    const merge = await post(shop, profileId, { intent: "merge", customerOneGid: TWO, customerTwoGid: ONE, requestId: "r-stuck" });
    expect(merge.body.merge).toMatchObject({ status: "RUNNING" });
    // Its durable job is gone (as after giving up): nothing polls it any more.
    const stuck = await prisma.customerMergeRequest.findFirstOrThrow({ where: { shop, requestId: "r-stuck" } });
    await prisma.$queryRaw`select graphile_worker.remove_job(${`customer-merge:${stuck.id}`})`;
    const next = await post(shop, profileId, { intent: "merge", customerOneGid: TWO, customerTwoGid: ONE, requestId: "r-next" });
    expect(next).toMatchObject({ status: 409, body: { code: "CUSTOMER_NOT_IN_PROFILE" } });
    expect(await prisma.customerMergeRequest.findFirstOrThrow({ where: { shop, requestId: "r-stuck" } })).toMatchObject({ status: "COMPLETED", mergedAwayGid: TWO });
    expect(listCustomerMergeJobs(fakeShop)).toHaveLength(1);
  });

  it("sends again a merge whose answer from Shopify never came, instead of blocking the profile", async () => {
    const { shop, fakeShop } = await installTestShop();
    const { profileId } = await seed(fakeShop, shop);
    // Recorded two minutes ago, then customerMerge's answer was lost (the process died).
    await prisma.customerMergeRequest.create({
      data: { shop, requestId: "r-lost", profileId, customerOneGid: TWO, customerTwoGid: ONE, updatedAt: new Date(Date.now() - 120_000) },
    });
    const next = await post(shop, profileId, { intent: "merge", customerOneGid: TWO, customerTwoGid: ONE, requestId: "r-new" });
    expect(next).toMatchObject({ status: 409, body: { code: "CUSTOMER_MERGE_IN_PROGRESS" } });
    expect(listCustomerMergeJobs(fakeShop)).toHaveLength(1);
    await drainJobs({ horizonMs: 5_000 });
    expect(await prisma.customerMergeRequest.findFirstOrThrow({ where: { shop, requestId: "r-lost" } })).toMatchObject({ status: "COMPLETED", mergedAwayGid: TWO });
    expect(await prisma.customerMergeRequest.count({ where: { shop } })).toBe(1);
    await expectLedgerConsistent(shop);
  });
});
