import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { attachMembers, type MemberInput } from "~/services/resolve-identity.server";
import { installTestShop } from "../../support/install";

const member = (memberKey: string, raw: Omit<MemberInput["raw"], "id">): MemberInput => ({ memberKey, memberKind: "CUSTOMER", raw: { id: memberKey, ...raw } });

async function rowsOf(shop: string) {
  const members = await prisma.profileMember.findMany({ where: { shop }, orderBy: { seq: "asc" } });
  const events = await prisma.profileEvent.findMany({ where: { shop }, orderBy: { id: "asc" } });
  const profiles = await prisma.profile.findMany({ where: { shop } });
  return { members, events, profiles };
}

describe("incremental attach: stored rows and profile events", () => {
  it("stores a record that links nobody unlinked in its own profile, with its keys and a CREATED event", async () => {
    const { shop } = await installTestShop();
    await attachMembers({ shop, members: [member("c1", { first_name: "Noura", last_name: "Alotaibi", email: "noura.otaibi@example.com", phone: "0551112233" })] });
    const { members, events, profiles } = await rowsOf(shop);
    expect(members).toHaveLength(1);
    expect(members[0]).toMatchObject({ memberKey: "c1", linkedBy: [], linkScore: null, linkReason: null });
    expect(profiles).toHaveLength(1);
    expect(profiles[0]).toMatchObject({ id: members[0].profileId, mergedIntoId: null, displayName: "Noura Alotaibi", primaryEmail: "noura.otaibi@example.com" });
    expect(events.map((e) => [e.kind, e.fromProfileId, e.toProfileId, e.memberKeys])).toEqual([["CREATED", null, members[0].profileId, ["c1"]]]);
    const keys = await prisma.identityKey.findMany({ where: { shop, memberKey: "c1" } });
    expect(keys.map((k) => `${k.kind}:${k.value}`)).toEqual(expect.arrayContaining(["EMAIL:noura.otaibi@example.com"]));
  });

  it("merges a later record with the same email into the first profile: CREATED then MERGED, the emptied profile marked merged", async () => {
    const { shop } = await installTestShop();
    await attachMembers({ shop, members: [member("a", { first_name: "Sara", last_name: "Alqahtani", email: "sara.qahtani84@gmail.com" })] });
    await attachMembers({ shop, members: [member("b", { first_name: "سارة", last_name: "القحطاني", email: "SARA.QAHTANI84@gmail.com" })] });
    const { members, events, profiles } = await rowsOf(shop);
    const [a, b] = members;
    expect(b.profileId).toBe(a.profileId);
    expect(b.linkedBy).toContain("SAME_EMAIL");
    const created = events.filter((e) => e.kind === "CREATED");
    expect(created).toHaveLength(2);
    const bProfile = created[1].toProfileId;
    expect(bProfile).not.toBe(a.profileId);
    expect(events.filter((e) => e.kind !== "CREATED").map((e) => [e.kind, e.fromProfileId, e.toProfileId, e.memberKeys])).toEqual([["MERGED", bProfile, a.profileId, ["b"]]]);
    expect(profiles.find((p) => p.id === bProfile)).toMatchObject({ mergedIntoId: a.profileId, orderCount: 0 });
    const pair = await prisma.matchPair.findMany({ where: { shop } });
    expect(pair.map((p) => [p.memberA, p.memberB, p.status])).toEqual([["a", "b", "AUTO_LINKED"]]);
  });

  it("re-links a member whose record changed, and splits it off when it no longer shares anything", async () => {
    const { shop } = await installTestShop();
    await attachMembers({ shop, members: [member("a", { first_name: "Omar", last_name: "Alharbi", phone: "0501112233" })] });
    await attachMembers({ shop, members: [member("b", { first_name: "Omar", last_name: "Alharbi", phone: "0509998877" })] });
    let { members } = await rowsOf(shop);
    expect(members[1].profileId).not.toBe(members[0].profileId);
    // b's phone corrected to a's: one person.
    await attachMembers({ shop, members: [member("b", { first_name: "Omar", last_name: "Alharbi", phone: "+966501112233" })] });
    ({ members } = await rowsOf(shop));
    expect(members[1].profileId).toBe(members[0].profileId);
    // Attaching the same record again changes nothing.
    const before = await rowsOf(shop);
    await attachMembers({ shop, members: [member("b", { first_name: "Omar", last_name: "Alharbi", phone: "+966501112233" })] });
    expect((await rowsOf(shop)).events).toHaveLength(before.events.length);
    // b's phone changed to another number: the link is gone and b leaves (a SPLIT event).
    await attachMembers({ shop, members: [member("b", { first_name: "Omar", last_name: "Alharbi", phone: "0507776655" })] });
    const after = await rowsOf(shop);
    expect(after.members[1].profileId).not.toBe(after.members[0].profileId);
    expect(after.events.at(-1)).toMatchObject({ kind: "SPLIT", fromProfileId: after.members[0].profileId, toProfileId: after.members[1].profileId, memberKeys: ["b"] });
    expect(await prisma.matchPair.count({ where: { shop } })).toBe(0);
  });
});
