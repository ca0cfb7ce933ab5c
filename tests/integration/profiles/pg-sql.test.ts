import { describe, expect, it } from "vitest";
import { pool } from "~/db.server";
import { later, pgSql, sqlLiteral } from "~/models/profile.server";

/** A pool client whose queries are counted (each call is one round trip). */
async function countedClient() {
  const client = await pool.connect();
  const sent: string[] = [];
  const query = client.query.bind(client) as (config: unknown) => Promise<unknown>;
  const counted = {
    query: (config: string | { name: string; text: string; values: unknown[] }) => {
      sent.push(typeof config === "string" ? config : `named ${config.name}`);
      return query(config);
    },
  } as unknown as Parameters<typeof pgSql>[0];
  return { client, counted, sent };
}

const TRICKY_TEXT = ["", "plain", "it's", "back\\slash", "\\x41", "quote\" and ' both", "line\nbreak\ttab", "محمد الحربي", "😀 emoji", "E'x'", "$1 $$ dollar", "--comment", "null", "NULL"];

describe("PgSql: statements as literals, batched round trips", () => {
  it("sends every parameter as a literal equal to what node-postgres binds", async () => {
    const client = await pool.connect();
    try {
      const cases: Array<[unknown, string]> = [
        ...TRICKY_TEXT.map((v): [unknown, string] => [v, "text"]),
        [TRICKY_TEXT, "text[]"],
        [["a,b", "{braces}", "x\\y", 'q"q', "", null], "text[]"],
        [[], "text[]"],
        [[true, false], "boolean[]"],
        [true, "boolean"],
        [null, "text"],
        [41, "int"],
        [-0.1 + 0.3, "float8"],
        [String(2n ** 62n), "bigint"],
        [JSON.stringify({ name: "سارة", quote: "it's \\ \"x\"", list: [1, null] }), "jsonb"],
        [{ a: "it's", b: ["x\\y"] }, "json"],
      ];
      for (const [value, type] of cases) {
        const bound = await client.query({ text: `select $1::${type} as v`, values: [value] });
        const literal = await client.query(`select ${sqlLiteral(value)}::${type} as v`);
        expect(literal.rows[0].v, `${type} ${JSON.stringify(value)}`).toEqual(bound.rows[0].v);
      }
    } finally {
      client.release();
    }
  });

  it("sends the transaction's start and deferred writes with the next statement, and the last writes with the commit", async () => {
    const { client, counted, sent } = await countedClient();
    try {
      await client.query(`create table if not exists pg_sql_test (id text primary key, n int)`);
      await client.query(`truncate pg_sql_test`);
      const run = async (id: string) => {
        const tx = pgSql(counted);
        tx.prefix("begin");
        await later(tx)`insert into pg_sql_test (id, n) values (${id}, ${1})`;
        const rows = await tx.$queryRaw<Array<{ n: number }>>`select count(*)::int as n from pg_sql_test where id = any(${[id, "other"]}::text[])`;
        await later(tx)`update pg_sql_test set n = n + ${1} where id = ${id}`;
        await tx.commit();
        return rows[0].n;
      };
      expect(await run("first")).toBe(1);
      sent.length = 0;
      // Statements already prepared on this connection: two round trips for the transaction.
      expect(await run("it's")).toBe(1);
      expect(sent).toHaveLength(2);
      expect(sent[0]).toMatch(/^begin;\nexecute identity_sql_\w+\('it''s', '1'\);\nexecute identity_sql_\w+\('\{"it''s","other"\}'\)$/);
      expect(sent[1]).toMatch(/^execute identity_sql_\w+\('1', 'it''s'\);\ncommit$/);
      const { rows } = await client.query(`select id, n from pg_sql_test order by id`);
      expect(rows).toEqual([{ id: "first", n: 2 }, { id: "it's", n: 2 }]);
    } finally {
      await client.query(`drop table if exists pg_sql_test`);
      client.release();
    }
  });

  it("reports a deferred write's error at the next statement, and the connection's statements stay usable after the rollback", async () => {
    const { client, counted } = await countedClient();
    try {
      await client.query(`create table if not exists pg_sql_test_err (id text primary key)`);
      await client.query(`truncate pg_sql_test_err`);
      await client.query(`insert into pg_sql_test_err values ('taken')`);
      const tx = pgSql(counted);
      tx.prefix("begin");
      await later(tx)`insert into pg_sql_test_err (id) values (${"taken"})`;
      await expect(tx.$queryRaw`select count(*) from pg_sql_test_err where id = ${"taken"}`).rejects.toThrow(/duplicate key/);
      tx.discard();
      await client.query("rollback");

      const again = pgSql(counted);
      again.prefix("begin");
      await later(again)`insert into pg_sql_test_err (id) values (${"fresh"})`;
      const rows = await again.$queryRaw<Array<{ n: number }>>`select count(*)::int as n from pg_sql_test_err where id = ${"taken"}`;
      await again.commit();
      expect(rows[0].n).toBe(1);
      const { rows: all } = await client.query(`select id from pg_sql_test_err order by id`);
      expect(all.map((r) => r.id)).toEqual(["fresh", "taken"]);
    } finally {
      await client.query(`drop table if exists pg_sql_test_err`);
      client.release();
    }
  });
});
