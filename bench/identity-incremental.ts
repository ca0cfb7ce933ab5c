/**
 * Incremental identity benchmark: npm run bench:identity (calls this) or
 * `tsx bench/identity-incremental.ts [--profiles 1000000] [--attaches 2000] [--seed 42]`.
 *
 * Loads `--profiles` stored profiles (one member each, with their identity keys, CREATED events
 * and the junk identifiers detection would have found) into an embedded PostgreSQL with COPY,
 * ANALYZEs, then attaches `--attaches` new records one at a time through the real service
 * (attachMembers: its own transaction under the shop's advisory lock, as the order-stored job
 * runs it): a mix of new people, later records of stored people sharing their email, sharing
 * their phone, and sharing only a name block. Reports p50/p99 per attach and, same database same
 * run, the p50/p99 of a single-row indexed SELECT + INSERT (two round trips, plain pg) and of the
 * same two statements in a Prisma interactive transaction (the floor the service pays).
 *
 * The loaded database is kept as a template (rebuilt when the identity code, the generator or the
 * migrations change) and each run attaches into a fresh copy, so numbers never depend on a
 * previous run. Cluster: WAFA_DATA_DIR (default .data/bench-pg-identity). Last stdout line: JSON.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import {
  NormalizationContext,
  getBlockingKeys,
  getDeterministicKeys,
  getJunkVerdict,
  DEFAULT_JUNK_OPTIONS,
  IDENTITY_KEYS_VERSION,
  normalizeIdentityRecord,
  toKeyRow,
  toStoredRecord,
  type NameToken,
  type NormalizedIdentityRecord,
  type RawIdentityRecord,
} from "../app/domain/identity";
import { generateIdentityRecords, type GeneratedRecord } from "./identity-data";

const { values } = parseArgs({
  options: {
    profiles: { type: "string", default: "1000000" },
    attaches: { type: "string", default: "2000" },
    seed: { type: "string", default: "42" },
    // Measurement aid: another module exporting attachMembers (e.g. an earlier version) to compare.
    service: { type: "string" },
  },
});
const PROFILES = Number(values.profiles);
const ATTACHES = Number(values.attaches);
const SEED = Number(values.seed);
const WARMUP = Math.min(100, Math.ceil(ATTACHES / 10));
const SHOP = "bench-identity.myshopify.com";
/** Bump when the loader writes different rows. */
const LOADER_VERSION = 1;
const COUNTRY = "SA";
const ROOT = path.resolve(import.meta.dirname, "..");
const log = (s: string) => console.error(`[identity-incremental] ${s}`);

type Category = "new_person" | "same_email" | "same_phone" | "name_only";
const CATEGORIES: Category[] = ["new_person", "same_email", "same_phone", "name_only"];

function toRaw(r: GeneratedRecord, id: string): RawIdentityRecord {
  const raw: RawIdentityRecord = { id };
  for (const k of ["first_name", "last_name", "full_name", "email", "phone", "address1", "city", "postcode", "country", "birth_date"] as const) if (r[k]) raw[k] = r[k];
  return raw;
}

/** COPY text format: backslash, tab and line breaks escaped; null as \N. */
function esc(v: string | number | null): string {
  if (v === null) return "\\N";
  return String(v).replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

/** One COPY stream fed with rows, honouring backpressure. */
class CopyWriter {
  private buf = "";
  private readonly source = new Readable({ read: () => this.resume?.() });
  private resume: (() => void) | null = null;
  private readonly done: Promise<void>;
  constructor(client: pg.Client, sql: string) {
    this.done = pipeline(this.source, client.query(copyFrom(sql)));
  }
  async row(cols: Array<string | number | null>): Promise<void> {
    this.buf += `${cols.map(esc).join("\t")}\n`;
    if (this.buf.length < 1 << 20) return;
    const chunk = this.buf;
    this.buf = "";
    if (!this.source.push(chunk)) await new Promise<void>((r) => (this.resume = () => { this.resume = null; r(); }));
  }
  async end(): Promise<void> {
    if (this.buf) this.source.push(this.buf);
    this.source.push(null);
    await this.done;
  }
}

/**
 * Hash of what the loaded rows depend on (the identity code that derives keys and stored records,
 * the generator, this loader's format): a change rebuilds the template. Migrations are not in
 * it: each run applies the ones its copy lacks (an index added later is built on the copy).
 */
function templateVersion(): string {
  const h = crypto.createHash("sha256");
  h.update(`${PROFILES}:${SEED}:${LOADER_VERSION}`);
  // The files that shape stored records, keys and load-time junk verdicts (not the scoring).
  const identity = ["address", "email", "junk", "keys", "name", "phone", "phonetic", "record", "similarity", "stored", "text"];
  const files = [...identity.map((f) => path.join(ROOT, "app/domain/identity", `${f}.ts`)), path.join(ROOT, "bench/identity-data.ts")];
  for (const f of files) h.update(fs.readFileSync(f));
  return h.digest("hex").slice(0, 16);
}

interface Workload {
  stored: number;
  attaches: Array<{ category: Category; raw: RawIdentityRecord }>;
}

/**
 * Generates people in chunks (the generator holds a chunk in memory), stores each person's first
 * record as a one-member profile and keeps later records of stored people as attach candidates.
 */
async function loadTemplate(url: string): Promise<Workload> {
  const clients = await Promise.all(Array.from({ length: 5 }, async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return c;
  }));
  const [admin] = clients;
  const tables = ["Profile", "ProfileMember", "IdentityKey", "ProfileEvent"];
  // Bulk load without secondary structures, then build them once: far faster than row-by-row upkeep.
  const cons = (await admin.query<{ table: string; name: string; def: string }>(
    `select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as def from pg_constraint where contype = 'p' and conrelid::regclass::text = any($1)`,
    [tables.map((t) => `"${t}"`)],
  )).rows;
  const idx = (await admin.query<{ name: string; def: string }>(
    `select indexname as name, indexdef as def from pg_indexes where schemaname = 'public' and tablename = any($1) and indexname <> all($2)`,
    [tables, cons.map((c) => c.name)],
  )).rows;
  for (const i of idx) await admin.query(`drop index "${i.name}"`);
  for (const c of cons) await admin.query(`alter table ${c.table} drop constraint "${c.name}"`);
  await admin.query(`insert into "Shop" (shop, "countryCode", currency, "updatedAt") values ($1, $2, 'SAR', now()) on conflict do nothing`, [SHOP, COUNTRY]);

  const profiles = new CopyWriter(clients[1], `copy "Profile" (shop, id, "displayName", "searchName", "primaryEmail", "primaryPhone", "firstSeenAt", "updatedAt") from stdin`);
  const members = new CopyWriter(clients[2], `copy "ProfileMember" (shop, "memberKey", seq, "memberKind", "profileId", record, "searchText", "linkedBy", "updatedAt") from stdin`);
  const keys = new CopyWriter(clients[3], `copy "IdentityKey" (shop, kind, value, "memberKey") from stdin`);
  const events = new CopyWriter(clients[4], `copy "ProfileEvent" (id, shop, kind, "toProfileId", "memberKeys") from stdin`);

  const ctx = new NormalizationContext(COUNTRY);
  const detNames = new Map<string, NameToken[]>();
  const candidates: Record<Category, RawIdentityRecord[]> = { new_person: [], same_email: [], same_phone: [], name_only: [] };
  const perCategory = Math.ceil((ATTACHES + WARMUP) / CATEGORIES.length) + 50;
  const now = new Date().toISOString();
  let stored = 0;
  let personBase = 0;
  let attachSerial = 0;
  const CHUNK = 200_000;
  for (let chunk = 0; stored < PROFILES; chunk++) {
    const records = generateIdentityRecords({ records: CHUNK, seed: SEED * 1000 + chunk });
    const first = new Map<number, NormalizedIdentityRecord>();
    let maxPerson = 0;
    for (const r of records) {
      maxPerson = Math.max(maxPerson, r.person);
      const seen = first.get(r.person);
      if (seen) {
        // A later record of a stored person: classify by what it shares with the stored one.
        const raw = toRaw(r, `gid://shopify/Customer/a${attachSerial++}`);
        const norm = normalizeIdentityRecord(raw, ctx);
        const category: Category | null =
          norm.email && norm.email === seen.email ? "same_email"
          : norm.phone && norm.phone === seen.phone && !norm.email ? "same_phone"
          : !norm.email && !norm.phone && getBlockingKeys(norm).some((k) => getBlockingKeys(seen).includes(k)) ? "name_only"
          : null;
        if (category && candidates[category].length < perCategory) candidates[category].push(raw);
        continue;
      }
      if (stored >= PROFILES) continue;
      const memberKey = `gid://shopify/Customer/${personBase + r.person + 1}`;
      const raw = toRaw(r, memberKey);
      const norm = normalizeIdentityRecord(raw, ctx);
      first.set(r.person, norm);
      stored++;
      const profileId = crypto.randomUUID();
      const { record, searchText } = toStoredRecord(raw, COUNTRY);
      const name = [r.first_name, r.last_name, r.full_name].filter(Boolean).join(" ").trim() || null;
      await profiles.row([SHOP, profileId, name, searchText.trim() || null, norm.email, record.e164 ?? null, now, now]);
      await members.row([SHOP, memberKey, stored, "CUSTOMER", profileId, JSON.stringify(record), searchText, "{}", now]);
      await events.row([stored, SHOP, "CREATED", profileId, `{"${memberKey}"}`]);
      const det = getDeterministicKeys(norm);
      for (const k of new Set([...det, ...getBlockingKeys(norm)])) {
        const row = toKeyRow(k);
        await keys.row([SHOP, row.kind, row.value, memberKey]);
      }
      for (const k of det) {
        const list = detNames.get(k);
        const token = norm.first as NameToken;
        if (list) list.push(token);
        else detNames.set(k, [token]);
      }
    }
    personBase += maxPerson + 1;
    log(`generated chunk ${chunk}: ${stored} profiles stored`);
  }
  // People never stored: first records of a chunk with a seed no stored chunk used.
  const fresh = generateIdentityRecords({ records: perCategory * 3, seed: SEED * 1000 + 999_999 });
  const seenFresh = new Set<number>();
  for (const r of fresh) {
    if (seenFresh.has(r.person) || candidates.new_person.length >= perCategory) continue;
    seenFresh.add(r.person);
    candidates.new_person.push(toRaw(r, `gid://shopify/Customer/n${r.person}`));
  }
  await Promise.all([profiles.end(), members.end(), keys.end(), events.end()]);
  log("rows copied; building keys and indexes");
  await admin.query(`select setval(pg_get_serial_sequence('"ProfileMember"', 'seq'), $1)`, [stored]);
  await admin.query(`select setval(pg_get_serial_sequence('"ProfileEvent"', 'id'), $1)`, [stored]);
  await Promise.all(cons.map((c, i) => clients[i % clients.length].query(`alter table ${c.table} add constraint "${c.name}" ${c.def}`)));
  for (let i = 0; i < idx.length; i += clients.length) await Promise.all(idx.slice(i, i + clients.length).map((x, j) => clients[j].query(x.def)));

  // What detection would have found by now: identifiers shared by many different first names.
  let junk = 0;
  for (const [k, names] of detNames) {
    if (names.length < 2) continue;
    const verdict = getJunkVerdict(k, names.map((first) => ({ first }) as NormalizedIdentityRecord), DEFAULT_JUNK_OPTIONS);
    if (!verdict) continue;
    const row = toKeyRow(k);
    await admin.query(`insert into "JunkIdentifier" (shop, kind, value, source, reason, "updatedAt") values ($1, $2, $3, 'DETECTED', $4, now())`, [SHOP, row.kind, row.value, verdict.text]);
    junk++;
  }
  log(`${junk} junk identifiers recorded; analyzing`);
  await admin.query("analyze");

  // Interleave the categories so no phase of the run sees only one kind of record.
  const attaches: Workload["attaches"] = [];
  for (let i = 0; attaches.length < ATTACHES + WARMUP && i < perCategory; i++) {
    for (const c of CATEGORIES) if (candidates[c][i]) attaches.push({ category: c, raw: candidates[c][i] });
  }
  await admin.query(`create table bench_workload (stored int not null, attaches jsonb not null)`);
  await admin.query(`insert into bench_workload values ($1, $2)`, [stored, JSON.stringify(attaches)]);
  await Promise.all(clients.map((c) => c.end()));
  return { stored, attaches };
}

async function serverQuery<T extends pg.QueryResultRow>(serverUrl: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

async function main() {
  process.env.WAFA_DATA_DIR ??= ".data/bench-pg-identity";
  const { resolveDatabaseUrl, migrateDatabase } = await import("../scripts/lib/database");
  const { ensureDatabase } = await import("../scripts/lib/embedded-postgres");
  const db = await resolveDatabaseUrl({ log, database: "postgres" });
  const serverUrl = db.url.replace(/\/postgres$/, "");
  try {
    const version = templateVersion();
    const template = `identity_tpl_${PROFILES}_${version}`;
    const exists = await serverQuery(serverUrl, `select 1 from pg_database where datname = $1`, [template]);
    let loadSeconds: number | null = null;
    if (exists.length === 0) {
      // Older templates (other code versions) are dropped: each is gigabytes at 1M profiles.
      for (const old of await serverQuery<{ datname: string }>(serverUrl, `select datname from pg_database where datname like $1`, [`identity_tpl_${PROFILES}_%`])) {
        await serverQuery(serverUrl, `drop database if exists ${old.datname} with (force)`);
      }
      const building = `${template}_building`;
      await serverQuery(serverUrl, `drop database if exists ${building} with (force)`);
      const url = await ensureDatabase(serverUrl, building);
      await migrateDatabase(url);
      const t0 = performance.now();
      await loadTemplate(url);
      loadSeconds = (performance.now() - t0) / 1000;
      log(`loaded ${PROFILES} profiles in ${loadSeconds.toFixed(1)} s`);
      await serverQuery(serverUrl, `alter database ${building} rename to ${template}`);
    }
    const run = "identity_incremental_run";
    await serverQuery(serverUrl, `drop database if exists ${run} with (force)`);
    const t1 = performance.now();
    await serverQuery(serverUrl, `create database ${run} template ${template} strategy file_copy`);
    log(`fresh copy of the template in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    const url = `${serverUrl}/${run}`;
    await migrateDatabase(url);

    const check = new pg.Client({ connectionString: url });
    await check.connect();
    // The loader derived the keys with this code (templateVersion covers it): nothing to re-key.
    await check.query(`update "Shop" set "identityKeysVersion" = $1 where shop = $2`, [IDENTITY_KEYS_VERSION, SHOP]);
    const [{ stored, attaches }] = (await check.query<{ stored: number; attaches: Workload["attaches"] }>(`select stored, attaches from bench_workload`)).rows;
    const [{ n: profileCount }] = (await check.query<{ n: number }>(`select count(*)::int as n from "Profile" where shop = $1`, [SHOP])).rows;
    // The copy carries the template's planner statistics (pg_statistic) but not its activity
    // counters (pg_stat_user_tables starts at zero in a new database), so after 1,000 attaches the
    // app's stale-statistics check would see "1,000 changes on a table of ~0 rows" and ANALYZE the
    // million-row tables inside the timed window (0.4-0.8 s each, measured), which a shop that
    // grew to this size does not do. Analyzed here, the counters hold the tables' real sizes.
    await check.query(`analyze "Profile", "ProfileMember", "IdentityKey", "MatchPair", "Order", "Refund", "Customer"`);
    await check.end();

    Object.assign(process.env, { DATABASE_URL: url, NODE_ENV: "production", SHOPIFY_API_KEY: process.env.SHOPIFY_API_KEY ?? "bench", SHOPIFY_API_SECRET: process.env.SHOPIFY_API_SECRET ?? "bench-secret-0123456789", SCOPES: process.env.SCOPES ?? "read_orders", SHOPIFY_APP_URL: process.env.SHOPIFY_APP_URL ?? "https://bench.example" });
    const { attachMembers } = (await import(values.service ? path.resolve(values.service) : "../app/services/resolve-identity.server")) as typeof import("../app/services/resolve-identity.server");
    const { default: prisma, pool } = await import("../app/db.server");

    // Baselines, same database, same run.
    const plain = new pg.Client({ connectionString: url });
    await plain.connect();
    await plain.query(`create table if not exists bench_baseline (id bigserial primary key, shop text, member_key text, profile_id text)`);
    const keysSample = (await plain.query<{ memberKey: string }>(`select "memberKey" from "ProfileMember" where shop = $1 order by random() limit 2000`, [SHOP])).rows.map((r) => r.memberKey);
    const baseline: number[] = [];
    const baselineTx: number[] = [];
    for (let i = 0; i < keysSample.length; i++) {
      const k = keysSample[i];
      const t = performance.now();
      const { rows } = await plain.query(`select "profileId" from "ProfileMember" where shop = $1 and "memberKey" = $2`, [SHOP, k]);
      await plain.query(`insert into bench_baseline (shop, member_key, profile_id) values ($1, $2, $3)`, [SHOP, k, rows[0]?.profileId]);
      if (i >= WARMUP) baseline.push(performance.now() - t);
      const t2 = performance.now();
      await prisma.$transaction(async (tx) => {
        const r = await tx.$queryRaw<Array<{ profileId: string }>>`select "profileId" from "ProfileMember" where shop = ${SHOP} and "memberKey" = ${k}`;
        await tx.$executeRaw`insert into bench_baseline (shop, member_key, profile_id) values (${SHOP}, ${k}, ${r[0]?.profileId})`;
      });
      if (i >= WARMUP) baselineTx.push(performance.now() - t2);
    }
    await plain.end();

    const times: Record<Category, number[]> = { new_person: [], same_email: [], same_phone: [], name_only: [] };
    const all: number[] = [];
    for (let i = 0; i < attaches.length; i++) {
      const a = attaches[i];
      const t = performance.now();
      await attachMembers({ shop: SHOP, members: [{ memberKey: a.raw.id, memberKind: "CUSTOMER", raw: a.raw }] });
      const ms = performance.now() - t;
      if (i < WARMUP) continue;
      all.push(ms);
      times[a.category].push(ms);
    }
    // Did the attaches do what their category says? (A same-email record must join its person.)
    const joined = await prisma.$queryRaw<Array<{ n: number }>>`
      select count(*)::int as n from "ProfileMember" m join "ProfileMember" o on o.shop = m.shop and o."profileId" = m."profileId" and o."memberKey" <> m."memberKey"
      where m.shop = ${SHOP} and m."memberKey" like 'gid://shopify/Customer/a%'`;
    await prisma.$disconnect();
    await pool.end();

    const sort = (xs: number[]) => [...xs].sort((x, y) => x - y);
    const s = sort(all);
    const b = sort(baseline);
    const bt = sort(baselineTx);
    const metrics: Record<string, number | string | null> = {
      bench: "identity-incremental",
      profiles_stored: profileCount,
      attaches_timed: s.length,
      incremental_p50_ms: round(percentile(s, 50)),
      incremental_p99_ms: round(percentile(s, 99)),
      incremental_max_ms: round(s[s.length - 1]),
      baseline_select_insert_p50_ms: round(percentile(b, 50)),
      baseline_select_insert_p99_ms: round(percentile(b, 99)),
      baseline_prisma_tx_select_insert_p50_ms: round(percentile(bt, 50)),
      baseline_prisma_tx_select_insert_p99_ms: round(percentile(bt, 99)),
      attached_to_existing_members: joined[0]?.n ?? 0,
      load_seconds: loadSeconds === null ? null : round(loadSeconds, 1),
    };
    for (const c of CATEGORIES) {
      const x = sort(times[c]);
      metrics[`incremental_${c}_p50_ms`] = round(percentile(x, 50));
      metrics[`incremental_${c}_p99_ms`] = round(percentile(x, 99));
    }
    console.log(`stored ${stored} profiles (${profileCount} in the copy); ${s.length} attaches timed after ${WARMUP} warm-up`);
    for (const c of CATEGORIES) console.log(`  ${c.padEnd(11)} n=${String(times[c].length).padEnd(5)} p50 ${metrics[`incremental_${c}_p50_ms`]} ms  p99 ${metrics[`incremental_${c}_p99_ms`]} ms`);
    console.log(`  all         p50 ${metrics.incremental_p50_ms} ms  p99 ${metrics.incremental_p99_ms} ms  max ${metrics.incremental_max_ms} ms`);
    console.log(`  baseline select+insert (pg)           p50 ${metrics.baseline_select_insert_p50_ms} ms  p99 ${metrics.baseline_select_insert_p99_ms} ms`);
    console.log(`  baseline select+insert (Prisma tx)    p50 ${metrics.baseline_prisma_tx_select_insert_p50_ms} ms  p99 ${metrics.baseline_prisma_tx_select_insert_p99_ms} ms`);
    await serverQuery(serverUrl, `drop database if exists ${run} with (force)`);
    console.log(JSON.stringify(metrics));
  } finally {
    await db.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
