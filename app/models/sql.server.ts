import { Prisma } from "@prisma/client";

type Db = { $queryRaw<T = unknown>(query: Prisma.Sql): Prisma.PrismaPromise<T>; $executeRaw(query: Prisma.Sql): Prisma.PrismaPromise<number> };
type Row = Record<string, unknown>;

const ident = (name: string) => Prisma.raw(`"${name.replace(/"/g, '""')}"`);

/**
 * Multi-row INSERT … ON CONFLICT DO UPDATE that only overwrites a row with a newer version
 * (`versionColumn`, e.g. Shopify's updated_at), so a late or duplicate delivery of older data
 * never replaces newer data. Returns the keys of the rows written (inserted or updated).
 * `casts` names columns that need a PostgreSQL cast (enums).
 */
export async function upsertNewer<K extends string>(
  db: Db,
  table: string,
  rows: Row[],
  options: { key: readonly K[]; versionColumn?: string; casts?: Record<string, string>; doNothing?: boolean },
): Promise<Array<Record<K, string>>> {
  if (rows.length === 0) return [];
  const columns = Object.keys(rows[0]);
  const casts = options.casts ?? {};
  const values = rows.map(
    (row) =>
      Prisma.sql`(${Prisma.join(
        columns.map((c) => (casts[c] ? Prisma.sql`${row[c] ?? null}::${Prisma.raw(casts[c])}` : Prisma.sql`${row[c] ?? null}`)),
      )})`,
  );
  const keyList = Prisma.join(options.key.map(ident));
  const updates = columns.filter((c) => !options.key.includes(c as K)).map((c) => Prisma.sql`${ident(c)} = excluded.${ident(c)}`);
  const conflict = options.doNothing
    ? Prisma.sql`do nothing`
    : options.versionColumn
      ? Prisma.sql`do update set ${Prisma.join(updates)} where ${ident(table)}.${ident(options.versionColumn)} <= excluded.${ident(options.versionColumn)}`
      : Prisma.sql`do update set ${Prisma.join(updates)}`;
  return db.$queryRaw<Array<Record<K, string>>>(Prisma.sql`
    insert into ${ident(table)} (${Prisma.join(columns.map(ident))})
    values ${Prisma.join(values)}
    on conflict (${keyList}) ${conflict}
    returning ${keyList}`);
}
