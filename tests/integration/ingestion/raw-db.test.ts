/**
 * rawDb: the raw-SQL part of Prisma over a plain pg client (the webhook batch's hot path). Its
 * parameters must reach PostgreSQL as Prisma sends them, or a batch stored through it would
 * differ from one stored through Prisma.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { Prisma } from "@prisma/client";
import prisma, { pool, withPgTransaction } from "~/db.server";
import { rawDb } from "~/models/sql.server";

describe("rawDb", () => {
  let client: pg.PoolClient;
  beforeAll(async () => {
    client = await pool.connect();
    // A session time zone far from UTC: a Date must still arrive as its UTC instant.
    await client.query("set time zone 'Asia/Riyadh'");
  });
  afterAll(() => client.release());

  it("sends a Date into a timestamp column as the instant Prisma sends", async () => {
    const at = new Date("2026-03-01T21:30:15.123Z");
    const [viaPg] = await rawDb(client).$queryRaw<Array<{ t: string }>>`select (${at}::timestamp)::text as t`;
    const [viaPrisma] = await prisma.$queryRaw<Array<{ t: string }>>`select (${at}::timestamp)::text as t`;
    expect(viaPg.t).toBe("2026-03-01 21:30:15.123");
    expect(viaPg.t).toBe(viaPrisma.t);
  });

  it("sends bigints, arrays of them and text with quotes, through a template and through Prisma.sql", async () => {
    const ids = [1n, 9007199254740993n];
    const [row] = await rawDb(client).$queryRaw<Array<{ total: string; name: string }>>(
      Prisma.sql`select (select sum(x) from unnest(${ids}::bigint[]) x)::text as total, ${`O'Hara "Al"`}::text as name`,
    );
    expect(row).toEqual({ total: "9007199254740994", name: `O'Hara "Al"` });
    expect(await rawDb(client).$executeRaw`select * from generate_series(1, ${3n}::bigint)`).toBe(3);
  });
});

describe("withPgTransaction", () => {
  it("commits what the work wrote when it returns, and rolls all of it back when it throws", async () => {
    const key = `with-pg-transaction-${Date.now()}`;
    const count = async () => Number((await pool.query(`select count(*)::int as n from "Shop" where shop = $1`, [key])).rows[0].n);
    const insert = (client: pg.PoolClient) => client.query(`insert into "Shop" (shop, "updatedAt") values ($1, now())`, [key]);
    await expect(
      withPgTransaction(async (client) => {
        await insert(client);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await count()).toBe(0);
    expect(await withPgTransaction(async (client) => (await insert(client)).rowCount)).toBe(1);
    expect(await count()).toBe(1);
    await pool.query(`delete from "Shop" where shop = $1`, [key]);
  });
});
