/**
 * Incremental identity resolution against the database: each new or changed Shopify customer and
 * each guest/POS order becomes a profile member, is compared with the members sharing one of its
 * keys (IdentityKey lookups), and the link-connected region it touches is re-clustered with the
 * same greedy, cannot-link-respecting rule as the batch resolver (app/domain/identity/resolve.ts),
 * so the stored profiles equal what batch resolution gives on the same records in arrival order.
 */
import type { IdentityKeyKind, MemberKind, Prisma } from "@prisma/client";
import prisma from "../db.server";
import {
  ConstrainedUnionFind,
  DEFAULT_RESOLVE_OPTIONS,
  compareLinks,
  foldText,
  getBlockingKeys,
  getDeterministicKeys,
  getJunkVerdict,
  normalizeEmail,
  normalizeIdentityRecord,
  normalizePhone,
  pairConflicts,
  scorePair,
  toAsciiDigits,
  NormalizationContext,
  type JunkOptions,
  type MatchReason,
  type NormalizedIdentityRecord,
  type RawIdentityRecord,
  type ResolveOptions,
} from "../domain/identity";
import {
  createProfile,
  createProfileWithMember,
  decidePair,
  deletePair,
  getMembers,
  getPair,
  insertDetectedJunk,
  listCustomersForAttach,
  listJunkIdentifiers,
  listMembersByKeys,
  listMembersOfProfiles,
  listOrdersForAttach,
  listPairsOf,
  lockShopIdentity,
  markProfileMerged,
  recordProfileEvent,
  refreshProfiles,
  replaceIdentityKeys,
  setMemberProfile,
  setMerchantJunk,
  updateMemberRecord,
  upsertPair,
  type MemberRow,
} from "../models/profile.server";
import { getShop } from "../models/shop.server";

type Tx = Prisma.TransactionClient;

/** A member to attach: its key, kind and the identity fields it carries. */
export interface MemberInput {
  memberKey: string;
  memberKind: MemberKind;
  raw: RawIdentityRecord;
}

/** Stored with the member: the raw fields plus the E.164 phone used for display and search. */
type StoredRecord = RawIdentityRecord & { e164?: string };

const OPTIONS: ResolveOptions = DEFAULT_RESOLVE_OPTIONS;
/** A merchant approval outranks any computed score. */
const APPROVED_SCORE = 1000;

const DET_KIND: Record<string, IdentityKeyKind> = { e: "EMAIL", p: "PHONE", x: "EXTERNAL" };

/** Domain key ("p:+9665…", "np:…") to the (kind, value) stored in IdentityKey / JunkIdentifier. */
export function toKeyRow(key: string): { kind: IdentityKeyKind; value: string } {
  const kind = key[1] === ":" ? DET_KIND[key[0]] : undefined;
  return kind ? { kind, value: key.slice(2) } : { kind: "BLOCK", value: key };
}

function fromKeyRow(kind: IdentityKeyKind, value: string): string {
  if (kind === "BLOCK") return value;
  return `${kind === "EMAIL" ? "e" : kind === "PHONE" ? "p" : "x"}:${value}`;
}

const isDeterministic = (key: string) => key[1] === ":" && key[0] in DET_KIND;

type Member = { memberKey: string; seq: bigint; profileId: string; norm: NormalizedIdentityRecord; keys: string[] };

/** What one transaction knows: loaded members, key sizes, junk identifiers, touched members. */
class ShopState {
  readonly members = new Map<string, Member>();
  readonly keyCount = new Map<string, number>();
  readonly junk = new Set<string>();
  readonly touched = new Set<string>();
  readonly junkOptions: JunkOptions;
  readonly ctx: NormalizationContext;

  constructor(
    readonly tx: Tx,
    readonly shop: string,
    readonly country: string,
    junkRows: Array<{ kind: IdentityKeyKind; value: string; active: boolean; source: string }>,
  ) {
    this.ctx = new NormalizationContext(country);
    const add = new Set<string>();
    const remove = new Set<string>();
    for (const j of junkRows) {
      const key = fromKeyRow(j.kind, j.value);
      if (j.active) this.junk.add(key);
      if (j.source === "MERCHANT") (j.active ? add : remove).add(key);
    }
    this.junkOptions = { ...OPTIONS.junk, add, remove };
  }

  toMember(row: MemberRow): Member {
    const norm = normalizeIdentityRecord(row.record as unknown as RawIdentityRecord, this.ctx);
    const m: Member = { memberKey: row.memberKey, seq: row.seq, profileId: row.profileId, norm, keys: [...new Set([...getDeterministicKeys(norm), ...getBlockingKeys(norm)])] };
    this.members.set(row.memberKey, m);
    return m;
  }

  async load(keys: string[]): Promise<Member[]> {
    const missing = keys.filter((k) => !this.members.has(k));
    if (missing.length) for (const row of await getMembers(this.tx, { shop: this.shop, memberKeys: missing })) this.toMember(row);
    return keys.map((k) => this.members.get(k)).filter((m): m is Member => m !== undefined);
  }

  /** Live keys link; dead ones (junk identifiers, oversized blocks) are ignored like in batch. */
  async isDead(key: string): Promise<boolean> {
    if (isDeterministic(key)) return this.junk.has(key);
    let n = this.keyCount.get(key);
    if (n === undefined) {
      const lists = await listMembersByKeys(this.tx, { shop: this.shop, keys: [toKeyRow(key)], limit: OPTIONS.maxBlockSize });
      n = lists.get(`BLOCK|${key}`)?.length ?? 0;
      this.keyCount.set(key, n);
    }
    return n > OPTIONS.maxBlockSize;
  }
}

/** The stored form of a raw record: the fields plus the E.164 phone and the folded search text. */
function toStoredRecord(raw: RawIdentityRecord, country: string): { record: StoredRecord; searchText: string } {
  const phone = raw.phone ? normalizePhone(raw.phone, country) : null;
  const email = normalizeEmail(raw.email);
  const record: StoredRecord = { ...raw };
  for (const k of Object.keys(record) as Array<keyof StoredRecord>) if (record[k] === undefined || record[k] === null || record[k] === "") delete record[k];
  if (phone?.valid) record.e164 = phone.value;
  const name = [raw.first_name, raw.last_name, raw.full_name].filter(Boolean).join(" ");
  const parts = [foldText(name), email?.value ?? raw.email?.toLowerCase(), phone?.valid ? phone.value : raw.phone ? toAsciiDigits(raw.phone).replace(/\D/g, "") : null];
  return { record, searchText: ` ${parts.filter(Boolean).join(" ")} ` };
}

function reasonText(reasons: MatchReason[] | null): string {
  return (reasons ?? []).filter((r) => r.weight > 0).map((r) => r.text).join("; ");
}

/** Adds or updates one member, and scores it against its candidates. */
async function attachOne(state: ShopState, input: MemberInput): Promise<void> {
  const { tx, shop } = state;
  const { record, searchText } = toStoredRecord({ ...input.raw, id: input.memberKey }, state.country);
  const [existing] = await getMembers(tx, { shop, memberKeys: [input.memberKey] });
  if (existing && JSON.stringify(existing.record) === JSON.stringify(record)) return;
  const json = record as unknown as Prisma.InputJsonValue;
  if (existing) await updateMemberRecord(tx, { shop, memberKey: input.memberKey, record: json, searchText });
  else await createProfileWithMember(tx, { shop, memberKey: input.memberKey, memberKind: input.memberKind, record: json, searchText });
  state.members.delete(input.memberKey);
  const [row] = await getMembers(tx, { shop, memberKeys: [input.memberKey] });
  const me = state.toMember(row);
  await replaceIdentityKeys(tx, { shop, memberKey: me.memberKey, keys: me.keys.map(toKeyRow) });
  state.touched.add(me.memberKey);
  for (const k of me.keys) state.keyCount.delete(k);

  // A changed record may have lost keys it shared: re-derive its existing edges too.
  const previous = existing ? (await listPairsOf(tx, { shop, memberKeys: [me.memberKey] })).map((p) => (p.memberA === me.memberKey ? p.memberB : p.memberA)) : [];
  const candidates = new Set<string>(previous);
  const keyRows = me.keys.map(toKeyRow);
  const lists = await listMembersByKeys(tx, { shop, keys: keyRows, limit: OPTIONS.junk.maxRecordsPerIdentifier });
  for (const key of me.keys) {
    const row = toKeyRow(key);
    const list = lists.get(`${row.kind}|${row.value}`) ?? [];
    if (isDeterministic(key)) {
      if (state.junk.has(key)) continue;
      if (list.length >= 2) {
        const members = (await state.load(list)).sort((a, b) => (a.seq < b.seq ? -1 : 1));
        const verdict = getJunkVerdict(key, members.map((m) => m.norm), state.junkOptions);
        if (verdict) {
          state.junk.add(key);
          await insertDetectedJunk(tx, { shop, kind: row.kind, value: row.value, reason: verdict.text });
          // Pairs that met only through this identifier lose their edge.
          await reevaluateAmong(state, members.filter((m) => m.memberKey !== me.memberKey));
          continue;
        }
      }
    } else {
      state.keyCount.set(key, list.length);
      if (list.length > OPTIONS.maxBlockSize) {
        if (list.length === OPTIONS.maxBlockSize + 1) await reevaluateAmong(state, (await state.load(list)).filter((m) => m.memberKey !== me.memberKey));
        continue;
      }
    }
    for (const other of list) if (other !== me.memberKey) candidates.add(other);
  }
  const others = (await state.load([...candidates])).sort((a, b) => (a.seq < b.seq ? -1 : 1));
  for (const o of others) await evaluate(state, o, me);
}

async function reevaluateAmong(state: ShopState, members: Member[]): Promise<void> {
  const keys = new Set(members.map((m) => m.memberKey));
  const pairs = await listPairsOf(state.tx, { shop: state.shop, memberKeys: [...keys] });
  for (const p of pairs) {
    if (!keys.has(p.memberA) || !keys.has(p.memberB)) continue;
    const [a, b] = await state.load([p.memberA, p.memberB]);
    if (a && b) await evaluate(state, a, b);
  }
}

/** Re-derives the stored pair of two members from their shared live keys and their score. */
async function evaluate(state: ShopState, x: Member, y: Member): Promise<void> {
  const { tx, shop } = state;
  const [a, b] = x.seq < y.seq ? [x, y] : [y, x];
  const before = await getPair(tx, { shop, memberA: a.memberKey, memberB: b.memberKey });
  if (before && (before.status === "APPROVED" || before.status === "REJECTED")) return;
  const kb = new Set(b.keys);
  let shared = false;
  for (const k of a.keys) if (kb.has(k) && !(await state.isDead(k))) shared = true;
  let status: "AUTO_LINKED" | "CANNOT_LINK" | "REVIEW" | null = null;
  let s: ReturnType<typeof scorePair> | null = null;
  if (shared) {
    s = scorePair(a.norm, b.norm, { weights: OPTIONS.weights, isJunk: (k) => state.junk.has(k) }, true);
    if (s.deterministic) status = pairConflicts(s) ? "CANNOT_LINK" : "AUTO_LINKED";
    else if (s.score >= OPTIONS.thresholds.link) status = "AUTO_LINKED";
    else if (s.score >= OPTIONS.thresholds.review) status = "REVIEW";
  }
  if (status && s) {
    await upsertPair(tx, { shop, memberA: a.memberKey, memberB: b.memberKey, score: s.score, reasons: (s.reasons ?? []) as unknown as Prisma.InputJsonValue, status });
  } else if (before) {
    await deletePair(tx, { shop, memberA: a.memberKey, memberB: b.memberKey });
  }
  const wasEdge = before && before.status !== "REVIEW";
  const isEdge = status && status !== "REVIEW";
  if (wasEdge || isEdge) {
    state.touched.add(a.memberKey);
    state.touched.add(b.memberKey);
  }
}

/**
 * Greedy clustering of the region the touched members belong to (their profiles and everything
 * edge-connected to them), then profile ids: each cluster keeps the id most of its members had;
 * a cluster left without one gets a new profile (SPLIT), an emptied profile was MERGED.
 */
async function recluster(state: ShopState): Promise<void> {
  const { tx, shop } = state;
  if (state.touched.size === 0) return;
  const region = new Map<string, MemberRow>();
  const seenProfiles = new Set<string>();
  const pairs = new Map<string, { a: string; b: string; score: number; status: string; reasons: Prisma.JsonValue }>();
  const expanded = new Set<string>();
  let frontier = [...state.touched];
  while (frontier.length) {
    for (const r of await getMembers(tx, { shop, memberKeys: frontier.filter((k) => !region.has(k)) })) region.set(r.memberKey, r);
    const profiles = [...new Set(frontier.map((k) => region.get(k)?.profileId))].filter((p): p is string => !!p && !seenProfiles.has(p));
    for (const p of profiles) seenProfiles.add(p);
    for (const r of await listMembersOfProfiles(tx, { shop, profileIds: profiles })) if (!region.has(r.memberKey)) region.set(r.memberKey, r);
    const toExpand = [...region.keys()].filter((k) => !expanded.has(k));
    for (const k of toExpand) expanded.add(k);
    const next = new Set<string>();
    for (const p of await listPairsOf(tx, { shop, memberKeys: toExpand })) {
      if (p.status === "REVIEW") continue;
      pairs.set(`${p.memberA}\u0000${p.memberB}`, { a: p.memberA, b: p.memberB, score: p.score, status: p.status, reasons: p.reasons });
      for (const k of [p.memberA, p.memberB]) if (!region.has(k)) next.add(k);
    }
    frontier = [...next];
  }

  const members = [...region.values()].sort((x, y) => (x.seq < y.seq ? -1 : x.seq > y.seq ? 1 : 0));
  const local = new Map(members.map((m, i) => [m.memberKey, i]));
  const uf = new ConstrainedUnionFind(members.length);
  uf.grow(members.length);
  const links: Array<{ a: number; b: number; score: number; reasons: Prisma.JsonValue; status: string }> = [];
  for (const p of pairs.values()) {
    const a = local.get(p.a);
    const b = local.get(p.b);
    if (a === undefined || b === undefined) continue;
    const [lo, hi] = a < b ? [a, b] : [b, a];
    if (p.status === "CANNOT_LINK" || p.status === "REJECTED") uf.addCannotLink(lo, hi);
    else links.push({ a: lo, b: hi, score: p.status === "APPROVED" ? APPROVED_SCORE : p.score, reasons: p.reasons, status: p.status });
  }
  links.sort(compareLinks);
  const linkOf = new Map<number, (typeof links)[number]>();
  for (const e of links) {
    if (!uf.tryUnion(e.a, e.b)) continue;
    if (!linkOf.has(e.b)) linkOf.set(e.b, e);
    if (!linkOf.has(e.a)) linkOf.set(e.a, e);
  }

  const clusters = new Map<number, MemberRow[]>();
  members.forEach((m, i) => {
    const root = uf.find(i);
    const list = clusters.get(root);
    if (list) list.push(m);
    else clusters.set(root, [m]);
  });
  // Biggest clusters choose first, so a merge keeps the id most members already have.
  const ordered = [...clusters.values()].sort((x, y) => y.length - x.length || (x[0].seq < y[0].seq ? -1 : 1));
  const taken = new Set<string>();
  const affected = new Set<string>(members.map((m) => m.profileId));
  const pendingEvents: Array<{ from: string; to: string; keys: string[] }> = [];
  for (const cluster of ordered) {
    const votes = new Map<string, number>();
    for (const m of cluster) votes.set(m.profileId, (votes.get(m.profileId) ?? 0) + 1);
    const choice = [...votes.entries()].filter(([p]) => !taken.has(p)).sort((x, y) => y[1] - x[1])[0]?.[0];
    let target = choice;
    if (!target) {
      target = (await createProfile(tx, { shop })).id;
      affected.add(target);
    }
    taken.add(target);
    const movedFrom = new Map<string, string[]>();
    for (const m of cluster) {
      const i = local.get(m.memberKey) as number;
      const link = linkOf.get(i);
      const reasons = (link?.reasons ?? []) as unknown as MatchReason[];
      await setMemberProfile(tx, {
        shop,
        memberKey: m.memberKey,
        profileId: target,
        linkedBy: link ? (link.status === "APPROVED" ? ["MERCHANT_APPROVED"] : reasons.filter((r) => r.weight > 0).map((r) => r.code)) : [],
        linkScore: link ? link.score : null,
        linkReason: link ? (link.status === "APPROVED" ? "approved by the merchant" : reasonText(reasons)) : null,
      });
      if (m.profileId !== target) movedFrom.set(m.profileId, [...(movedFrom.get(m.profileId) ?? []), m.memberKey]);
    }
    for (const [from, keys] of movedFrom) pendingEvents.push({ from, to: target, keys });
  }
  for (const e of pendingEvents) {
    await recordProfileEvent(tx, { shop, kind: taken.has(e.from) ? "SPLIT" : "MERGED", fromProfileId: e.from, toProfileId: e.to, memberKeys: e.keys });
  }
  await refreshProfiles(tx, { shop, profileIds: [...affected] });
  for (const e of pendingEvents) {
    if (!taken.has(e.from)) await markProfileMerged(tx, { shop, profileId: e.from, into: e.to });
  }
  state.touched.clear();
}

/**
 * Runs identity work of one shop in a transaction under a per-shop advisory lock. Why not row
 * locks: the race to prevent is two jobs each inserting a new member with the same email, where
 * neither finds the other and both create a profile; rows that do not exist yet cannot be
 * locked, so the shop's identity work is serialized instead (other shops run in parallel).
 */
async function withShopIdentity<T>(shop: string, fn: (state: ShopState) => Promise<T>): Promise<T> {
  return prisma.$transaction(
    async (tx) => {
      await lockShopIdentity(tx, { shop });
      const country = (await getShop({ shop }))?.countryCode ?? "US";
      const junk = await listJunkIdentifiers(tx, { shop });
      const state = new ShopState(tx, shop, country, junk);
      const out = await fn(state);
      await recluster(state);
      return out;
    },
    { timeout: 120_000, maxWait: 60_000 },
  );
}

/** Attaches members (in the given order) and re-clusters what they touched. */
export async function attachMembers({ shop, members }: { shop: string; members: MemberInput[] }): Promise<void> {
  if (members.length === 0) return;
  await withShopIdentity(shop, async (state) => {
    for (const m of members) await attachOne(state, m);
  });
}

function toRaw(memberKey: string, r: { email: string | null; phone: string | null; firstName: string | null; lastName: string | null; address1: string | null; address2: string | null; city: string | null; province: string | null; zip: string | null; countryCode: string | null }): RawIdentityRecord {
  const raw: RawIdentityRecord = { id: memberKey };
  if (r.firstName) raw.first_name = r.firstName;
  if (r.lastName) raw.last_name = r.lastName;
  if (r.email) raw.email = r.email;
  if (r.phone) raw.phone = r.phone;
  if (r.address1) raw.address1 = r.address1;
  if (r.address2) raw.address2 = r.address2;
  if (r.city) raw.city = r.city;
  if (r.province) raw.province = r.province;
  if (r.zip) raw.postcode = r.zip;
  if (r.countryCode) raw.country = r.countryCode;
  return raw;
}

/** order-stored step: guest/POS orders become members; orders with a customer attach through it. */
export async function attachStoredOrders({ shop, orderGids }: { shop: string; orderGids: string[] }): Promise<void> {
  const orders = (await listOrdersForAttach(prisma, { shop, orderGids })).sort((a, b) => (a.orderGid < b.orderGid ? -1 : 1));
  const customerGids = [...new Set(orders.map((o) => o.customerGid).filter((g): g is string => !!g))];
  const customers = new Map((await listCustomersForAttach(prisma, { shop, customerGids })).map((c) => [c.customerGid, c]));
  const known = new Set((await getMembers(prisma, { shop, memberKeys: customerGids })).map((m) => m.memberKey));
  const inputs: MemberInput[] = [];
  // Counters change with every stored order (a refund, a cancellation) even when no identity does.
  const refresh = new Set<string>();
  for (const o of orders) {
    refresh.add(o.customerGid ?? o.orderGid);
    if (!o.customerGid) inputs.push({ memberKey: o.orderGid, memberKind: "ORDER", raw: toRaw(o.orderGid, o) });
    else if (!known.has(o.customerGid)) {
      known.add(o.customerGid);
      const c = customers.get(o.customerGid);
      inputs.push({ memberKey: o.customerGid, memberKind: "CUSTOMER", raw: toRaw(o.customerGid, c ?? o) });
    }
  }
  await withShopIdentity(shop, async (state) => {
    for (const m of inputs) await attachOne(state, m);
    await recluster(state);
    const rows = await getMembers(state.tx, { shop, memberKeys: [...refresh] });
    await refreshProfiles(state.tx, { shop, profileIds: [...new Set(rows.map((r) => r.profileId))] });
  });
}

/** customer-stored step: new or changed customers become (or update) members. */
export async function attachStoredCustomers({ shop, customerGids }: { shop: string; customerGids: string[] }): Promise<void> {
  const customers = (await listCustomersForAttach(prisma, { shop, customerGids })).sort((a, b) => (a.customerGid < b.customerGid ? -1 : 1));
  await attachMembers({ shop, members: customers.map((c) => ({ memberKey: c.customerGid, memberKind: "CUSTOMER" as const, raw: toRaw(c.customerGid, c) })) });
}

/**
 * Moves a member out of its profile: REJECTED pairs with every other member (so matching never
 * puts it back) and re-clustering, which gives it its own profile (a SPLIT event).
 */
export async function splitMember({ shop, profileId, memberKey, decidedBy }: { shop: string; profileId: string; memberKey: string; decidedBy: string | null }): Promise<boolean> {
  return withShopIdentity(shop, async (state) => {
    const [me] = await getMembers(state.tx, { shop, memberKeys: [memberKey] });
    if (!me || me.profileId !== profileId) return false;
    const others = (await listMembersOfProfiles(state.tx, { shop, profileIds: [profileId] })).filter((m) => m.memberKey !== memberKey);
    for (const o of others) {
      const [a, b] = o.seq < me.seq ? [o, me] : [me, o];
      await decidePair(state.tx, { shop, memberA: a.memberKey, memberB: b.memberKey, status: "REJECTED", decidedBy });
    }
    state.touched.add(memberKey);
    for (const o of others) state.touched.add(o.memberKey);
    return true;
  });
}

/** Merchant decision on a review pair. */
export async function decideReviewPair(
  { shop, memberA, memberB, decision, decidedBy }: { shop: string; memberA: string; memberB: string; decision: "APPROVED" | "REJECTED"; decidedBy: string | null },
): Promise<boolean> {
  return withShopIdentity(shop, async (state) => {
    const pair = await getPair(state.tx, { shop, memberA, memberB });
    if (!pair) return false;
    await decidePair(state.tx, { shop, memberA, memberB, status: decision, decidedBy });
    state.touched.add(memberA);
    state.touched.add(memberB);
    return true;
  });
}

/**
 * Merchant adds (active) or removes a junk identifier. Pairs that share it are re-derived:
 * adding it unlinks them, removing it lets them link again.
 */
export async function setJunkIdentifier(
  { shop, kind, raw, active }: { shop: string; kind: "EMAIL" | "PHONE"; raw: string; active: boolean },
): Promise<boolean> {
  const country = (await getShop({ shop }))?.countryCode ?? "US";
  const value = kind === "EMAIL" ? normalizeEmail(raw)?.value : normalizePhone(raw, country)?.value;
  if (!value || (kind === "PHONE" && !normalizePhone(raw, country)?.valid)) return false;
  await withShopIdentity(shop, async (state) => {
    await setMerchantJunk(state.tx, { shop, kind, value, active });
    const key = fromKeyRow(kind, value);
    if (active) state.junk.add(key);
    else state.junk.delete(key);
    const lists = await listMembersByKeys(state.tx, { shop, keys: [{ kind, value }], limit: OPTIONS.junk.maxRecordsPerIdentifier });
    const members = await state.load(lists.get(`${kind}|${value}`) ?? []);
    for (let i = 0; i < members.length; i++) for (let j = i + 1; j < members.length; j++) await evaluate(state, members[i], members[j]);
  });
  return true;
}
