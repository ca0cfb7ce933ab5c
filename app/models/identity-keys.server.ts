/**
 * The version of a shop's stored identity keys, the progress of a re-key pass, and the paging of
 * its members with their keys: what re-keying a shop reads and writes (see rekeyShop in
 * services/resolve-identity.server.ts). Every function takes the shop first (but the sweep).
 */
import type { IdentityKeyKind } from "@prisma/client";
import type { MemberRow, Sql } from "./profile.server";

/** The IDENTITY_KEYS_VERSION the shop's IdentityKey rows were derived with; null without a Shop row. */
export async function getIdentityKeysVersion(db: Sql, { shop }: { shop: string }): Promise<number | null> {
  const [row] = await db.$queryRaw<Array<{ version: number }>>`select "identityKeysVersion" as version from "Shop" where shop = ${shop}`;
  return row?.version ?? null;
}

/** Where a shop's re-key pass stands: the stored version, and the pass under way (all null when none is). */
export type IdentityRekeyState = { version: number; rekeyVersion: number | null; after: string | null; done: number | null; total: number | null };

export async function getIdentityRekeyState(db: Sql, { shop }: { shop: string }): Promise<IdentityRekeyState | null> {
  const [row] = await db.$queryRaw<IdentityRekeyState[]>`
    select "identityKeysVersion" as version, "identityRekeyVersion" as "rekeyVersion", "identityRekeyAfter" as after,
      "identityRekeyDone" as done, "identityRekeyTotal" as total
    from "Shop" where shop = ${shop}`;
  return row ?? null;
}

/** Records a page of the pass to `version` as done (in the page's transaction, so the cursor never runs ahead of it). */
export function saveIdentityRekeyPage(db: Sql, { shop, version, after, done, total }: { shop: string; version: number; after: string; done: number; total: number }) {
  return db.$executeRaw`update "Shop" set "identityRekeyVersion" = ${version}::int, "identityRekeyAfter" = ${after},
    "identityRekeyDone" = ${done}::int, "identityRekeyTotal" = greatest(${total}::int, ${done}::int) where shop = ${shop}`;
}

/** Ends a pass: the keys are now of `version` (never lowered: an older process may still run) and no pass is under way. */
export function finishIdentityRekey(db: Sql, { shop, version }: { shop: string; version: number }) {
  return db.$executeRaw`update "Shop" set "identityKeysVersion" = greatest("identityKeysVersion", ${version}::int),
    "identityRekeyVersion" = null, "identityRekeyAfter" = null, "identityRekeyDone" = null, "identityRekeyTotal" = null
    where shop = ${shop}`;
}

/** Marks a shop without members as keyed with `version` (nothing to re-key); true when it did. */
export async function setIdentityKeysVersionIfNoMembers(db: Sql, { shop, version }: { shop: string; version: number }): Promise<boolean> {
  const n = await db.$executeRaw`update "Shop" set "identityKeysVersion" = greatest("identityKeysVersion", ${version}::int)
    where shop = ${shop} and not exists (select 1 from "ProfileMember" m where m.shop = ${shop})`;
  return n > 0;
}

export async function countProfileMembers(db: Sql, { shop }: { shop: string }): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ n: number }>>`select count(*)::int as n from "ProfileMember" where shop = ${shop}`;
  return row.n;
}

/** Shops whose keys are older than `version`: the re-key jobs to enqueue when workers start (not per shop: a sweep). */
export async function listShopsWithStaleIdentityKeys(db: Sql, { version }: { version: number }): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ shop: string }>>`select shop from "Shop" where "identityKeysVersion" < ${version}::int order by shop`;
  return rows.map((r) => r.shop);
}

export type MemberWithKeys = MemberRow & { keys: Array<{ kind: IdentityKeyKind; value: string }> };

/** A page of the shop's members in memberKey order (its primary key), each with its stored keys. */
export async function listMembersWithKeys(
  db: Sql,
  { shop, afterMemberKey, limit }: { shop: string; afterMemberKey: string; limit: number },
): Promise<MemberWithKeys[]> {
  const rows = await db.$queryRaw<Array<Omit<MemberWithKeys, "seq"> & { seq: string | bigint }>>`
    select m."memberKey", m.seq, m."memberKind", m."profileId", m.record,
      coalesce((select json_agg(json_build_object('kind', i.kind, 'value', i.value)) from "IdentityKey" i
                where i.shop = ${shop} and i."memberKey" = m."memberKey"), '[]') as keys
    from "ProfileMember" m
    where m.shop = ${shop} and m."memberKey" > ${afterMemberKey}
    order by m."memberKey"
    limit ${limit}`;
  return rows.map((r) => ({ ...r, seq: BigInt(r.seq) }));
}
