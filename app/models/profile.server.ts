/**
 * Unified profiles and what they are built from: members, identity keys, scored pairs, junk
 * identifiers and profile events. Prisma only; every function takes the shop first.
 */
import type { IdentityKeyKind, MatchStatus, MemberKind, Prisma, PrismaClient } from "@prisma/client";
import prisma from "../db.server";

type Db = PrismaClient | Prisma.TransactionClient;

export type MemberRow = {
  memberKey: string;
  seq: bigint;
  memberKind: MemberKind;
  profileId: string;
  record: Prisma.JsonValue;
};

/** Serializes identity work of one shop for the rest of the transaction (see resolve-identity). */
export async function lockShopIdentity(tx: Db, { shop }: { shop: string }) {
  await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${`identity:${shop}`}))`;
}

export function getMembers(db: Db, { shop, memberKeys }: { shop: string; memberKeys: string[] }): Promise<MemberRow[]> {
  return db.profileMember.findMany({
    where: { shop, memberKey: { in: memberKeys } },
    select: { memberKey: true, seq: true, memberKind: true, profileId: true, record: true },
  });
}

export function listMembersOfProfiles(db: Db, { shop, profileIds }: { shop: string; profileIds: string[] }): Promise<MemberRow[]> {
  return db.profileMember.findMany({
    where: { shop, profileId: { in: profileIds } },
    select: { memberKey: true, seq: true, memberKind: true, profileId: true, record: true },
  });
}

/** Members holding any of the keys, per key, at most `limit + 1` per key (so "too many" is visible). */
export async function listMembersByKeys(
  db: Db,
  { shop, keys, limit }: { shop: string; keys: Array<{ kind: IdentityKeyKind; value: string }>; limit: number },
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  keys = [...new Map(keys.map((k) => [`${k.kind}|${k.value}`, k])).values()];
  if (keys.length === 0) return out;
  // One round trip for all keys of a record; each key still reads at most limit + 1 index entries.
  const rows = await db.$queryRaw<Array<{ kind: string; value: string; memberKey: string }>>`
    select k.kind, k.value, m."memberKey"
    from unnest(${keys.map((k) => k.kind)}::text[], ${keys.map((k) => k.value)}::text[]) as k(kind, value)
    cross join lateral (
      select i."memberKey" from "IdentityKey" i
      where i.shop = ${shop} and i.kind = k.kind::"IdentityKeyKind" and i.value = k.value
      limit ${limit + 1}
    ) m`;
  for (const k of keys) out.set(`${k.kind}|${k.value}`, []);
  for (const r of rows) out.get(`${r.kind}|${r.value}`)?.push(r.memberKey);
  return out;
}

export async function replaceIdentityKeys(
  db: Db,
  { shop, memberKey, keys }: { shop: string; memberKey: string; keys: Array<{ kind: IdentityKeyKind; value: string }> },
) {
  await db.identityKey.deleteMany({ where: { shop, memberKey } });
  await db.identityKey.createMany({ data: keys.map((k) => ({ shop, memberKey, kind: k.kind, value: k.value })), skipDuplicates: true });
}

export async function createProfileWithMember(
  db: Db,
  { shop, memberKey, memberKind, record, searchText }: { shop: string; memberKey: string; memberKind: MemberKind; record: Prisma.InputJsonValue; searchText: string },
) {
  const profile = await db.profile.create({ data: { shop }, select: { id: true } });
  await db.profileMember.create({ data: { shop, memberKey, memberKind, profileId: profile.id, record, searchText } });
  await db.profileEvent.create({ data: { shop, kind: "CREATED", toProfileId: profile.id, memberKeys: [memberKey] } });
  return profile.id;
}

export function updateMemberRecord(db: Db, { shop, memberKey, record, searchText }: { shop: string; memberKey: string; record: Prisma.InputJsonValue; searchText: string }) {
  return db.profileMember.update({ where: { shop_memberKey: { shop, memberKey } }, data: { record, searchText } });
}

export type PairRow = { memberA: string; memberB: string; score: number; status: MatchStatus; reasons: Prisma.JsonValue };

/** Pairs touching any of the members. */
export function listPairsOf(db: Db, { shop, memberKeys }: { shop: string; memberKeys: string[] }): Promise<PairRow[]> {
  return db.matchPair.findMany({
    where: { shop, OR: [{ memberA: { in: memberKeys } }, { memberB: { in: memberKeys } }] },
    select: { memberA: true, memberB: true, score: true, status: true, reasons: true },
  });
}

export function getPair(db: Db, { shop, memberA, memberB }: { shop: string; memberA: string; memberB: string }) {
  return db.matchPair.findUnique({ where: { shop_memberA_memberB: { shop, memberA, memberB } } });
}

export function upsertPair(
  db: Db,
  { shop, memberA, memberB, score, reasons, status }: { shop: string; memberA: string; memberB: string; score: number; reasons: Prisma.InputJsonValue; status: MatchStatus },
) {
  return db.matchPair.upsert({
    where: { shop_memberA_memberB: { shop, memberA, memberB } },
    create: { shop, memberA, memberB, score, reasons, status },
    update: { score, reasons, status },
  });
}

export function deletePair(db: Db, { shop, memberA, memberB }: { shop: string; memberA: string; memberB: string }) {
  return db.matchPair.deleteMany({ where: { shop, memberA, memberB } });
}

export function decidePair(
  db: Db,
  { shop, memberA, memberB, status, decidedBy }: { shop: string; memberA: string; memberB: string; status: "APPROVED" | "REJECTED"; decidedBy: string | null },
) {
  return db.matchPair.upsert({
    where: { shop_memberA_memberB: { shop, memberA, memberB } },
    create: { shop, memberA, memberB, score: 0, reasons: [], status, decidedBy, decidedAt: new Date() },
    update: { status, decidedBy, decidedAt: new Date() },
  });
}

export function listJunkIdentifiers(db: Db, { shop }: { shop: string }) {
  return db.junkIdentifier.findMany({ where: { shop }, orderBy: [{ active: "desc" }, { createdAt: "asc" }] });
}

export function insertDetectedJunk(db: Db, { shop, kind, value, reason }: { shop: string; kind: IdentityKeyKind; value: string; reason: string }) {
  return db.junkIdentifier.createMany({ data: [{ shop, kind, value, reason, source: "DETECTED" }], skipDuplicates: true });
}

export function setMerchantJunk(db: Db, { shop, kind, value, active }: { shop: string; kind: IdentityKeyKind; value: string; active: boolean }) {
  return db.junkIdentifier.upsert({
    where: { shop_kind_value: { shop, kind, value } },
    create: { shop, kind, value, source: "MERCHANT", active, reason: "marked by the merchant" },
    update: { source: "MERCHANT", active },
  });
}

export async function setMemberProfile(
  db: Db,
  { shop, memberKey, profileId, linkedBy, linkScore, linkReason }: { shop: string; memberKey: string; profileId: string; linkedBy: string[]; linkScore: number | null; linkReason: string | null },
) {
  await db.profileMember.update({ where: { shop_memberKey: { shop, memberKey } }, data: { profileId, linkedBy, linkScore, linkReason } });
}

export function createProfile(db: Db, { shop }: { shop: string }) {
  return db.profile.create({ data: { shop }, select: { id: true } });
}

export function recordProfileEvent(
  db: Db,
  { shop, kind, fromProfileId, toProfileId, memberKeys }: { shop: string; kind: "MERGED" | "SPLIT"; fromProfileId: string; toProfileId: string; memberKeys: string[] },
) {
  return db.profileEvent.create({ data: { shop, kind, fromProfileId, toProfileId, memberKeys } });
}

/**
 * Recomputes the cached counters and display fields of profiles from their members' orders
 * (orders of member customers plus member guest orders); a profile left without members is
 * marked merged into `mergedInto` when given.
 */
export async function refreshProfiles(db: Db, { shop, profileIds }: { shop: string; profileIds: string[] }) {
  if (profileIds.length === 0) return;
  await db.$executeRaw`
    with m as (
      select pm."profileId", pm."memberKey", pm."memberKind" from "ProfileMember" pm
      where pm.shop = ${shop} and pm."profileId" = any(${profileIds}::text[])
    ), o as (
      select distinct on (o."orderGid") m."profileId", o."orderGid", o."shopifyCreatedAt", o."totalMinor", o.currency, o."cancelledAt"
      from m join "Order" o on o.shop = ${shop}
        and ((m."memberKind" = 'ORDER' and o."orderGid" = m."memberKey") or (m."memberKind" = 'CUSTOMER' and o."customerGid" = m."memberKey"))
    ), refunded as (
      select r."orderGid", sum(r."amountMinor") as amount from "Refund" r where r.shop = ${shop} and r."orderGid" in (select "orderGid" from o) group by r."orderGid"
    ), agg as (
      select p.id,
        count(o."orderGid") filter (where o."cancelledAt" is null)::int as n,
        coalesce(sum(o."totalMinor" - coalesce(rf.amount, 0)) filter (where o."cancelledAt" is null), 0)::bigint as spent,
        max(o."shopifyCreatedAt") as last_at,
        min(o."shopifyCreatedAt") as first_at,
        mode() within group (order by o.currency) as currency
      from "Profile" p left join o on o."profileId" = p.id left join refunded rf on rf."orderGid" = o."orderGid"
      where p.shop = ${shop} and p.id = any(${profileIds}::text[])
      group by p.id
    ), ident as (
      select m."profileId",
        (array_agg(nullif(trim(concat_ws(' ', pm.record->>'first_name', pm.record->>'last_name', pm.record->>'full_name')), '') order by pm.seq) filter (where nullif(trim(concat_ws(' ', pm.record->>'first_name', pm.record->>'last_name', pm.record->>'full_name')), '') is not null))[1] as name,
        (array_agg(pm.record->>'email' order by pm.seq) filter (where pm.record->>'email' is not null))[1] as email,
        (array_agg(pm.record->>'e164' order by pm.seq) filter (where pm.record->>'e164' is not null))[1] as phone,
        string_agg(pm."searchText", ' ' order by pm.seq) as search
      from m join "ProfileMember" pm on pm.shop = ${shop} and pm."memberKey" = m."memberKey"
      group by m."profileId"
    )
    update "Profile" p set
      "orderCount" = agg.n, "totalSpentMinor" = agg.spent, "lastOrderAt" = agg.last_at,
      "firstSeenAt" = coalesce(agg.first_at, p."createdAt"), currency = agg.currency,
      "displayName" = ident.name, "primaryEmail" = ident.email, "primaryPhone" = ident.phone,
      "searchName" = ident.search, "updatedAt" = now()
    from agg left join ident on ident."profileId" = agg.id
    where p.shop = ${shop} and p.id = agg.id`;
}

export function markProfileMerged(db: Db, { shop, profileId, into }: { shop: string; profileId: string; into: string }) {
  return db.profile.updateMany({ where: { shop, id: profileId }, data: { mergedIntoId: into, orderCount: 0, totalSpentMinor: 0 } });
}

export function clearProfileMerged(db: Db, { shop, profileId }: { shop: string; profileId: string }) {
  return db.profile.updateMany({ where: { shop, id: profileId }, data: { mergedIntoId: null } });
}

/** Guest orders (no customer) and customers of the given orders, to attach. */
export function listOrdersForAttach(db: Db, { shop, orderGids }: { shop: string; orderGids: string[] }) {
  return db.order.findMany({
    where: { shop, orderGid: { in: orderGids } },
    select: {
      orderGid: true, customerGid: true, email: true, phone: true, firstName: true, lastName: true,
      address1: true, address2: true, city: true, province: true, zip: true, countryCode: true,
    },
  });
}

export function listCustomersForAttach(db: Db, { shop, customerGids }: { shop: string; customerGids: string[] }) {
  return db.customer.findMany({
    where: { shop, customerGid: { in: customerGids }, deletedAt: null },
    select: {
      customerGid: true, email: true, phone: true, firstName: true, lastName: true,
      address1: true, address2: true, city: true, province: true, zip: true, countryCode: true,
    },
  });
}

// ---- admin reads ----------------------------------------------------------------------------

export type ProfileSearch = { name?: string; phone?: string; email?: string };

/** A page of live profiles, most recent buyers first; `search` strings are already normalized. */
export async function listProfiles(
  { shop, search, page, pageSize }: { shop: string; search: ProfileSearch; page: number; pageSize: number },
) {
  const where: Prisma.ProfileWhereInput = { shop, mergedIntoId: null };
  const memberFilters: Prisma.ProfileMemberWhereInput[] = [];
  if (search.name) memberFilters.push({ searchText: { contains: search.name } });
  if (search.phone) memberFilters.push({ searchText: { contains: search.phone } });
  if (search.email) memberFilters.push({ searchText: { contains: search.email } });
  if (memberFilters.length) {
    const members = await prisma.profileMember.findMany({
      where: { shop, OR: memberFilters },
      select: { profileId: true },
      distinct: ["profileId"],
      take: 1000,
    });
    where.id = { in: members.map((m) => m.profileId) };
  }
  const [rows, total] = await Promise.all([
    prisma.profile.findMany({
      where,
      orderBy: [{ lastOrderAt: { sort: "desc", nulls: "last" } }, { id: "asc" }],
      skip: page * pageSize,
      take: pageSize,
    }),
    prisma.profile.count({ where }),
  ]);
  const counts = await prisma.profileMember.groupBy({
    by: ["profileId"],
    where: { shop, profileId: { in: rows.map((r) => r.id) } },
    _count: { _all: true },
  });
  const memberCount = new Map(counts.map((c) => [c.profileId, c._count._all]));
  return { rows: rows.map((r) => ({ ...r, memberCount: memberCount.get(r.id) ?? 0 })), total };
}

export function getProfile({ shop, profileId }: { shop: string; profileId: string }) {
  return prisma.profile.findUnique({ where: { shop_id: { shop, id: profileId } } });
}

export function listProfileMembers({ shop, profileId }: { shop: string; profileId: string }) {
  return prisma.profileMember.findMany({ where: { shop, profileId }, orderBy: { seq: "asc" } });
}

/** Every order of a profile (member customers' orders and member guest orders), newest first. */
export async function listProfileOrders({ shop, profileId }: { shop: string; profileId: string }) {
  const members = await prisma.profileMember.findMany({ where: { shop, profileId }, select: { memberKey: true, memberKind: true } });
  const customers = members.filter((m) => m.memberKind === "CUSTOMER").map((m) => m.memberKey);
  const orders = members.filter((m) => m.memberKind === "ORDER").map((m) => m.memberKey);
  return prisma.order.findMany({
    where: { shop, OR: [{ customerGid: { in: customers } }, { orderGid: { in: orders } }] },
    orderBy: { shopifyCreatedAt: "desc" },
    include: { lines: true },
    take: 500,
  });
}

export function listReviewPairs({ shop, take }: { shop: string; take: number }) {
  return prisma.matchPair.findMany({ where: { shop, status: "REVIEW" }, orderBy: [{ score: "desc" }, { createdAt: "asc" }], take });
}

// ---- redaction --------------------------------------------------------------------------------

/**
 * Erases the identity data of members (customer redact): their stored records, keys and pairs.
 * The members stay, empty, in their profile so its history (and the ledger's) keeps its shape.
 */
export async function redactMembers(db: Db, { shop, memberKeys }: { shop: string; memberKeys: string[] }) {
  if (memberKeys.length === 0) return;
  const rows = await db.profileMember.findMany({ where: { shop, memberKey: { in: memberKeys } }, select: { profileId: true } });
  await db.identityKey.deleteMany({ where: { shop, memberKey: { in: memberKeys } } });
  await db.matchPair.deleteMany({ where: { shop, OR: [{ memberA: { in: memberKeys } }, { memberB: { in: memberKeys } }] } });
  await db.profileMember.updateMany({ where: { shop, memberKey: { in: memberKeys } }, data: { record: {}, searchText: "", linkReason: null } });
  await refreshProfiles(db, { shop, profileIds: [...new Set(rows.map((r) => r.profileId))] });
}

/** shop/redact: every identity row of the shop. */
export async function deleteShopIdentity(db: Db, { shop }: { shop: string }) {
  await db.identityKey.deleteMany({ where: { shop } });
  await db.matchPair.deleteMany({ where: { shop } });
  await db.junkIdentifier.deleteMany({ where: { shop } });
  await db.profileMember.deleteMany({ where: { shop } });
  await db.profileEvent.deleteMany({ where: { shop } });
  await db.profile.deleteMany({ where: { shop } });
}
