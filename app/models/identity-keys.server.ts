/**
 * The version of a shop's stored identity keys and the paging of its members with their keys:
 * what re-keying a shop reads and writes (see rekeyShop in services/resolve-identity.server.ts).
 * Prisma only; every function takes the shop first.
 */
import type { IdentityKeyKind } from "@prisma/client";
import type { MemberRow, Sql } from "./profile.server";

/** The IDENTITY_KEYS_VERSION the shop's IdentityKey rows were derived with; null without a Shop row. */
export async function getIdentityKeysVersion(db: Sql, { shop }: { shop: string }): Promise<number | null> {
  const [row] = await db.$queryRaw<Array<{ version: number }>>`select "identityKeysVersion" as version from "Shop" where shop = ${shop}`;
  return row?.version ?? null;
}

/** Records that the shop's keys are now of `version` (never lowers it: an older process may still run). */
export function setIdentityKeysVersion(db: Sql, { shop, version }: { shop: string; version: number }) {
  return db.$executeRaw`update "Shop" set "identityKeysVersion" = greatest("identityKeysVersion", ${version}::int) where shop = ${shop}`;
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
