import { Prisma } from "@prisma/client";
import type pg from "pg";

/**
 * What the raw-SQL helpers need of a database: Prisma's client or transaction, or a plain pg
 * client in a transaction of its own (rawDb).
 */
export type RawDb = {
  $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): PromiseLike<T>;
  $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): PromiseLike<number>;
};
type Db = RawDb;
type Row = Record<string, unknown>;

/** A parameter as Prisma would send it: a Date as its UTC instant (the columns are timestamps without time zone). */
function pgValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(pgValue);
  return value;
}

/**
 * The raw-SQL part of Prisma over a plain pg client. For hot paths that run many rows through
 * one statement: Prisma 6's client engine compiles every query in WebAssembly with its
 * parameters inlined, and a batch's json parameter of a few hundred KB was measured at 10 ms of
 * CPU a statement through Prisma against 1.2 ms through pg (small statements 0.5 against 0.15 ms).
 */
export function rawDb(client: pg.ClientBase): RawDb {
  const run = (query: TemplateStringsArray | Prisma.Sql, values: unknown[]) => {
    const sql = Array.isArray(query) ? Prisma.sql(query as TemplateStringsArray, ...values) : (query as Prisma.Sql);
    return client.query(sql.text, sql.values.map(pgValue));
  };
  return {
    $queryRaw: <T>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) => run(query, values).then((r) => r.rows as T),
    $executeRaw: (query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) => run(query, values).then((r) => r.rowCount ?? 0),
  };
}

const ident = (name: string) => Prisma.raw(`"${name.replace(/"/g, '""')}"`);

/** JSON for json_populate_recordset: BigInt as a decimal string, Dates as ISO strings. */
function toJsonRows(rows: Row[]): string {
  return JSON.stringify(rows, (_key, value) => (typeof value === "bigint" ? value.toString() : value));
}

/**
 * Multi-row INSERT … ON CONFLICT that only overwrites a row with a newer version
 * (`versionColumn`, e.g. Shopify's updated_at), so a late or duplicate delivery of older data
 * never replaces newer data; `doNothing` keeps the first row. Returns the keys of the rows written.
 *
 * The whole batch travels as ONE json parameter expanded by json_populate_recordset into the
 * table's own row type (enums, arrays, timestamps and bigints typed by the table), so the
 * statement text is the same for every batch size: one plan, no per-row parameters.
 */
export async function upsertNewer<K extends string>(
  db: Db,
  table: string,
  rows: Row[],
  options: { key: readonly K[]; versionColumn?: string; doNothing?: boolean },
): Promise<Array<Record<K, string>>> {
  if (rows.length === 0) return [];
  const columns = Object.keys(rows[0]);
  const columnList = Prisma.join(columns.map(ident));
  const keyList = Prisma.join(options.key.map(ident));
  const updates = columns.filter((c) => !options.key.includes(c as K)).map((c) => Prisma.sql`${ident(c)} = excluded.${ident(c)}`);
  const conflict = options.doNothing
    ? Prisma.sql`do nothing`
    : options.versionColumn
      ? Prisma.sql`do update set ${Prisma.join(updates)} where ${ident(table)}.${ident(options.versionColumn)} <= excluded.${ident(options.versionColumn)}`
      : Prisma.sql`do update set ${Prisma.join(updates)}`;
  return db.$queryRaw<Array<Record<K, string>>>(Prisma.sql`
    insert into ${ident(table)} (${columnList})
    select ${columnList} from json_populate_recordset(null::${ident(table)}, ${toJsonRows(rows)}::json)
    on conflict (${keyList}) ${conflict}
    returning ${keyList}`);
}
