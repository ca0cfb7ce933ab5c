/**
 * Unified profiles and what they are built from: members, identity keys, scored pairs, junk
 * identifiers and profile events. Prisma only; every function takes the shop first.
 */
import type { IdentityKeyKind, MatchStatus, MemberKind, Prisma, PrismaClient } from "@prisma/client";
import { createHash } from "node:crypto";
import pg from "pg";
import prisma from "../db.server";

type Db = PrismaClient | Prisma.TransactionClient;

/**
 * What identity work needs of a connection: tagged-template raw SQL. Prisma clients satisfy it,
 * and so does a plain pg transaction (see pgSql), which the attach path uses because each Prisma
 * statement costs several times a pg round trip and an attach is a handful of them.
 */
export type Sql = {
  $queryRaw<T = unknown>(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<T>;
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<number>;
  /**
   * A write whose row count nobody reads, sent with the connection's next statement (one round
   * trip fewer; its error, if any, is that statement's). Connections without it run it at once.
   */
  $executeLater?(query: TemplateStringsArray, ...values: unknown[]): void;
};

/** `await later(db)\`...\``: a write nobody reads the count of, as late as the connection allows. */
export const later = (db: Sql) => async (query: TemplateStringsArray, ...values: unknown[]): Promise<void> => {
  if (db.$executeLater) db.$executeLater(query, ...values);
  else await db.$executeRaw(query, ...values);
};

type PgClient = {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[]; rowCount: number | null }>;
  query(text: string): Promise<unknown>;
};
/** `name` for the extended protocol (node-postgres prepares it), `sqlName` for SQL PREPARE/EXECUTE. */
type Statement = { name: string; sqlName: string; text: string };

/** Statements by template (a tagged template's strings array is the same object on every call). */
const statements = new WeakMap<TemplateStringsArray, Statement>();
/** Statements prepared with SQL PREPARE, per connection (kept as long as the connection). */
const preparedBySql = new WeakMap<object, Set<string>>();

function statementOf(q: TemplateStringsArray): Statement {
  let statement = statements.get(q);
  if (!statement) {
    const text = q.reduce((out, part, i) => (i === 0 ? part : `${out}$${i}${part}`), "");
    const hash = createHash("sha1").update(text).digest("hex").slice(0, 16);
    statement = { name: `identity_${hash}`, sqlName: `identity_sql_${hash}`, text };
    statements.set(q, statement);
  }
  return statement;
}

/** node-postgres' own conversion of a parameter to its text form (what it sends as a bound value). */
const prepareValue = (pg as unknown as { utils: { prepareValue(value: unknown): string | Buffer | null } }).utils.prepareValue;

/** A parameter as an SQL literal with the text node-postgres would have bound. */
export function sqlLiteral(value: unknown): string {
  const text = prepareValue(value);
  if (text === null) return "null";
  if (typeof text !== "string") throw new TypeError("binary parameters cannot be sent as literals");
  const quoted = `'${text.replace(/'/g, "''")}'`;
  // E'' with doubled backslashes reads the same whatever standard_conforming_strings says.
  return text.includes("\\") ? `E${quoted.replace(/\\/g, "\\\\")}` : quoted;
}

/**
 * Sql over one pg client: `${value}` becomes a $n parameter, exactly as in Prisma's tagged
 * templates. Statements are named (prepared once per connection): the identity statements are
 * large CTEs whose parse and planning would otherwise cost more than running them.
 *
 * Round trips: node-postgres sends one statement at a time and waits for its answer, and an
 * attach is a handful of statements. Text queued with `prefix` (the transaction's start), writes
 * queued with `$executeLater` and the final `commit` travel with the next statement in one
 * simple query, each statement run as `execute` of the same prepared statement (prepared once per
 * connection with SQL PREPARE), its parameters as literals in the text node-postgres would have
 * bound. Each statement of a simple query sees the effects of the ones before it, and the first
 * error skips the rest (the transaction is then rolled back by its owner).
 */
export class PgSql implements Sql {
  private queue: Array<string | { statement: Statement; values: unknown[] }> = [];
  private readonly prepared: Set<string>;

  constructor(private readonly client: PgClient) {
    let set = preparedBySql.get(client);
    if (!set) preparedBySql.set(client, (set = new Set()));
    this.prepared = set;
  }

  /** SQL text (no parameters) sent before the next statement, in the same round trip. */
  prefix(text: string): void {
    this.queue.push(text);
  }

  $executeLater(q: TemplateStringsArray, ...values: unknown[]): void {
    this.queue.push({ statement: statementOf(q), values });
  }

  async $queryRaw<T>(q: TemplateStringsArray, ...values: unknown[]): Promise<T> {
    return (await this.run(q, values)).rows as T;
  }

  async $executeRaw(q: TemplateStringsArray, ...values: unknown[]): Promise<number> {
    return (await this.run(q, values)).rowCount ?? 0;
  }

  /** Sends what is queued, then commits: one round trip. */
  async commit(): Promise<void> {
    await this.client.query(await this.batchText("commit"));
  }

  /** Forgets what is queued (the transaction is being rolled back). */
  discard(): void {
    this.queue = [];
  }

  /** The queue and `last` as one simple query's text; statements not prepared yet are first. */
  private async batchText(last: string | { statement: Statement; values: unknown[] }): Promise<string> {
    const items = [...this.queue.splice(0), last];
    for (const item of items) {
      if (typeof item === "string" || this.prepared.has(item.statement.sqlName)) continue;
      // In a round trip of its own, once per connection: a PREPARE inside a batch that failed
      // would leave it unknown whether the statement exists. (PREPARE is not undone by rollback.)
      await this.client.query(`prepare ${item.statement.sqlName} as ${item.statement.text}`);
      this.prepared.add(item.statement.sqlName);
    }
    return items
      .map((item) => (typeof item === "string" ? item
        : item.values.length === 0 ? `execute ${item.statement.sqlName}` : `execute ${item.statement.sqlName}(${item.values.map(sqlLiteral).join(", ")})`))
      .join(";\n");
  }

  private async run(q: TemplateStringsArray, values: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }> {
    const statement = statementOf(q);
    if (this.queue.length === 0) return this.client.query({ name: statement.name, text: statement.text, values });
    const results = (await this.client.query(await this.batchText({ statement, values }))) as Array<{ rows: unknown[]; rowCount: number | null }>;
    return results[results.length - 1];
  }
}

/** Sql over one pg client (see PgSql). */
export function pgSql(client: PgClient): PgSql {
  return new PgSql(client);
}

export type MemberRow = {
  memberKey: string;
  seq: bigint;
  memberKind: MemberKind;
  profileId: string;
  record: Prisma.JsonValue;
};

/** Name of a shop's identity lock: pg_advisory_xact_lock(hashtext(name)). */
export const shopIdentityLockName = (shop: string) => `identity:${shop}`;

/** Serializes identity work of one shop for the rest of the transaction (see resolve-identity). */
export async function lockShopIdentity(tx: Sql, { shop }: { shop: string }) {
  await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${shopIdentityLockName(shop)}))`;
}

type RawMemberRow = Omit<MemberRow, "seq"> & { seq: bigint | string };
const toMemberRows = (rows: RawMemberRow[]): MemberRow[] => rows.map((r) => ({ ...r, seq: BigInt(r.seq) }));

export async function getMembers(db: Sql, { shop, memberKeys }: { shop: string; memberKeys: string[] }): Promise<MemberRow[]> {
  if (memberKeys.length === 0) return [];
  return toMemberRows(await db.$queryRaw<RawMemberRow[]>`
    select "memberKey", seq, "memberKind", "profileId", record from "ProfileMember" where shop = ${shop} and "memberKey" = any(${memberKeys}::text[])`);
}

export async function listMembersOfProfiles(db: Sql, { shop, profileIds }: { shop: string; profileIds: string[] }): Promise<MemberRow[]> {
  if (profileIds.length === 0) return [];
  return toMemberRows(await db.$queryRaw<RawMemberRow[]>`
    select "memberKey", seq, "memberKind", "profileId", record from "ProfileMember" where shop = ${shop} and "profileId" = any(${profileIds}::text[])`);
}

/** Members holding any of the keys, per key, at most `limit + 1` per key (so "too many" is visible). */
export async function listMembersByKeys(
  db: Sql,
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

/** A member as the attach path reads it: its row plus, per looked-up key, whether it holds it. */
export type AttachContext = {
  country: string | null;
  /** The shop's junk identifiers: only when asked and their version is not `knownJunkVersion`. */
  junk: Array<{ kind: IdentityKeyKind; value: string; active: boolean; source: string }> | null;
  /** Shop."junkVersion" (when asked; null without a Shop row). */
  junkVersion: string | null;
  existing: MemberRow | null;
  /** Members holding each key ("KIND|value"), at most limit + 1 per key; none for an active junk identifier. */
  hits: Map<string, string[]>;
  /** Rows of the hit members whose key lists are small enough to be compared. */
  rows: MemberRow[];
  /** An arrival number drawn for the member should it be new (an unused one is only a gap). */
  nextSeq: bigint;
};

type RawMember = { memberKey: string; seq: string; memberKind: MemberKind; profileId: string; record: Prisma.JsonValue };
const toMemberRow = (r: RawMember): MemberRow => ({ ...r, seq: BigInt(r.seq) });

/**
 * Everything attaching one record needs, in one round trip: the shop's country and junk
 * identifiers (when asked), the member's stored row, and the other members holding each of its
 * keys with their rows. Keys are read at most `limit` deep (deterministic) or `blockLimit + 1`
 * deep (blocking keys), so a huge identifier costs a bounded index range; rows are returned only
 * where they can be used (not for junk identifiers nor oversized blocks, which count only).
 */
export async function loadAttachContext(
  db: Sql,
  { shop, memberKey, keys, limit, blockLimit, withShop, knownJunkVersion = null }: {
    shop: string; memberKey: string; keys: Array<{ kind: IdentityKeyKind; value: string; rows: boolean }>; limit: number; blockLimit: number; withShop: boolean;
    /** The caller's copy of the junk identifiers is of this version: they are not sent again. */
    knownJunkVersion?: string | null;
  },
): Promise<AttachContext> {
  keys = [...new Map(keys.map((k) => [`${k.kind}|${k.value}`, k])).values()];
  const [row] = await db.$queryRaw<Array<{ out: { country: string | null; junkVersion: string | null; junk: AttachContext["junk"]; existing: RawMember | null; hits: Array<{ k: string; m: string[] }> | null; rows: RawMember[] | null; next: string } }>>`
    with k as (
      select * from unnest(${keys.map((k) => k.kind)}::text[], ${keys.map((k) => k.value)}::text[], ${keys.map((k) => k.rows)}::boolean[]) as k(kind, value, want)
    ), hit as (
      select k.kind, k.value, k.want, h."memberKey", count(*) over (partition by k.kind, k.value) as n
      from k cross join lateral (
        select i."memberKey" from "IdentityKey" i
        where i.shop = ${shop} and i.kind = k.kind::"IdentityKeyKind" and i.value = k.value
          -- An active junk identifier links nobody: its holders are not read (a placeholder email
          -- is held by dozens, and their rows were most of a slow attach's time).
          and not exists (select 1 from "JunkIdentifier" j where j.shop = ${shop} and j.kind = k.kind::"IdentityKeyKind" and j.value = k.value and j.active)
        limit (case when k.kind = 'BLOCK' then ${blockLimit + 1}::int else ${limit}::int end)
      ) h
    ), wanted as (
      select distinct "memberKey" from hit where want and (kind <> 'BLOCK' or n <= ${blockLimit + 1}) and "memberKey" <> ${memberKey}
    )
    select json_build_object(
      'country', case when ${withShop} then (select s."countryCode" from "Shop" s where s.shop = ${shop}) end,
      'junkVersion', case when ${withShop} then (select s."junkVersion"::text from "Shop" s where s.shop = ${shop}) end,
      'junk', case when ${withShop} and coalesce((select s."junkVersion"::text from "Shop" s where s.shop = ${shop}) <> ${knownJunkVersion}::text, true)
        then (select coalesce(json_agg(json_build_object('kind', j.kind, 'value', j.value, 'active', j.active, 'source', j.source)), '[]') from "JunkIdentifier" j where j.shop = ${shop}) end,
      'next', nextval(pg_get_serial_sequence('"ProfileMember"', 'seq'))::text,
      'existing', (select json_build_object('memberKey', m."memberKey", 'seq', m.seq::text, 'memberKind', m."memberKind", 'profileId', m."profileId", 'record', m.record) from "ProfileMember" m where m.shop = ${shop} and m."memberKey" = ${memberKey}),
      'hits', (select json_agg(json_build_object('k', g.kind || '|' || g.value, 'm', g.members)) from (select kind, value, array_agg("memberKey") as members from hit group by kind, value) g),
      'rows', (select json_agg(json_build_object('memberKey', m."memberKey", 'seq', m.seq::text, 'memberKind', m."memberKind", 'profileId', m."profileId", 'record', m.record))
               from wanted w join "ProfileMember" m on m.shop = ${shop} and m."memberKey" = w."memberKey")
    ) as out`;
  const out = row.out;
  const hits = new Map<string, string[]>();
  for (const k of keys) hits.set(`${k.kind}|${k.value}`, []);
  for (const h of out.hits ?? []) hits.set(h.k, h.m);
  return { country: out.country, junk: out.junk, junkVersion: out.junkVersion, existing: out.existing ? toMemberRow(out.existing) : null, hits, rows: (out.rows ?? []).map(toMemberRow), nextSeq: BigInt(out.next) };
}

type PairWrite = { memberA: string; memberB: string; score: number; reasons: Prisma.InputJsonValue; status: MatchStatus };

/**
 * A new member in its own new profile, in one statement: the profile, the member (unlinked, with
 * the arrival number drawn when its candidates were read), its CREATED event, its identity keys
 * and the pairs it formed with those candidates.
 */
export async function insertMemberWithProfile(
  db: Sql,
  { shop, profileId, memberKey, seq, memberKind, record, searchText, keys, pairs }: {
    shop: string; profileId: string; memberKey: string; seq: bigint; memberKind: MemberKind; record: Prisma.InputJsonValue; searchText: string;
    keys: Array<{ kind: IdentityKeyKind; value: string }>; pairs: PairWrite[];
  },
): Promise<void> {
  await later(db)`
    with p as (
      insert into "Profile" (shop, id, "updatedAt") values (${shop}, ${profileId}, now())
    ), m as (
      insert into "ProfileMember" (shop, "memberKey", seq, "memberKind", "profileId", record, "searchText", "linkedBy", "updatedAt")
      values (${shop}, ${memberKey}, ${String(seq)}::bigint, ${memberKind}::"MemberKind", ${profileId}, ${JSON.stringify(record)}::jsonb, ${searchText}, '{}', now())
    ), e as (
      insert into "ProfileEvent" (shop, kind, "toProfileId", "memberKeys") values (${shop}, 'CREATED', ${profileId}, array[${memberKey}])
    ), k as (
      insert into "IdentityKey" (shop, kind, value, "memberKey")
      select ${shop}, x.kind::"IdentityKeyKind", x.value, ${memberKey} from unnest(${keys.map((k) => k.kind)}::text[], ${keys.map((k) => k.value)}::text[]) as x(kind, value)
      on conflict do nothing
    )
    insert into "MatchPair" (shop, "memberA", "memberB", score, reasons, status, "updatedAt")
    select ${shop}, x.a, x.b, x.score, x.reasons, x.status::"MatchStatus", now()
    from json_to_recordset(${JSON.stringify(pairs.map((u) => ({ a: u.memberA, b: u.memberB, score: u.score, reasons: u.reasons, status: u.status })))}::json)
      as x(a text, b text, score float8, reasons jsonb, status text)
    on conflict (shop, "memberA", "memberB") do update set score = excluded.score, reasons = excluded.reasons, status = excluded.status, "updatedAt" = now()`;
}

/**
 * What the attach of a batch of members reads, in one statement: the members already stored under
 * those keys (same limits as loadAttachContext, none under an active junk identifier), their rows, the batch members already stored,
 * and one arrival number per batch member. The caller adds the members it creates meanwhile.
 */
export async function loadBatchAttachContext(
  db: Sql,
  { shop, memberKeys, keys, limit, blockLimit }: {
    shop: string; memberKeys: string[]; keys: Array<{ kind: IdentityKeyKind; value: string }>; limit: number; blockLimit: number;
  },
): Promise<{ existing: MemberRow[]; hits: Map<string, string[]>; rows: MemberRow[]; seqs: bigint[] }> {
  keys = [...new Map(keys.map((k) => [`${k.kind}|${k.value}`, k])).values()];
  const [row] = await db.$queryRaw<Array<{ out: { existing: RawMember[] | null; hits: Array<{ k: string; m: string[] }> | null; rows: RawMember[] | null; next: string[] | null } }>>`
    with k as (
      select * from unnest(${keys.map((k) => k.kind)}::text[], ${keys.map((k) => k.value)}::text[]) as k(kind, value)
    ), hit as (
      select k.kind, k.value, h."memberKey", count(*) over (partition by k.kind, k.value) as n
      from k cross join lateral (
        select i."memberKey" from "IdentityKey" i
        where i.shop = ${shop} and i.kind = k.kind::"IdentityKeyKind" and i.value = k.value
          and not exists (select 1 from "JunkIdentifier" j where j.shop = ${shop} and j.kind = k.kind::"IdentityKeyKind" and j.value = k.value and j.active)
        limit (case when k.kind = 'BLOCK' then ${blockLimit + 1}::int else ${limit}::int end)
      ) h
    ), wanted as (
      select distinct "memberKey" from hit where kind <> 'BLOCK' or n <= ${blockLimit + 1}
    )
    select json_build_object(
      'next', (select json_agg(nextval(pg_get_serial_sequence('"ProfileMember"', 'seq'))::text) from generate_series(1, ${memberKeys.length}::int)),
      'existing', (select json_agg(json_build_object('memberKey', m."memberKey", 'seq', m.seq::text, 'memberKind', m."memberKind", 'profileId', m."profileId", 'record', m.record))
                   from unnest(${memberKeys}::text[]) as b(key) cross join lateral (
                     select * from "ProfileMember" m where m.shop = ${shop} and m."memberKey" = b.key offset 0) m),
      'hits', (select json_agg(json_build_object('k', g.kind || '|' || g.value, 'm', g.members)) from (select kind, value, array_agg("memberKey") as members from hit group by kind, value) g),
      'rows', (select json_agg(json_build_object('memberKey', m."memberKey", 'seq', m.seq::text, 'memberKind', m."memberKind", 'profileId', m."profileId", 'record', m.record))
               from wanted w cross join lateral (select * from "ProfileMember" m where m.shop = ${shop} and m."memberKey" = w."memberKey" offset 0) m)
    ) as out`;
  const out = row.out;
  const hits = new Map<string, string[]>();
  for (const h of out.hits ?? []) hits.set(h.k, h.m);
  const seqs = (out.next ?? []).map((n) => BigInt(n)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { existing: (out.existing ?? []).map(toMemberRow), hits, rows: (out.rows ?? []).map(toMemberRow), seqs };
}

/** New members, each in its own new profile, in one statement (insertMemberWithProfile for many). */
export async function insertMembersWithProfiles(
  db: Sql,
  { shop, members }: {
    shop: string;
    members: Array<{ profileId: string; memberKey: string; seq: bigint; memberKind: MemberKind; record: Prisma.InputJsonValue; searchText: string; keys: Array<{ kind: IdentityKeyKind; value: string }> }>;
  },
): Promise<void> {
  if (members.length === 0) return;
  const rows = JSON.stringify(members.map((m) => ({ p: m.profileId, k: m.memberKey, s: String(m.seq), kind: m.memberKind, r: m.record, t: m.searchText })));
  const keys = JSON.stringify(members.flatMap((m) => m.keys.map((k) => ({ m: m.memberKey, kind: k.kind, v: k.value }))));
  await db.$executeRaw`
    with x as (
      select * from json_to_recordset(${rows}::json) as x(p text, k text, s text, kind text, r jsonb, t text)
    ), p as (
      insert into "Profile" (shop, id, "updatedAt") select ${shop}, x.p, now() from x
    ), m as (
      insert into "ProfileMember" (shop, "memberKey", seq, "memberKind", "profileId", record, "searchText", "linkedBy", "updatedAt")
      select ${shop}, x.k, x.s::bigint, x.kind::"MemberKind", x.p, x.r, x.t, '{}', now() from x
    ), e as (
      insert into "ProfileEvent" (shop, kind, "toProfileId", "memberKeys") select ${shop}, 'CREATED', x.p, array[x.k] from x order by x.s::bigint
    )
    insert into "IdentityKey" (shop, kind, value, "memberKey")
    select ${shop}, y.kind::"IdentityKeyKind", y.v, y.m from json_to_recordset(${keys}::json) as y(m text, kind text, v text)
    on conflict do nothing`;
}

/** Pair writes of one transaction, applied at once: upserts (score, reasons, status) and deletions. */
export async function writePairs(
  db: Sql,
  { shop, upserts, deletes }: {
    shop: string;
    upserts: PairWrite[];
    deletes: Array<{ memberA: string; memberB: string }>;
  },
) {
  if (upserts.length === 0 && deletes.length === 0) return;
  await later(db)`
    with d as (
      delete from "MatchPair" p using json_to_recordset(${JSON.stringify(deletes.map((d) => ({ a: d.memberA, b: d.memberB })))}::json) as x(a text, b text)
      where p.shop = ${shop} and p."memberA" = x.a and p."memberB" = x.b
    )
    insert into "MatchPair" (shop, "memberA", "memberB", score, reasons, status, "updatedAt")
    select ${shop}, x.a, x.b, x.score, x.reasons, x.status::"MatchStatus", now()
    from json_to_recordset(${JSON.stringify(upserts.map((u) => ({ a: u.memberA, b: u.memberB, score: u.score, reasons: u.reasons, status: u.status })))}::json)
      as x(a text, b text, score float8, reasons jsonb, status text)
    on conflict (shop, "memberA", "memberB") do update set score = excluded.score, reasons = excluded.reasons, status = excluded.status, "updatedAt" = now()`;
}

export type RegionMember = MemberRow & { linkedBy: string[] | null; linkScore: number | null; linkReason: string | null };

/**
 * The region re-clustering needs, in one round trip: every member reachable from `memberKeys`
 * through a shared profile or a link (any pair but REVIEW), and those links. Members come with
 * their records (re-clustering compares clusters' traits, and needs no second read for them).
 */
export async function loadRegion(db: Sql, { shop, memberKeys }: { shop: string; memberKeys: string[] }): Promise<{ members: RegionMember[]; pairs: PairRow[] }> {
  const [row] = await db.$queryRaw<Array<{ out: { members: Array<Omit<RegionMember, "seq"> & { seq: string }> | null; pairs: PairRow[] | null } }>>`
    with recursive r(k) as (
      select unnest(${memberKeys}::text[])
      union
      select e.k from r cross join lateral (
        select m2."memberKey" as k from "ProfileMember" m1
          join "ProfileMember" m2 on m2.shop = m1.shop and m2."profileId" = m1."profileId"
          where m1.shop = ${shop} and m1."memberKey" = r.k
        union all
        select p."memberB" from "MatchPair" p where p.shop = ${shop} and p."memberA" = r.k and p.status <> 'REVIEW'
        union all
        select p."memberA" from "MatchPair" p where p.shop = ${shop} and p."memberB" = r.k and p.status <> 'REVIEW'
      ) e
    )
    select json_build_object(
      'members', (select json_agg(json_build_object('memberKey', m."memberKey", 'seq', m.seq::text, 'profileId', m."profileId", 'linkedBy', m."linkedBy", 'linkScore', m."linkScore", 'linkReason', m."linkReason",
                                                    'memberKind', m."memberKind", 'record', m.record))
                  from r cross join lateral (select * from "ProfileMember" m where m.shop = ${shop} and m."memberKey" = r.k offset 0) m),
      -- Looked up per region member (lateral): a semi-join was free to hash the shop's pairs.
      'pairs', (select json_agg(json_build_object('memberA', p."memberA", 'memberB', p."memberB", 'score', p.score, 'status', p.status, 'reasons', p.reasons))
                from r cross join lateral (select * from "MatchPair" p where p.shop = ${shop} and p."memberA" = r.k and p.status <> 'REVIEW' offset 0) p)
    ) as out`;
  return { members: (row.out.members ?? []).map((m) => ({ ...m, seq: BigInt(m.seq) })), pairs: row.out.pairs ?? [] };
}

/**
 * The outcome of re-clustering, in one statement: new profiles (for clusters left without one),
 * member moves and link fields (only rows that change), and MERGED/SPLIT events.
 */
export async function applyClustering(
  db: Sql,
  { shop, newProfiles, members, events }: {
    shop: string;
    newProfiles: string[];
    members: Array<{ memberKey: string; profileId: string; linkedBy: string[]; linkScore: number | null; linkReason: string | null }>;
    events: Array<{ kind: "MERGED" | "SPLIT"; fromProfileId: string; toProfileId: string; memberKeys: string[] }>;
  },
) {
  if (newProfiles.length === 0 && members.length === 0 && events.length === 0) return;
  await later(db)`
    with np as (
      insert into "Profile" (shop, id, "updatedAt") select ${shop}, unnest(${newProfiles}::text[]), now()
    ), mu as (
      update "ProfileMember" m set "profileId" = u.p, "linkedBy" = u.lb, "linkScore" = u.ls, "linkReason" = u.lr, "updatedAt" = now()
      from (select x.k, x.p, coalesce(array(select json_array_elements_text(x.lb)), '{}') as lb, x.ls, x.lr
            from json_to_recordset(${JSON.stringify(members.map((m) => ({ k: m.memberKey, p: m.profileId, lb: m.linkedBy, ls: m.linkScore, lr: m.linkReason })))}::json)
              as x(k text, p text, lb json, ls float8, lr text)) u
      where m.shop = ${shop} and m."memberKey" = u.k
    )
    insert into "ProfileEvent" (shop, kind, "fromProfileId", "toProfileId", "memberKeys")
    select ${shop}, (e.v->>'kind')::"ProfileEventKind", e.v->>'f', e.v->>'t', array(select json_array_elements_text(e.v->'keys'))
    from json_array_elements(${JSON.stringify(events.map((e) => ({ kind: e.kind, f: e.fromProfileId, t: e.toProfileId, keys: e.memberKeys })))}::json) with ordinality as e(v, ord)
    order by e.ord`;
}

/** Stores exactly these keys for the member; returns the keys it held and no longer does. */
export async function replaceIdentityKeys(
  db: Sql,
  { shop, memberKey, keys }: { shop: string; memberKey: string; keys: Array<{ kind: IdentityKeyKind; value: string }> },
): Promise<Array<{ kind: IdentityKeyKind; value: string }>> {
  // Only the keys the member lost are deleted: a row deleted and inserted again in one statement
  // would meet itself in the conflict check.
  return db.$queryRaw<Array<{ kind: IdentityKeyKind; value: string }>>`
    with x as (select * from unnest(${keys.map((k) => k.kind)}::text[], ${keys.map((k) => k.value)}::text[]) as x(kind, value)),
    d as (
      delete from "IdentityKey" i where i.shop = ${shop} and i."memberKey" = ${memberKey}
        and not exists (select 1 from x where x.kind = i.kind::text and x.value = i.value)
      returning i.kind, i.value
    ),
    ins as (
      insert into "IdentityKey" (shop, kind, value, "memberKey")
      select ${shop}, x.kind::"IdentityKeyKind", x.value, ${memberKey} from x
      on conflict (shop, kind, value, "memberKey") do nothing
    )
    select kind, value from d`;
}

export function updateMemberRecord(db: Sql, { shop, memberKey, record, searchText }: { shop: string; memberKey: string; record: Prisma.InputJsonValue; searchText: string }) {
  return db.$executeRaw`update "ProfileMember" set record = ${JSON.stringify(record)}::jsonb, "searchText" = ${searchText}, "updatedAt" = now() where shop = ${shop} and "memberKey" = ${memberKey}`;
}

export type PairRow = { memberA: string; memberB: string; score: number; status: MatchStatus; reasons: Prisma.JsonValue };

export function listPairsOf(db: Sql, { shop, memberKeys }: { shop: string; memberKeys: string[] }): PromiseLike<PairRow[]> {
  return db.$queryRaw<PairRow[]>`
    select "memberA", "memberB", score, status::text as status, reasons from "MatchPair"
    where shop = ${shop} and ("memberA" = any(${memberKeys}::text[]) or "memberB" = any(${memberKeys}::text[]))`;
}

export async function getPair(db: Sql, { shop, memberA, memberB }: { shop: string; memberA: string; memberB: string }): Promise<PairRow | null> {
  const [row] = await db.$queryRaw<PairRow[]>`
    select "memberA", "memberB", score, status::text as status, reasons from "MatchPair" where shop = ${shop} and "memberA" = ${memberA} and "memberB" = ${memberB}`;
  return row ?? null;
}

export function decidePair(
  db: Sql,
  { shop, memberA, memberB, status, decidedBy }: { shop: string; memberA: string; memberB: string; status: "APPROVED" | "REJECTED"; decidedBy: string | null },
) {
  return db.$executeRaw`
    insert into "MatchPair" (shop, "memberA", "memberB", score, reasons, status, "decidedBy", "decidedAt", "updatedAt")
    values (${shop}, ${memberA}, ${memberB}, 0, '[]', ${status}::"MatchStatus", ${decidedBy}, now(), now())
    on conflict (shop, "memberA", "memberB") do update set status = excluded.status, "decidedBy" = excluded."decidedBy", "decidedAt" = now(), "updatedAt" = now()`;
}

export function listJunkIdentifiers(db: Db, { shop }: { shop: string }) {
  return db.junkIdentifier.findMany({ where: { shop }, orderBy: [{ active: "desc" }, { createdAt: "asc" }] });
}

/** Junk identifiers of a shop as identity work reads them (kind, value, state, who set it). */
export function listJunkKeys(db: Sql, { shop }: { shop: string }) {
  return db.$queryRaw<Array<{ kind: IdentityKeyKind; value: string; active: boolean; source: string }>>`
    select kind::text as kind, value, active, source::text as source from "JunkIdentifier" where shop = ${shop}`;
}

export async function getShopCountry(db: Sql, { shop }: { shop: string }): Promise<string | null> {
  const [row] = await db.$queryRaw<Array<{ countryCode: string }>>`select "countryCode" from "Shop" where shop = ${shop}`;
  return row?.countryCode ?? null;
}

export function insertDetectedJunk(db: Sql, { shop, kind, value, reason }: { shop: string; kind: IdentityKeyKind; value: string; reason: string }) {
  return db.$executeRaw`
    insert into "JunkIdentifier" (shop, kind, value, source, reason, "updatedAt") values (${shop}, ${kind}::"IdentityKeyKind", ${value}, 'DETECTED', ${reason}, now())
    on conflict (shop, kind, value) do nothing`;
}

export function setMerchantJunk(db: Sql, { shop, kind, value, active }: { shop: string; kind: IdentityKeyKind; value: string; active: boolean }) {
  return db.$executeRaw`
    insert into "JunkIdentifier" (shop, kind, value, source, active, reason, "updatedAt")
    values (${shop}, ${kind}::"IdentityKeyKind", ${value}, 'MERCHANT', ${active}, 'marked by the merchant', now())
    on conflict (shop, kind, value) do update set source = 'MERCHANT', active = excluded.active, "updatedAt" = now()`;
}

/**
 * Recomputes the cached counters and display fields of profiles from their members' orders
 * (orders of member customers plus member guest orders); profiles in `merged` (emptied by a merge)
 * are marked merged into their target in the same statement.
 */
export async function refreshProfiles(
  db: Sql,
  { shop, profileIds, memberKeys = [], merged = [] }: {
    shop: string;
    profileIds: string[];
    /** Also the profiles these members are in (as the statement sees them). */
    memberKeys?: string[];
    merged?: Array<{ profileId: string; into: string }>;
  },
) {
  if (profileIds.length === 0 && memberKeys.length === 0) return;
  await later(db)`
    -- Every lookup below is driven by the batch's members (lateral, offset 0: never flattened into
    -- a join the planner may run as a hash over the whole shop). With the joins written plainly
    -- the planner misjudged the member list and scanned the shop's orders and members: 27-37 ms
    -- a batch at 20,000 orders, growing with the shop.
    with ids as (
      select unnest(${profileIds}::text[]) as id
      union
      select pm."profileId" from unnest(${memberKeys}::text[]) as k(key) cross join lateral (
        select pm."profileId" from "ProfileMember" pm where pm.shop = ${shop} and pm."memberKey" = k.key offset 0) pm
    ), m as (
      select pm.* from ids cross join lateral (
        select pm."profileId", pm."memberKey", pm."memberKind", pm.record, pm.seq, pm."searchText" from "ProfileMember" pm
        where pm.shop = ${shop} and pm."profileId" = ids.id offset 0) pm
    ), o as (
      select distinct on (x."orderGid") x.* from (
        select m."profileId", o.* from m cross join lateral (
          select o."orderGid", o."shopifyCreatedAt", o."totalMinor", o.currency, o."cancelledAt" from "Order" o
          where o.shop = ${shop} and o."orderGid" = m."memberKey" offset 0) o
        where m."memberKind" = 'ORDER'
        union all
        select m."profileId", o.* from m cross join lateral (
          select o."orderGid", o."shopifyCreatedAt", o."totalMinor", o.currency, o."cancelledAt" from "Order" o
          where o.shop = ${shop} and o."customerGid" = m."memberKey" offset 0) o
        where m."memberKind" = 'CUSTOMER'
      ) x order by x."orderGid"
    ), refunded as (
      select o."orderGid", r.amount from o cross join lateral (
        select sum(r."amountMinor") as amount from "Refund" r where r.shop = ${shop} and r."orderGid" = o."orderGid") r
      where r.amount is not null
    ), agg as (
      select p.id,
        count(o."orderGid") filter (where o."cancelledAt" is null)::int as n,
        coalesce(sum(o."totalMinor" - coalesce(rf.amount, 0)) filter (where o."cancelledAt" is null), 0)::bigint as spent,
        max(o."shopifyCreatedAt") as last_at,
        min(o."shopifyCreatedAt") as first_at,
        mode() within group (order by o.currency) as currency
      from ids cross join lateral (select p.id from "Profile" p where p.shop = ${shop} and p.id = ids.id offset 0) p
        left join o on o."profileId" = p.id left join refunded rf on rf."orderGid" = o."orderGid"
      group by p.id
    ), ident as (
      select m."profileId",
        (array_agg(nullif(trim(concat_ws(' ', m.record->>'first_name', m.record->>'last_name', m.record->>'full_name')), '') order by m.seq) filter (where nullif(trim(concat_ws(' ', m.record->>'first_name', m.record->>'last_name', m.record->>'full_name')), '') is not null))[1] as name,
        (array_agg(m.record->>'email' order by m.seq) filter (where m.record->>'email' is not null))[1] as email,
        (array_agg(m.record->>'e164' order by m.seq) filter (where m.record->>'e164' is not null))[1] as phone,
        string_agg(m."searchText", ' ' order by m.seq) as search
      from m
      group by m."profileId"
    )
    update "Profile" p set
      "orderCount" = agg.n, "totalSpentMinor" = agg.spent, "lastOrderAt" = agg.last_at,
      "firstSeenAt" = coalesce(agg.first_at, p."createdAt"), currency = agg.currency,
      "displayName" = ident.name, "primaryEmail" = ident.email, "primaryPhone" = ident.phone,
      "searchName" = ident.search, "updatedAt" = now(),
      "mergedIntoId" = coalesce(mg.target, p."mergedIntoId")
    from agg left join ident on ident."profileId" = agg.id
      left join unnest(${merged.map((m) => m.profileId)}::text[], ${merged.map((m) => m.into)}::text[]) as mg(id, target) on mg.id = agg.id
    where p.shop = ${shop} and p.id = agg.id`;
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

/** The customers, tombstones (deleted, redacted, merged away in Shopify) included: deletedAt says which. */
export function listCustomersForAttach(db: Db, { shop, customerGids }: { shop: string; customerGids: string[] }) {
  return db.customer.findMany({
    where: { shop, customerGid: { in: customerGids } },
    select: {
      customerGid: true, email: true, phone: true, firstName: true, lastName: true,
      address1: true, address2: true, city: true, province: true, zip: true, countryCode: true, deletedAt: true,
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
  const found = await prisma.order.findMany({
    where: { shop, OR: [{ customerGid: { in: customers } }, { orderGid: { in: orders } }] },
    orderBy: { shopifyCreatedAt: "desc" },
    take: 500,
  });
  const lines = await prisma.orderLine.findMany({ where: { shop, orderGid: { in: found.map((o) => o.orderGid) } }, orderBy: [{ orderGid: "asc" }, { lineGid: "asc" }] });
  const byOrder = new Map<string, typeof lines>();
  for (const l of lines) byOrder.set(l.orderGid, [...(byOrder.get(l.orderGid) ?? []), l]);
  return found.map((o) => ({ ...o, lines: byOrder.get(o.orderGid) ?? [] }));
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
