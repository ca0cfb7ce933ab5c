/**
 * Incremental identity resolution against the database: each new or changed Shopify customer and
 * each guest/POS order becomes a profile member, is compared with the members sharing one of its
 * keys (IdentityKey lookups), and the link-connected region it touches is re-clustered with the
 * same greedy, cannot-link-respecting rule as the batch resolver (app/domain/identity/resolve.ts),
 * so the stored profiles equal what batch resolution gives on the same records in arrival order.
 *
 * Cost: an attach runs on a plain pg transaction (named statements) in few round trips: begin +
 * the shop lock; one read of the shop's country and junk identifiers, the member and every
 * member sharing one of its keys; one write of the new member with its profile, keys, CREATED
 * event and pairs; then, only when it linked someone, one read of the region and one write of
 * the re-clustering; last the profiles' counters (with merged profiles marked). Everything is
 * looked up by index (see bench/identity-incremental.ts for the measured cost at 1M profiles).
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { IdentityKeyKind, MatchStatus, MemberKind, Prisma } from "@prisma/client";
import prisma, { pool } from "../db.server";
import { refreshStaleStatisticsSoon } from "../models/statistics.server";
import { enqueueJob } from "../jobs/queue.server";
import {
  countProfileMembers,
  finishIdentityRekey,
  getIdentityKeysVersion,
  getIdentityRekeyState,
  listMembersWithKeys,
  listShopsWithStaleIdentityKeys,
  saveIdentityRekeyPage,
  setIdentityKeysVersionIfNoMembers,
} from "../models/identity-keys.server";
import {
  ConstrainedUnionFind,
  emptyTraits,
  traitsOfRecord,
  DEFAULT_RESOLVE_OPTIONS,
  compareLinks,
  getBlockingKeys,
  getDeterministicKeys,
  getJunkVerdict,
  IDENTITY_KEYS_VERSION,
  isContestedIdentifier,
  MIN_SUPPORT_TO_OVERRULE_CONFLICT,
  normalizeEmail,
  normalizeIdentityRecord,
  normalizePhone,
  pairConflicts,
  scorePair,
  fromKeyRow,
  isDeterministicKey,
  toKeyRow,
  toStoredRecord,
  NormalizationContext,
  type JunkOptions,
  type MatchReason,
  type NormalizedIdentityRecord,
  type RawIdentityRecord,
  type ResolveOptions,
} from "../domain/identity";
import {
  applyClustering,
  decidePair,
  getMembers,
  insertMemberWithProfile,
  insertMembersWithProfiles,
  loadBatchAttachContext,
  loadAttachContext,
  loadRegion,
  writePairs,
  type PairRow,
  getPair,
  insertDetectedJunk,
  listCustomersForAttach,
  getShopCountry,
  listJunkKeys,
  listMembersByKeys,
  listMembersOfProfiles,
  listOrdersForAttach,
  listPairsOf,
  refreshProfiles,
  replaceIdentityKeys,
  setMerchantJunk,
  updateMemberRecord,
  pgSql,
  type PgSql,
  shopIdentityLockName,
  type MemberRow,
  type RegionMember,
  type Sql,
} from "../models/profile.server";

type Tx = Sql;

/** A member to attach: its key, kind and the identity fields it carries. */
export interface MemberInput {
  memberKey: string;
  memberKind: MemberKind;
  raw: RawIdentityRecord;
}

const OPTIONS: ResolveOptions = DEFAULT_RESOLVE_OPTIONS;
/** A merchant approval outranks any computed score. */
const APPROVED_SCORE = 1000;

const isDeterministic = isDeterministicKey;

/**
 * Country of each shop as last read under its lock. The attach path normalizes phones with it
 * before its one read, and that read returns the stored country: a mismatch (first call, a
 * changed country) normalizes again and reads again, so a stale value costs time, never results.
 */
const countryOf = new Map<string, string>();

/**
 * Each shop's junk identifiers as this process last read them, with their version (Shop.junkVersion,
 * changed by a trigger with every write to them): the attach's read sends them again only when
 * the version moved (72 of them, sent as JSON, were a tenth of the read). Bounded: the shop read
 * longest ago is forgotten first.
 */
const junkOf = new Map<string, { version: string; rows: JunkRow[] }>();
const MAX_SHOPS_WITH_JUNK_KEPT = 1000;

/** The shop's junk identifiers after an attach read: sent with it, or this process's copy. */
async function junkAfterRead(tx: Tx, shop: string, found: { junk: JunkRow[] | null; junkVersion: string | null }): Promise<JunkRow[]> {
  if (found.junk) {
    junkOf.delete(shop);
    if (found.junkVersion !== null) junkOf.set(shop, { version: found.junkVersion, rows: found.junk });
    if (junkOf.size > MAX_SHOPS_WITH_JUNK_KEPT) junkOf.delete(junkOf.keys().next().value as string);
    return found.junk;
  }
  const kept = junkOf.get(shop);
  if (kept && kept.version === found.junkVersion) return kept.rows;
  // Another transaction of this process replaced the copy meanwhile: read them.
  return listJunkKeys(tx, { shop });
}

/**
 * Normalization caches per country, shared by transactions (normalizing is a pure function of
 * the record; the caches only save repeated work on common names). Renewed now and then so a
 * long-running worker's memory stays bounded.
 */
const contexts = new Map<string, { ctx: NormalizationContext; uses: number }>();
function sharedContext(country: string): NormalizationContext {
  let entry = contexts.get(country);
  if (!entry || entry.uses >= 20_000) contexts.set(country, (entry = { ctx: new NormalizationContext(country), uses: 0 }));
  entry.uses++;
  return entry.ctx;
}

type Member = { memberKey: string; seq: bigint; profileId: string; norm: NormalizedIdentityRecord; keys: string[] };
type JunkRow = { kind: IdentityKeyKind; value: string; active: boolean; source: string };
type PairState = { status: PairRow["status"] } | null;

const pairKey = (a: string, b: string) => `${a}\u0000${b}`;
const bySeq = (a: { seq: bigint }, b: { seq: bigint }) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0);

/**
 * What one transaction knows: loaded members, key sizes, junk identifiers, touched members, and
 * the pairs it has decided, which are written in one statement before anything reads pairs again.
 */
class ShopState {
  readonly members = new Map<string, Member>();
  readonly keyCount = new Map<string, number>();
  readonly junk = new Set<string>();
  /** Identifiers known (in this transaction) to be, or not to be, a household's: see isContested. */
  readonly contested = new Map<string, boolean>();
  readonly touched = new Set<string>();
  /** Members created in this transaction: they had no pairs before it. */
  readonly created = new Set<string>();
  /** Pair status as this transaction left it (written or pending); absent means unknown. */
  readonly pairs = new Map<string, PairState>();
  private readonly pendingUpserts = new Map<string, { memberA: string; memberB: string; score: number; reasons: Prisma.InputJsonValue; status: MatchStatus }>();
  private readonly pendingDeletes = new Map<string, { memberA: string; memberB: string }>();
  /**
   * Batch mode (attaching many members in one transaction): what one read returned for all of
   * them, the members created since (by key), and the new members not yet written. Each member
   * sees what a read of its own would have returned at its turn: the stored members under its
   * keys plus the ones created before it in this transaction.
   */
  batch: { hits: Map<string, string[]>; seqs: bigint[]; next: number; existing: Map<string, MemberRow>; prepared: Map<string, PreparedMember> } | null = null;
  readonly createdByKey = new Map<string, string[]>();
  private pendingMembers: Parameters<typeof insertMembersWithProfiles>[1]["members"] = [];
  /** Members whose profiles' counters must be recomputed with the next profile refresh. */
  readonly refresh = new Set<string>();
  junkOptions: JunkOptions = OPTIONS.junk;
  country = "US";
  ctx = new NormalizationContext("US");
  initialized = false;
  reclustered = false;

  constructor(readonly tx: Tx, readonly shop: string) {}

  init(country: string, junkRows: JunkRow[]): void {
    this.country = country;
    countryOf.set(this.shop, country);
    this.ctx = sharedContext(country);
    const add = new Set<string>();
    const remove = new Set<string>();
    for (const j of junkRows) {
      const key = fromKeyRow(j.kind, j.value);
      if (j.active) this.junk.add(key);
      if (j.source === "MERCHANT") (j.active ? add : remove).add(key);
    }
    this.junkOptions = { ...OPTIONS.junk, add, remove };
    this.initialized = true;
  }

  takeRefresh(): string[] {
    const keys = [...this.refresh];
    this.refresh.clear();
    return keys;
  }

  async ensureInit(): Promise<void> {
    if (this.initialized) return;
    const country = (await getShopCountry(this.tx, { shop: this.shop })) ?? "US";
    this.init(country, await listJunkKeys(this.tx, { shop: this.shop }));
  }

  toMember(row: MemberRow): Member {
    const norm = normalizeIdentityRecord(row.record as unknown as RawIdentityRecord, this.ctx);
    const m: Member = { memberKey: row.memberKey, seq: row.seq, profileId: row.profileId, norm, keys: keysOf(norm) };
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
      await this.flushMembers();
      const lists = await listMembersByKeys(this.tx, { shop: this.shop, keys: [toKeyRow(key)], limit: OPTIONS.maxBlockSize });
      n = lists.get(`BLOCK|${key}`)?.length ?? 0;
      this.keyCount.set(key, n);
    }
    return n > OPTIONS.maxBlockSize;
  }

  /**
   * Whether the holders of an identifier (email or phone) carry two clearly different first names,
   * as batch resolution decides it on the records sharing it in arrival order. Only asked for a
   * pair where one side has no name (isContested is what makes that pair's identifier no evidence).
   */
  async isContested(key: string): Promise<boolean> {
    let contested = this.contested.get(key);
    if (contested === undefined) {
      await this.flushMembers();
      const row = toKeyRow(key);
      const lists = await listMembersByKeys(this.tx, { shop: this.shop, keys: [row], limit: OPTIONS.junk.maxRecordsPerIdentifier });
      const holders = new Set(lists.get(`${row.kind}|${row.value}`) ?? []);
      // A member created in this transaction may not be written yet.
      for (const k of this.created) if (this.members.get(k)?.keys.includes(key)) holders.add(k);
      const members = (await this.load([...holders])).sort(bySeq);
      contested = isContestedIdentifier(members.map((m) => m.norm));
      this.contested.set(key, contested);
    }
    return contested;
  }

  async getPair(a: string, b: string): Promise<PairState> {
    const id = pairKey(a, b);
    const known = this.pairs.get(id);
    if (known !== undefined) return known;
    if (this.created.has(a) || this.created.has(b)) return null;
    const row = await getPair(this.tx, { shop: this.shop, memberA: a, memberB: b });
    const state = row ? { status: row.status } : null;
    this.pairs.set(id, state);
    return state;
  }

  putPair(p: { memberA: string; memberB: string; score: number; reasons: Prisma.InputJsonValue; status: MatchStatus }): void {
    const id = pairKey(p.memberA, p.memberB);
    this.pendingDeletes.delete(id);
    this.pendingUpserts.set(id, p);
    this.pairs.set(id, { status: p.status });
  }

  dropPair(a: string, b: string): void {
    const id = pairKey(a, b);
    this.pendingUpserts.delete(id);
    this.pendingDeletes.set(id, { memberA: a, memberB: b });
    this.pairs.set(id, null);
  }

  /** Removes and returns the pending upserts involving a member (to write them with it). */
  takePairsOf(memberKey: string) {
    const out = [];
    for (const [id, p] of this.pendingUpserts) {
      if (p.memberA !== memberKey && p.memberB !== memberKey) continue;
      out.push(p);
      this.pendingUpserts.delete(id);
    }
    return out;
  }

  /** A new member to write with the next flush (batch mode). */
  addPendingMember(member: Parameters<typeof insertMembersWithProfiles>[1]["members"][number]): void {
    this.pendingMembers.push(member);
    for (const key of member.keys) {
      const id = `${key.kind}|${key.value}`;
      const list = this.createdByKey.get(id);
      if (list) list.push(member.memberKey);
      else this.createdByKey.set(id, [member.memberKey]);
    }
  }

  /** Writes the new members of batch mode; call before any read that must see them. */
  async flushMembers(): Promise<void> {
    if (this.pendingMembers.length === 0) return;
    const members = this.pendingMembers;
    this.pendingMembers = [];
    await insertMembersWithProfiles(this.tx, { shop: this.shop, members });
  }

  /** Leaves batch mode: what follows reads (and writes) member by member. */
  async endBatch(): Promise<void> {
    this.batch = null;
    await this.flushPairs();
  }

  /** Writes the pending pair decisions (and members); call before any read of MatchPair. */
  async flushPairs(): Promise<void> {
    await this.flushMembers();
    if (this.pendingUpserts.size === 0 && this.pendingDeletes.size === 0) return;
    await writePairs(this.tx, { shop: this.shop, upserts: [...this.pendingUpserts.values()], deletes: [...this.pendingDeletes.values()] });
    this.pendingUpserts.clear();
    this.pendingDeletes.clear();
  }

  /** Reads the stored pairs among these members (in arrival order) in one statement; the others are then known absent. */
  async loadPairsAmong(members: Member[]): Promise<void> {
    await this.listPairsOf(members.map((m) => m.memberKey));
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        const id = pairKey(members[i].memberKey, members[j].memberKey);
        if (!this.pairs.has(id)) this.pairs.set(id, null);
      }
    }
  }

  async listPairsOf(memberKeys: string[]) {
    await this.flushPairs();
    const rows = await listPairsOf(this.tx, { shop: this.shop, memberKeys });
    for (const p of rows) this.pairs.set(pairKey(p.memberA, p.memberB), { status: p.status });
    return rows;
  }
}

function reasonText(reasons: MatchReason[] | null): string {
  return (reasons ?? []).filter((r) => r.weight > 0).map((r) => r.text).join("; ");
}

/** Key order does not make a record different (jsonb stores keys in its own order). */
function sameRecord(a: unknown, b: unknown): boolean {
  const canon = (x: unknown) => JSON.stringify(Object.entries((x ?? {}) as Record<string, unknown>).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0)));
  return canon(a) === canon(b);
}

type PreparedMember = { stored: ReturnType<typeof toStoredRecord>; norm: NormalizedIdentityRecord; keys: string[] };

/** Every key a record is found by: deterministic identifiers and blocking keys, once each. */
function keysOf(norm: NormalizedIdentityRecord): string[] {
  return [...new Set([...getDeterministicKeys(norm), ...getBlockingKeys(norm)])];
}

/** A member's stored record (normalized for the shop's country) and its identity keys. */
function prepareMember(input: MemberInput, country: string, ctx: NormalizationContext): PreparedMember {
  const stored = toStoredRecord({ ...input.raw, id: input.memberKey }, country);
  const norm = normalizeIdentityRecord(stored.record, ctx);
  return { stored, norm, keys: keysOf(norm) };
}

/** Adds or updates one member, and scores it against its candidates. */
async function attachOne(state: ShopState, input: MemberInput): Promise<void> {
  const { tx, shop } = state;
  let country = state.initialized ? state.country : (countryOf.get(shop) ?? "US");
  let ctx = state.initialized ? state.ctx : sharedContext(country);
  // Batch mode prepared it already, with the shop's country.
  let { stored, norm, keys } = state.batch?.prepared.get(input.memberKey) ?? prepareMember(input, country, ctx);
  const read = () =>
    loadAttachContext(tx, {
      shop, memberKey: input.memberKey, keys: keys.map((k) => ({ ...toKeyRow(k), rows: true })),
      limit: OPTIONS.junk.maxRecordsPerIdentifier, blockLimit: OPTIONS.maxBlockSize, withShop: !state.initialized,
      knownJunkVersion: junkOf.get(shop)?.version ?? null,
    });
  const pre = state.batch;
  let found: Awaited<ReturnType<typeof read>>;
  if (pre && state.initialized) {
    const existing = pre.existing.get(input.memberKey) ?? null;
    if (existing && !sameRecord(existing.record, stored.record)) {
      // A stored member changes its keys: later members must read what it leaves in the database.
      await state.endBatch();
      found = await read();
    } else {
      const hits = new Map<string, string[]>();
      for (const key of keys) {
        const row = toKeyRow(key);
        const id = `${row.kind}|${row.value}`;
        const cap = row.kind === "BLOCK" ? OPTIONS.maxBlockSize + 1 : OPTIONS.junk.maxRecordsPerIdentifier;
        const list = [...new Set([...(pre.hits.get(id) ?? []), ...(state.createdByKey.get(id) ?? [])])].filter((k) => k !== input.memberKey);
        hits.set(id, list.slice(0, cap));
      }
      found = { country: null, junk: null, junkVersion: null, existing, hits, rows: [], nextSeq: pre.seqs[pre.next++] };
    }
  } else found = await read();
  if (!state.initialized) {
    state.init(found.country ?? "US", await junkAfterRead(tx, shop, found));
    if (state.country !== country) {
      country = state.country;
      ctx = state.ctx;
      ({ stored, norm, keys } = prepareMember(input, country, ctx));
      found = await read();
    }
  }
  const { record, searchText } = stored;
  const existing = found.existing;
  if (existing && sameRecord(existing.record, record)) return;
  const json = record as unknown as Prisma.InputJsonValue;
  if (existing) return updateOne(state, input, existing, record as unknown as Prisma.InputJsonValue, searchText);

  // A new member: it is compared with its candidates first, then written with its pairs in one
  // statement. It arrives last (its number was drawn by the read), as the batch order requires.
  const me: Member = { memberKey: input.memberKey, seq: found.nextSeq, profileId: randomUUID(), norm, keys };
  state.members.set(me.memberKey, me);
  state.created.add(me.memberKey);
  state.touched.add(me.memberKey);
  for (const row of found.rows) if (!state.members.has(row.memberKey)) state.toMember(row);

  const candidates = new Set<string>();
  for (const key of keys) {
    const row = toKeyRow(key);
    // The lists hold the other members; the member itself holds every one of its keys too.
    const list = [...(found.hits.get(`${row.kind}|${row.value}`) ?? []), me.memberKey];
    if (!(await considerKey(state, me, key, list))) continue;
    for (const other of list) if (other !== me.memberKey) candidates.add(other);
  }
  const others = (await state.load([...candidates])).sort((a, b) => (a.seq < b.seq ? -1 : 1));
  for (const o of others) await evaluate(state, o, me);
  if (state.batch) {
    // Written with the batch's other new members; its pairs with the pair writes.
    state.addPendingMember({ profileId: me.profileId, memberKey: me.memberKey, seq: me.seq, memberKind: input.memberKind, record: json, searchText, keys: keys.map(toKeyRow) });
    return;
  }
  await insertMemberWithProfile(tx, {
    shop, profileId: me.profileId, memberKey: me.memberKey, seq: me.seq, memberKind: input.memberKind, record: json, searchText,
    keys: keys.map(toKeyRow), pairs: state.takePairsOf(me.memberKey),
  });
}

/**
 * Applies what one key's member list says (junk verdicts, oversized blocks) and tells whether
 * its members are candidates of `me`.
 */
async function considerKey(state: ShopState, me: Member, key: string, list: string[]): Promise<boolean> {
  const row = toKeyRow(key);
  if (isDeterministic(key)) {
    if (state.junk.has(key)) return false;
    if (list.length >= 2) {
      const members = (await state.load(list)).sort((a, b) => (a.seq < b.seq ? -1 : 1));
      const verdict = getJunkVerdict(key, members.map((m) => m.norm), state.junkOptions);
      if (verdict) {
        state.junk.add(key);
        // A junk identifier leaves its members' cluster traits: their clusters are re-decided.
        for (const m of members) state.touched.add(m.memberKey);
        await insertDetectedJunk(state.tx, { shop: state.shop, kind: row.kind, value: row.value, reason: verdict.text });
        // Pairs that met only through this identifier lose their edge; a junk phone is no
        // evidence one digit off either, so its members' links to anyone else are re-derived too.
        await reevaluatePairsOf(state, members.filter((m) => m.memberKey !== me.memberKey), { outsiders: row.kind === "PHONE" });
        return false;
      }
      if (row.kind !== "EXTERNAL") {
        const contested = isContestedIdentifier(members.map((m) => m.norm));
        const before = state.contested.get(key);
        state.contested.set(key, contested);
        // Newly a household's: a nameless holder's pairs through it lose that evidence (batch
        // decides on all holders; the verdict, like junk, only moves one way as records arrive).
        const others = members.filter((m) => m.memberKey !== me.memberKey);
        if (contested && before !== true && others.some((m) => !m.norm.first) && !isContestedIdentifier(others.map((m) => m.norm))) {
          await reevaluatePairsOf(state, others, { outsiders: false });
        }
      }
    } else if (row.kind !== "EXTERNAL") state.contested.set(key, false);
    return true;
  }
  state.keyCount.set(key, list.length);
  if (list.length > OPTIONS.maxBlockSize) {
    if (list.length === OPTIONS.maxBlockSize + 1) await reevaluatePairsOf(state, (await state.load(list)).filter((m) => m.memberKey !== me.memberKey), { outsiders: false });
    return false;
  }
  return true;
}

/** A stored member whose record changed: new keys, and its old and new candidates re-scored. */
async function updateOne(state: ShopState, input: MemberInput, existing: MemberRow, record: Prisma.InputJsonValue, searchText: string): Promise<void> {
  await updateMemberRecord(state.tx, { shop: state.shop, memberKey: input.memberKey, record, searchText });
  state.members.delete(input.memberKey);
  await rekeyMember(state, state.toMember({ ...existing, record: record as Prisma.JsonValue }));
}

/**
 * Stores the keys the code derives now from a member's record, and re-derives its pairs: the ones
 * it had (it may have lost the key they shared) and those with its candidates under the new keys.
 */
async function rekeyMember(state: ShopState, me: Member): Promise<void> {
  const left = await replaceIdentityKeys(state.tx, { shop: state.shop, memberKey: me.memberKey, keys: me.keys.map(toKeyRow) });
  for (const k of me.keys) state.keyCount.delete(k);
  await reviveBlocks(state, left.filter((k) => k.kind === "BLOCK").map((k) => k.value));
  await reevaluateMember(state, me);
}

/**
 * Blocking keys a member left: one it leaves with maxBlockSize holders had one too many, so it was
 * dead and links again now (batch compares every pair of a block that size). Its holders' pairs
 * are derived again, as considerKey re-derives them when a block goes over (a record update that
 * drops a key; a member re-keyed after others counted it under a key of older code).
 */
async function reviveBlocks(state: ShopState, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await state.flushMembers();
  const lists = await listMembersByKeys(state.tx, { shop: state.shop, keys: keys.map((value) => ({ kind: "BLOCK" as const, value })), limit: OPTIONS.maxBlockSize });
  for (const key of keys) {
    const holders = lists.get(`BLOCK|${key}`) ?? [];
    state.keyCount.set(key, holders.length);
    if (holders.length !== OPTIONS.maxBlockSize) continue;
    const members = (await state.load(holders)).sort(bySeq);
    await state.loadPairsAmong(members);
    for (let i = 0; i < members.length; i++) for (let j = i + 1; j < members.length; j++) await evaluate(state, members[i], members[j]);
  }
}

/** Re-derives a member's stored pairs and its pairs with every candidate under its keys. */
async function reevaluateMember(state: ShopState, me: Member): Promise<void> {
  const { tx, shop } = state;
  state.touched.add(me.memberKey);

  // A changed record may have lost keys it shared: re-derive its existing edges too.
  const previous = (await state.listPairsOf([me.memberKey])).map((p) => (p.memberA === me.memberKey ? p.memberB : p.memberA));
  const candidates = new Set<string>(previous);
  const lists = await listMembersByKeys(tx, { shop, keys: me.keys.map(toKeyRow), limit: OPTIONS.junk.maxRecordsPerIdentifier });
  for (const key of me.keys) {
    const row = toKeyRow(key);
    const list = lists.get(`${row.kind}|${row.value}`) ?? [];
    if (!(await considerKey(state, me, key, list))) continue;
    for (const other of list) if (other !== me.memberKey) candidates.add(other);
  }
  const others = (await state.load([...candidates])).sort((a, b) => (a.seq < b.seq ? -1 : 1));
  for (const o of others) await evaluate(state, o, me);
}

/**
 * Re-derives the stored pairs among these members, and with `outsiders` every other stored pair of
 * theirs as well (what the in-memory index does for a junk phone's records: see reevaluateEdgesOf).
 */
async function reevaluatePairsOf(state: ShopState, members: Member[], { outsiders }: { outsiders: boolean }): Promise<void> {
  const keys = new Set(members.map((m) => m.memberKey));
  const pairs = (await state.listPairsOf([...keys])).filter((p) => outsiders || (keys.has(p.memberA) && keys.has(p.memberB)));
  // The outsiders' rows in one read.
  await state.load([...new Set(pairs.flatMap((p) => [p.memberA, p.memberB]))]);
  for (const p of pairs) {
    const [a, b] = await state.load([p.memberA, p.memberB]);
    if (a && b) await evaluate(state, a, b);
  }
}

/** Re-derives the stored pair of two members from their shared live keys and their score. */
async function evaluate(state: ShopState, x: Member, y: Member): Promise<void> {
  const [a, b] = x.seq < y.seq ? [x, y] : [y, x];
  const before = await state.getPair(a.memberKey, b.memberKey);
  if (before && (before.status === "APPROVED" || before.status === "REJECTED")) return;
  const kb = new Set(b.keys);
  let shared = false;
  for (const k of a.keys) if (kb.has(k) && !(await state.isDead(k))) shared = true;
  let status: "AUTO_LINKED" | "CANNOT_LINK" | "REVIEW" | null = null;
  let s: ReturnType<typeof scorePair> | null = null;
  if (shared) {
    // An identifier of a household is no evidence for a record without a name (as in batch).
    const contested = !a.norm.first || !b.norm.first ? await contestedSharedKeys(state, a, b) : null;
    s = scorePair(a.norm, b.norm, { weights: OPTIONS.weights, isJunk: (k) => state.junk.has(k), isContested: (k) => contested?.has(k) ?? false }, true);
    if (s.deterministic) status = pairConflicts(s) ? "CANNOT_LINK" : "AUTO_LINKED";
    else if (s.score >= OPTIONS.thresholds.link) status = "AUTO_LINKED";
    else if (s.score >= OPTIONS.thresholds.review) status = "REVIEW";
  }
  if (status && s) {
    state.putPair({ memberA: a.memberKey, memberB: b.memberKey, score: s.score, reasons: (s.reasons ?? []) as unknown as Prisma.InputJsonValue, status });
  } else if (before) {
    state.dropPair(a.memberKey, b.memberKey);
  }
  const wasEdge = before && before.status !== "REVIEW";
  const isEdge = status && status !== "REVIEW";
  if (wasEdge || isEdge) {
    state.touched.add(a.memberKey);
    state.touched.add(b.memberKey);
  }
}

/** The email and phone two members share that are a household's (see ShopState.isContested). */
async function contestedSharedKeys(state: ShopState, a: Member, b: Member): Promise<Set<string>> {
  const out = new Set<string>();
  const shared = [a.norm.email && a.norm.email === b.norm.email ? `e:${a.norm.email}` : null, a.norm.phone && a.norm.phone === b.norm.phone ? `p:${a.norm.phone}` : null];
  for (const key of shared) if (key && !state.junk.has(key) && (await state.isContested(key))) out.add(key);
  return out;
}

/**
 * Greedy clustering of the region the touched members belong to (their profiles and everything
 * edge-connected to them), then profile ids: each cluster keeps the id most of its members had;
 * a cluster left without one gets a new profile (SPLIT), an emptied profile was MERGED.
 */
async function recluster(state: ShopState): Promise<void> {
  const { tx, shop } = state;
  await state.flushPairs();
  if (state.touched.size === 0) return;
  const [only] = state.touched;
  if (state.touched.size === 1 && state.created.has(only) && !state.reclustered) {
    // A member created in this transaction that linked nobody: alone in the profile it was
    // created with, already stored unlinked; only the profile's counters are left to compute.
    state.touched.clear();
    state.reclustered = true;
    await refreshProfiles(tx, { shop, profileIds: [(state.members.get(only) as Member).profileId], memberKeys: state.takeRefresh() });
    return;
  }
  state.reclustered = true;
  const region = await loadRegion(tx, { shop, memberKeys: [...state.touched] });
  const members = region.members.sort((x, y) => (x.seq < y.seq ? -1 : x.seq > y.seq ? 1 : 0));
  const local = new Map(members.map((m, i) => [m.memberKey, i]));
  // Cluster traits (phones, emails, postcodes, birth dates, names) as batch clustering sees them.
  const normOf = new Map(members.map((m) => [m.memberKey, (state.members.get(m.memberKey) ?? state.toMember(m)).norm]));
  const isJunkValue = (kind: "e" | "p", v: string) => state.junk.has(`${kind}:${v}`);
  const uf = new ConstrainedUnionFind(members.length, (i) => {
    const norm = normOf.get(members[i].memberKey);
    return norm ? traitsOfRecord(norm, isJunkValue) : emptyTraits();
  });
  uf.grow(members.length);
  const links: Array<{ a: number; b: number; score: number; reasons: Prisma.JsonValue; status: string }> = [];
  const conflicts: Array<[number, number]> = [];
  const linked = new Map<number, Set<number>>();
  const link = (x: number, y: number) => (linked.get(x) ?? linked.set(x, new Set()).get(x) as Set<number>).add(y);
  for (const p of region.pairs) {
    const a = local.get(p.memberA);
    const b = local.get(p.memberB);
    if (a === undefined || b === undefined) continue;
    const [lo, hi] = a < b ? [a, b] : [b, a];
    if (p.status === "REJECTED") uf.addCannotLink(lo, hi);
    else if (p.status === "CANNOT_LINK") conflicts.push([lo, hi]);
    else {
      links.push({ a: lo, b: hi, score: p.status === "APPROVED" ? APPROVED_SCORE : p.score, reasons: p.reasons, status: p.status });
      link(lo, hi);
      link(hi, lo);
    }
  }
  // As in batch: a name conflict on a shared identifier is overruled by two members linked to
  // both sides (a cross-script typo among her other records); a merchant's rejection never is.
  for (const [a, b] of conflicts) {
    let common = 0;
    const nb = linked.get(b);
    if (nb) for (const x of linked.get(a) ?? []) if (nb.has(x)) common++;
    if (common < MIN_SUPPORT_TO_OVERRULE_CONFLICT) uf.addCannotLink(a, b);
  }
  links.sort(compareLinks);
  const linkOf = new Map<number, (typeof links)[number]>();
  for (const e of links) {
    // A merchant's approval joins clusters whatever their traits say.
    if (!uf.tryUnion(e.a, e.b, e.status === "APPROVED")) continue;
    if (!linkOf.has(e.b)) linkOf.set(e.b, e);
    if (!linkOf.has(e.a)) linkOf.set(e.a, e);
  }

  const clusters = new Map<number, RegionMember[]>();
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
  const newProfiles: string[] = [];
  const updates: Array<{ memberKey: string; profileId: string; linkedBy: string[]; linkScore: number | null; linkReason: string | null }> = [];
  const events: Array<{ kind: "MERGED" | "SPLIT"; fromProfileId: string; toProfileId: string; memberKeys: string[] }> = [];
  const moves: Array<{ from: string; to: string; keys: string[] }> = [];
  for (const cluster of ordered) {
    const votes = new Map<string, number>();
    for (const m of cluster) votes.set(m.profileId, (votes.get(m.profileId) ?? 0) + 1);
    const choice = [...votes.entries()].filter(([p]) => !taken.has(p)).sort((x, y) => y[1] - x[1])[0]?.[0];
    let target = choice;
    if (!target) {
      target = randomUUID();
      newProfiles.push(target);
      affected.add(target);
    }
    taken.add(target);
    const movedFrom = new Map<string, string[]>();
    for (const m of cluster) {
      const i = local.get(m.memberKey) as number;
      const link = linkOf.get(i);
      const reasons = (link?.reasons ?? []) as unknown as MatchReason[];
      const next = {
        memberKey: m.memberKey,
        profileId: target,
        linkedBy: link ? (link.status === "APPROVED" ? ["MERCHANT_APPROVED"] : reasons.filter((r) => r.weight > 0).map((r) => r.code)) : [],
        linkScore: link ? link.score : null,
        linkReason: link ? (link.status === "APPROVED" ? "approved by the merchant" : reasonText(reasons)) : null,
      };
      const unchanged = m.profileId === next.profileId && m.linkScore === next.linkScore && m.linkReason === next.linkReason
        && JSON.stringify(m.linkedBy ?? []) === JSON.stringify(next.linkedBy) && m.linkedBy !== null;
      if (!unchanged) updates.push(next);
      const cached = state.members.get(m.memberKey);
      if (cached) cached.profileId = target;
      if (m.profileId !== target) movedFrom.set(m.profileId, [...(movedFrom.get(m.profileId) ?? []), m.memberKey]);
    }
    for (const [from, keys] of movedFrom) moves.push({ from, to: target, keys });
  }
  for (const e of moves) events.push({ kind: taken.has(e.from) ? "SPLIT" : "MERGED", fromProfileId: e.from, toProfileId: e.to, memberKeys: e.keys });
  await applyClustering(tx, { shop, newProfiles, members: updates, events });
  const merged = [...new Map(moves.filter((e) => !taken.has(e.from)).map((e) => [e.from, e.to])).entries()].map(([profileId, into]) => ({ profileId, into }));
  await refreshProfiles(tx, { shop, profileIds: [...affected], memberKeys: state.takeRefresh(), merged });
  state.touched.clear();
}

/**
 * Runs identity work of one shop in a transaction under a per-shop advisory lock. Why not row
 * locks: the race to prevent is two jobs each inserting a new member with the same email, where
 * neither finds the other and both create a profile; rows that do not exist yet cannot be
 * locked, so the shop's identity work is serialized instead (other shops run in parallel).
 * The shop's country and junk identifiers are read lazily: the attach path reads them with its
 * candidates in one round trip.
 *
 * `genericPlans`: the transaction's statements use the plan each connection made once for them
 * instead of being planned for every call. PostgreSQL keeps planning these statements anew (their
 * generic plan looks dearer on paper: an array parameter is assumed to hold many values), and for
 * one member planning cost more than running (measured at 1M profiles: the profile refresh 0.8 ms
 * of planning for 0.5 ms of work, the attach read 1.1 ms planned each call against 0.7 ms). The
 * statements look rows up by index one member at a time (lateral), so their plan does not depend
 * on the values. Batches keep per-call plans: planning is small against their work, and a plan
 * made while a new shop's tables were nearly empty is not reused for their size. A generic plan
 * made then is replaced when the table is analyzed (ANALYZE invalidates cached plans; the
 * identity tables are analyzed as they grow, refreshStaleStatisticsSoon and per-table autovacuum).
 */
async function withShopIdentity<T>(
  shop: string,
  fn: (state: ShopState) => Promise<T>,
  { lazy = false, genericPlans = false, checkKeys = true }: { lazy?: boolean; genericPlans?: boolean; checkKeys?: boolean } = {},
): Promise<T> {
  if (checkKeys) await ensureKeysCurrent(shop);
  const client = await pool.connect();
  let tx: PgSql | null = null;
  try {
    // The lock is the transaction's first statement, so every read after it sees what the
    // previous holder committed (each statement of a simple query takes its own snapshot). Same
    // lock as lockShopIdentity. It travels with the first statement, and the last writes with the
    // commit (PgSql): an attach is two or three round trips. A single attach runs its statements
    // with their generic plans (see genericPlans).
    const mode = genericPlans ? "set local plan_cache_mode = force_generic_plan; " : "";
    tx = pgSql(client);
    tx.prefix(`begin; ${mode}select pg_advisory_xact_lock(hashtext(${client.escapeLiteral(shopIdentityLockName(shop))}))`);
    const state = new ShopState(tx, shop);
    if (!lazy) await state.ensureInit();
    const out = await fn(state);
    await recluster(state);
    await tx.commit();
    client.release();
    return out;
  } catch (error) {
    tx?.discard();
    // A connection whose rollback failed is in an unknown state: it is dropped, not reused.
    const rolledBack = await client.query("rollback").then(() => true, () => false);
    client.release(rolledBack ? undefined : (error as Error));
    throw error;
  }
}

const REKEY_PAGE = 500;

/** The re-key job (rekeyShop of its payload's shop). */
export const IDENTITY_REKEY_JOB = "identity-rekey";

/** Shops whose keys this process has checked (and had re-keyed if stale); a failed check is tried again. */
const keysChecked = new Map<string, Promise<void>>();

/**
 * Has a shop whose stored keys are older than this code's re-keyed, without waiting for it (once
 * per shop and process): a shop without members is marked current, any other gets the re-key job.
 *
 * Why identity work need not wait for the pass: its pages and every attach hold the shop's
 * identity lock, so each sees the other's whole transactions. Stored keys only decide who is
 * compared; pairs are scored on keys derived from the records now (toMember). A record attached
 * before the page of a member whose keys change misses it under the keys it gains (and may meet
 * it under one it loses, scored on its new keys); when the page comes, rekeyMember stores its new
 * keys, compares it with every member under them (the record included) and re-derives the pairs
 * it had, as after a record change. A record attached after that page finds it under its new keys,
 * and members whose keys did not change are found all along. Until its page a member is also
 * counted under the keys it is about to lose: the keys it joins are counted again at its page
 * (considerKey: a block over maxBlockSize, junk, a household), and a block it leaves with
 * maxBlockSize holders links again (reviveBlocks). Not repaired: an email or phone it made junk or
 * a household's stays so after it leaves (as after a record update); version 1 changed names only.
 */
function ensureKeysCurrent(shop: string): Promise<void> {
  let check = keysChecked.get(shop);
  if (!check) {
    check = (async () => {
      const version = await getIdentityKeysVersion(prisma, { shop });
      if (version === null || version >= IDENTITY_KEYS_VERSION) return;
      if (await setIdentityKeysVersionIfNoMembers(prisma, { shop, version: IDENTITY_KEYS_VERSION })) return;
      await enqueueIdentityRekey({ shop });
    })();
    keysChecked.set(shop, check);
    check.catch(() => keysChecked.delete(shop));
  }
  return check;
}

/**
 * Enqueues the shop's re-key job. Its job key makes it one waiting job per shop however many
 * processes ask. All shops' re-keys share one queue, so they run one at a time: after a deploy
 * they take one worker slot from webhook jobs, not all of them for minutes (and a lower priority
 * lets waiting webhook jobs go first). The session lock in rekeyShop is what makes one pass per
 * shop certain (a job added while that shop's runs is new, and finds the keys current).
 */
export function enqueueIdentityRekey({ shop }: { shop: string }) {
  return enqueueJob(prisma, IDENTITY_REKEY_JOB, { shop }, { jobKey: `${IDENTITY_REKEY_JOB}:${shop}`, queueName: IDENTITY_REKEY_JOB, priority: 10 });
}

/** When workers start: a re-key job for every shop with older keys, so passes start at the deploy, not at a merchant's click. */
export async function enqueueStaleIdentityRekeys(): Promise<string[]> {
  const shops = await listShopsWithStaleIdentityKeys(prisma, { version: IDENTITY_KEYS_VERSION });
  for (const shop of shops) await enqueueIdentityRekey({ shop });
  return shops;
}

/** A re-key pass as the merchant sees it: null when the shop's keys are current (or it has no members). */
export async function getIdentityRekeyProgress({ shop }: { shop: string }): Promise<{ started: boolean; done: number; total: number } | null> {
  const at = await getIdentityRekeyState(prisma, { shop });
  if (!at || at.version >= IDENTITY_KEYS_VERSION) return null;
  if (at.rekeyVersion === IDENTITY_KEYS_VERSION && at.done !== null && at.total !== null) return { started: true, done: at.done, total: Math.max(at.total, at.done) };
  const total = await countProfileMembers(prisma, { shop });
  return total === 0 ? null : { started: false, done: 0, total };
}

/** Where a pass stands after a page: members done of total, and the last member done. */
export type RekeyProgress = { done: number; total: number; after: string };

/**
 * Re-derives every member's keys with this code, a page per transaction (the shop's lock is held
 * a page at a time, so other work on the shop goes on between pages: see ensureKeysCurrent), and
 * for a member whose keys changed its pairs too, as if its record had changed; the last page marks
 * the shop's keys current. Each page records the cursor and counts in its own transaction, so a
 * pass that stops (a crash, a deploy) resumes after its last whole page. Returns how many members
 * changed keys in this run, or null when the keys were current already. Cost: one read of every
 * member with its keys and a normalization each (1M members: 60 s, 28 s of CPU), writes only for
 * the changes. One pass per shop and version: a second run waits for the first (a session lock),
 * then finds the keys current. `afterPage` runs after each committed page (tests stop a pass there).
 */
export async function rekeyShop(
  { shop, pageSize = REKEY_PAGE, afterPage }: { shop: string; pageSize?: number; afterPage?: (progress: RekeyProgress) => void | Promise<void> },
): Promise<number | null> {
  // Its own connection, not one of the pool's: holding a pooled one while each page takes another
  // would let as many shops re-keyed at once as the pool is large wait for ever on each other.
  const client = new pg.Client(pool.options);
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query("select pg_advisory_lock(hashtext($1))", [`identity-rekey:${shop}`]);
    const at = await getIdentityRekeyState(prisma, { shop });
    if (at === null || at.version >= IDENTITY_KEYS_VERSION) return null;
    // A stopped pass to this version resumes; one to another version (a newer deploy) starts over.
    const resume = at.rekeyVersion === IDENTITY_KEYS_VERSION && at.after !== null;
    let after = resume ? (at.after as string) : "";
    let done = resume ? (at.done ?? 0) : 0;
    const total = resume && at.total !== null ? at.total : await countProfileMembers(prisma, { shop });
    let changed = 0;
    for (;;) {
      const page = await withShopIdentity(shop, async (state) => {
        const rows = await listMembersWithKeys(state.tx, { shop, afterMemberKey: after, limit: pageSize });
        for (const row of rows) {
          const stored = row.keys.map((k) => fromKeyRow(k.kind, k.value)).sort();
          const me = state.toMember(row);
          const now = [...me.keys].sort();
          if (stored.length === now.length && stored.every((k, i) => k === now[i])) continue;
          changed++;
          await rekeyMember(state, me);
        }
        if (rows.length < pageSize) await finishIdentityRekey(state.tx, { shop, version: IDENTITY_KEYS_VERSION });
        else await saveIdentityRekeyPage(state.tx, { shop, version: IDENTITY_KEYS_VERSION, after: rows[rows.length - 1].memberKey, done: done + rows.length, total });
        return rows;
      }, { checkKeys: false });
      done += page.length;
      if (page.length > 0) after = page[page.length - 1].memberKey;
      await afterPage?.({ done, total: Math.max(total, done), after });
      if (page.length < pageSize) return changed;
    }
  } finally {
    // Closing the connection ends the session lock whatever happened.
    await client.end().catch(() => {});
  }
}

/**
 * Batch mode for many members in one transaction: one read of everything stored under their keys
 * (instead of one per member), new members written together before the next read that needs them.
 */
async function startBatch(state: ShopState, inputs: MemberInput[]): Promise<void> {
  if (inputs.length < 2) return;
  await state.ensureInit();
  const keyRows = new Map<string, { kind: IdentityKeyKind; value: string }>();
  const prepared = new Map<string, PreparedMember>();
  for (const input of inputs) {
    const member = prepareMember(input, state.country, state.ctx);
    prepared.set(input.memberKey, member);
    for (const key of member.keys) {
      const row = toKeyRow(key);
      keyRows.set(`${row.kind}|${row.value}`, row);
    }
  }
  const read = await loadBatchAttachContext(state.tx, {
    shop: state.shop, memberKeys: inputs.map((i) => i.memberKey), keys: [...keyRows.values()],
    limit: OPTIONS.junk.maxRecordsPerIdentifier, blockLimit: OPTIONS.maxBlockSize,
  });
  for (const row of read.rows) if (!state.members.has(row.memberKey)) state.toMember(row);
  state.batch = { hits: read.hits, seqs: read.seqs, next: 0, existing: new Map(read.existing.map((r) => [r.memberKey, r])), prepared };
}

/** What the identity steps read by shop: statistics kept up while a new shop fills them. */
const IDENTITY_TABLES = ["Profile", "ProfileMember", "IdentityKey", "MatchPair", "Order", "Refund", "Customer"] as const;

/** Attaches members (in the given order) and re-clusters what they touched. */
export async function attachMembers({ shop, members }: { shop: string; members: MemberInput[] }): Promise<void> {
  if (members.length === 0) return;
  refreshStaleStatisticsSoon(IDENTITY_TABLES);
  await withShopIdentity(shop, async (state) => {
    await startBatch(state, members);
    for (const m of members) await attachOne(state, m);
    await state.endBatch();
  }, { lazy: true, genericPlans: members.length === 1 });
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
  refreshStaleStatisticsSoon(IDENTITY_TABLES);
  const orders = (await listOrdersForAttach(prisma, { shop, orderGids })).sort((a, b) => (a.orderGid < b.orderGid ? -1 : 1));
  const customerGids = [...new Set(orders.map((o) => o.customerGid).filter((g): g is string => !!g))];
  const rows = await listCustomersForAttach(prisma, { shop, customerGids });
  const customers = new Map(rows.filter((c) => c.deletedAt === null).map((c) => [c.customerGid, c]));
  // A customer that is a tombstone (deleted, redacted, merged away) never becomes a member again:
  // an order still naming it (a late orders/updated sent before a merge) is attached as a guest
  // order, by its own fields.
  const deleted = new Set(rows.filter((c) => c.deletedAt !== null).map((c) => c.customerGid));
  const known = new Set((await getMembers(prisma, { shop, memberKeys: customerGids })).map((m) => m.memberKey));
  const inputs: MemberInput[] = [];
  // Counters change with every stored order (a refund, a cancellation) even when no identity does.
  const refresh = new Set<string>();
  for (const o of orders) {
    const customerGid = o.customerGid && !(deleted.has(o.customerGid) && !known.has(o.customerGid)) ? o.customerGid : null;
    refresh.add(customerGid ?? o.orderGid);
    if (!customerGid) inputs.push({ memberKey: o.orderGid, memberKind: "ORDER", raw: toRaw(o.orderGid, o) });
    else if (!known.has(customerGid)) {
      known.add(customerGid);
      const c = customers.get(customerGid);
      inputs.push({ memberKey: customerGid, memberKind: "CUSTOMER", raw: toRaw(customerGid, c ?? o) });
    }
  }
  await withShopIdentity(shop, async (state) => {
    await startBatch(state, inputs);
    for (const m of inputs) await attachOne(state, m);
    // The stored orders' profiles are refreshed with the ones re-clustering touched, in one statement.
    for (const key of refresh) state.refresh.add(key);
    await state.endBatch();
    await recluster(state);
    await refreshProfiles(state.tx, { shop, profileIds: [], memberKeys: state.takeRefresh() });
  }, { lazy: true, genericPlans: orders.length === 1 });
}

/** customer-stored step: new or changed customers become (or update) members. */
export async function attachStoredCustomers({ shop, customerGids }: { shop: string; customerGids: string[] }): Promise<void> {
  const customers = (await listCustomersForAttach(prisma, { shop, customerGids })).filter((c) => c.deletedAt === null).sort((a, b) => (a.customerGid < b.customerGid ? -1 : 1));
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
  const country = (await getShopCountry(prisma, { shop })) ?? "US";
  const value = kind === "EMAIL" ? normalizeEmail(raw)?.value : normalizePhone(raw, country)?.value;
  if (!value || (kind === "PHONE" && !normalizePhone(raw, country)?.valid)) return false;
  await withShopIdentity(shop, async (state) => {
    await setMerchantJunk(state.tx, { shop, kind, value, active });
    const key = fromKeyRow(kind, value);
    if (active) state.junk.add(key);
    else state.junk.delete(key);
    const add = new Set(state.junkOptions.add);
    const remove = new Set(state.junkOptions.remove);
    (active ? add : remove).add(key);
    (active ? remove : add).delete(key);
    state.junkOptions = { ...state.junkOptions, add, remove };
    const lists = await listMembersByKeys(state.tx, { shop, keys: [{ kind, value }], limit: OPTIONS.junk.maxRecordsPerIdentifier });
    const members = await state.load(lists.get(`${kind}|${value}`) ?? []);
    for (let i = 0; i < members.length; i++) for (let j = i + 1; j < members.length; j++) await evaluate(state, members[i], members[j]);
    if (kind === "PHONE") {
      // A junk phone is no evidence one digit off either: marked, its holders' links to anyone else
      // lose that evidence; cleared, they may meet their candidates under the other keys again.
      if (active) await reevaluatePairsOf(state, members, { outsiders: true });
      else for (const m of members) await reevaluateMember(state, m);
    }
  });
  return true;
}
