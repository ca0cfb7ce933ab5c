import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { loader as listLoader } from "~/routes/app.customers._index";
import { action as profileAction, loader as profileLoader } from "~/routes/app.customers.$profileId";
import { action as reviewAction, loader as reviewLoader } from "~/routes/app.review";
import { storeCustomersInTransaction, storeOrders } from "~/services/store-orders.server";
import { enqueueCustomerStored } from "~/services/order-stored.server";
import type { OrderRecord } from "~/shopify/webhook-payloads";
import { browserHeaders, fakeShopify } from "../../support/test-app";
import { customerRecord, orderRecord } from "../../factories/records";
import { installTestShop } from "../../support/install";
import { drainJobs } from "../../support/jobs";

const fake = fakeShopify();

function adminRequest(shop: string, path: string, init: { method?: string; body?: BodyInit } = {}) {
  const token = fake.mintSessionToken({ shop, sub: "1" });
  return new Request(`https://wafa.test${path}`, { method: init.method ?? "GET", body: init.body, headers: { Authorization: `Bearer ${token}`, ...browserHeaders } });
}

async function data<T>(response: Promise<T | Response> | T | Response): Promise<T> {
  const r = await response;
  return (r instanceof Response ? await r.json() : r) as T;
}

/** This file's guest orders: Musk at SAR 40.00 in branch 7, one a day from June 2026. */
function guestOrder(overrides: Partial<OrderRecord>): OrderRecord {
  const base = orderRecord({}, { startsAt: Date.UTC(2026, 5, 1), spacingMs: 86_400_000 });
  const id = base.orderGid.split("/").pop();
  return {
    ...base,
    locationGid: "gid://shopify/Location/7",
    subtotalMinor: 4000,
    totalMinor: 4000,
    lines: [{ lineGid: `gid://shopify/LineItem/${id}`, productGid: "gid://shopify/Product/9", variantGid: null, sku: "MSK-1", title: "Musk", variantTitle: null, quantity: 2, priceMinor: 2000, discountMinor: 0, giftCard: false }],
    ...overrides,
  };
}

const customer = customerRecord;

async function seedMohammed(shop: string) {
  await prisma.$transaction(async (tx) => {
    const customerGids = await storeCustomersInTransaction(tx, {
      shop,
      customers: [customer({ customerGid: "gid://shopify/Customer/500", firstName: "Mohammed", lastName: "Alharbi", email: "mohammed.harbi@gmail.com", phone: "+966501234567" })],
      origin: "WEBHOOK",
    });
    await enqueueCustomerStored(tx, { shop, customerGids });
  });
  await storeOrders({ shop, orders: [guestOrder({ firstName: "محمد", lastName: "الحربي", phone: "0501234567" })], origin: "WEBHOOK" });
  await drainJobs();
}

type ListData = { total: number; profiles: Array<{ id: string; displayName: string | null; orderCount: number; memberCount: number }> };

describe("customer admin pages", () => {
  it("finds the same profile by ٠٥٠١٢٣٤٥٦٧, by +966501234567, by Arabic and Latin name and by email", async () => {
    const { shop } = await installTestShop();
    await seedMohammed(shop);
    const search = (q: string) => data<ListData>(listLoader({ request: adminRequest(shop, `/app/customers?q=${encodeURIComponent(q)}`), params: {}, context: {} }));

    const all = await search("");
    expect(all.total).toBe(1);
    const id = all.profiles[0].id;
    expect(all.profiles[0]).toMatchObject({ orderCount: 1, memberCount: 2 });
    for (const q of ["٠٥٠١٢٣٤٥٦٧", "+966501234567", "050 123 4567", "الحربى", "mohammed", "Mohammed.Harbi@gmail.com"]) {
      const found = await search(q);
      expect(found.profiles.map((p) => p.id), q).toEqual([id]);
    }
    expect((await search("0559999999")).total).toBe(0);
    expect((await search("سارة")).total).toBe(0);
  });

  it("shows the unified profile with its members, reasons, invoices and products, and splits a member out", async () => {
    const { shop } = await installTestShop();
    await seedMohammed(shop);
    const profileId = (await prisma.profile.findFirstOrThrow({ where: { shop, mergedIntoId: null } })).id;
    const view = await data<{
      members: Array<{ memberKey: string; kind: string; linkReason: string | null }>;
      metrics: { visits: number; totalSpentMinor: string };
      invoices: Array<{ channel: string; branch: string | null }>;
      products: Array<{ title: string; quantity: number }>;
    }>(profileLoader({ request: adminRequest(shop, `/app/customers/${profileId}`), params: { profileId }, context: {} }));
    expect(view.members.map((m) => m.kind)).toEqual(["CUSTOMER", "ORDER"]);
    expect(view.members[1].linkReason).toContain("+966501234567");
    expect(view.metrics).toMatchObject({ visits: 1, totalSpentMinor: "4000" });
    expect(view.invoices).toEqual([expect.objectContaining({ channel: "POS", branch: "7" })]);
    expect(view.products).toEqual([{ title: "Musk", sku: "MSK-1", quantity: 2 }]);

    const form = new FormData();
    form.set("intent", "split");
    form.set("memberKey", view.members[1].memberKey);
    const res = (await profileAction({ request: adminRequest(shop, `/app/customers/${profileId}`, { method: "POST", body: form }), params: { profileId }, context: {} })) as Response;
    expect(res.status).toBe(200);
    expect(await prisma.profile.count({ where: { shop, mergedIntoId: null } })).toBe(2);
  });

  it("does not show or split another shop's profile", async () => {
    const a = await installTestShop();
    const b = await installTestShop();
    await seedMohammed(a.shop);
    const profileId = (await prisma.profile.findFirstOrThrow({ where: { shop: a.shop } })).id;
    await expect(profileLoader({ request: adminRequest(b.shop, `/app/customers/${profileId}`), params: { profileId }, context: {} })).rejects.toMatchObject({ status: 404 });
    const listB = await data<ListData>(listLoader({ request: adminRequest(b.shop, "/app/customers?q=0501234567"), params: {}, context: {} }));
    expect(listB.total).toBe(0);
    const member = await prisma.profileMember.findFirstOrThrow({ where: { shop: a.shop, memberKind: "ORDER" } });
    const form = new FormData();
    form.set("intent", "split");
    form.set("memberKey", member.memberKey);
    const res = (await profileAction({ request: adminRequest(b.shop, `/app/customers/${profileId}`, { method: "POST", body: form }), params: { profileId }, context: {} })) as Response;
    expect(res.status).toBe(409);
    expect(await prisma.profile.count({ where: { shop: a.shop, mergedIntoId: null } })).toBe(1);
  });

  it("lists an uncertain pair with its evidence, joins it when approved, and a merchant-marked phone links nobody", async () => {
    const { shop } = await installTestShop();
    // Same name, city and postcode but no contact in common: evidence (score 13), not proof.
    await storeOrders({
      shop,
      orders: [
        guestOrder({ firstName: "Reem", lastName: "Alotaibi", city: "Riyadh", zip: "12211" }),
        guestOrder({ firstName: "Reem", lastName: "Alotaibi", city: "Riyadh", zip: "12211" }),
      ],
      origin: "WEBHOOK",
    });
    await drainJobs();
    const queue = await data<{ pairs: Array<{ memberA: string; memberB: string; score: number; reasons: Array<{ code: string }> }> }>(
      reviewLoader({ request: adminRequest(shop, "/app/review"), params: {}, context: {} }),
    );
    expect(queue.pairs).toHaveLength(1);
    const pair = queue.pairs[0];
    expect(pair.score).toBe(13);
    expect(pair.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(["NAME_MATCH", "SAME_POSTCODE", "SAME_CITY"]));
    expect(await prisma.profileMember.groupBy({ by: ["profileId"], where: { shop } })).toHaveLength(2);

    const approve = new FormData();
    approve.set("intent", "approve");
    approve.set("memberA", pair.memberA);
    approve.set("memberB", pair.memberB);
    expect(((await reviewAction({ request: adminRequest(shop, "/app/review", { method: "POST", body: approve }), params: {}, context: {} })) as Response).status).toBe(200);
    expect(await prisma.profileMember.groupBy({ by: ["profileId"], where: { shop } })).toHaveLength(1);
    expect(await prisma.profileEvent.count({ where: { shop, kind: "MERGED" } })).toBe(1);

    const junk = new FormData();
    junk.set("intent", "addJunk");
    junk.set("kind", "PHONE");
    junk.set("value", "٠١١٢٣٤٥٦٧٨");
    expect(((await reviewAction({ request: adminRequest(shop, "/app/review", { method: "POST", body: junk }), params: {}, context: {} })) as Response).status).toBe(200);
    await storeOrders({
      shop,
      orders: [guestOrder({ firstName: "Lama", lastName: "Alanazi", phone: "0112345678" }), guestOrder({ firstName: "Lama", lastName: "Alanazi", phone: "0112345678" })],
      origin: "WEBHOOK",
    });
    await drainJobs();
    const lamas = await prisma.profileMember.findMany({ where: { shop, searchText: { contains: "lama" } } });
    expect(lamas).toHaveLength(2);
    expect(lamas[0].profileId).not.toBe(lamas[1].profileId);
    expect(await prisma.junkIdentifier.findMany({ where: { shop }, select: { kind: true, value: true, source: true, active: true } })).toEqual([
      { kind: "PHONE", value: "+966112345678", source: "MERCHANT", active: true },
    ]);
  });
});
