/**
 * Members keyed as older identity code keyed them, for the tests of re-keying a shop after a deploy
 * that bumped IDENTITY_KEYS_VERSION.
 */
import prisma from "~/db.server";
import { getBlockingKeys, getDeterministicKeys, NormalizationContext, normalizeIdentityRecord, toKeyRow, toStoredRecord, type RawIdentityRecord } from "~/domain/identity";
import { insertMembersWithProfiles } from "~/models/profile.server";

const ctx = new NormalizationContext("SA");

const keysOf = (raw: RawIdentityRecord) => {
  const norm = normalizeIdentityRecord(raw, ctx);
  return [...getDeterministicKeys(norm), ...getBlockingKeys(norm)];
};

/** The keys code before 006bca0 derived: a leading Bin dropped from the family name ("Osama Laden"). */
export const olderKeysOf = (raw: RawIdentityRecord) => keysOf({ ...raw, last_name: raw.last_name?.replace(/^bin\s+/i, "") });

/** The keys this code derives from a record. */
export const currentKeysOf = keysOf;

/**
 * Stores the records as members (one profile each, in this order) with the keys older code gave
 * them, as a shop no identity work of this code has touched yet (Shop.identityKeysVersion 0).
 */
export async function storeKeyedByOlderCode(shop: string, rows: RawIdentityRecord[]): Promise<void> {
  await prisma.$transaction(async (tx) => {
    for (const raw of rows) {
      const stored = toStoredRecord(raw, "SA");
      const [{ seq }] = await tx.$queryRaw<Array<{ seq: bigint }>>`select nextval(pg_get_serial_sequence('"ProfileMember"', 'seq')) as seq`;
      await insertMembersWithProfiles(tx, { shop, members: [{
        profileId: `old-profile-${seq}`, memberKey: raw.id, seq, memberKind: "CUSTOMER", record: stored.record as never, searchText: stored.searchText,
        keys: olderKeysOf(raw).map(toKeyRow),
      }] });
    }
  });
}

/** The blocking keys stored for a member, sorted. */
export async function storedBlockingKeys(shop: string, memberKey: string): Promise<string[]> {
  return (await prisma.identityKey.findMany({ where: { shop, memberKey, kind: "BLOCK" } })).map((k) => k.value).sort();
}

/** Shop's re-key columns. */
export function getRekeyColumns(shop: string) {
  return prisma.shop.findUniqueOrThrow({
    where: { shop },
    select: { identityKeysVersion: true, identityRekeyVersion: true, identityRekeyAfter: true, identityRekeyDone: true, identityRekeyTotal: true },
  });
}
