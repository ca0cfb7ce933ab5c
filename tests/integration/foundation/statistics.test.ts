import { describe, expect, it } from "vitest";
import { pool } from "~/db.server";
import { refreshStaleStatistics } from "~/models/statistics.server";
import { storeOrders } from "~/services/store-orders.server";
import { orderRecord } from "../../factories/records";
import { installTestShop } from "../../support/install";

/** Until a backend reports its counters, pg_stat_user_tables does not see its writes. */
async function writeAndReport(sql: string) {
  const client = await pool.connect();
  try {
    await client.query(sql);
    await client.query("select pg_stat_force_next_flush()");
    await client.query("select 1");
  } finally {
    client.release();
  }
}

const analyzeCount = async (table: string) =>
  Number((await pool.query(`select analyze_count from pg_stat_user_tables where relname = $1`, [table])).rows[0]?.analyze_count ?? -1);

describe("statistics of fast-growing tables", () => {
  it("analyzes a table that grew by a fifth since its last analyze, once, and leaves a table that barely changed", async () => {
    const grown = `stats_probe_grown_${process.pid}`;
    const steady = `stats_probe_steady_${process.pid}`;
    const small = `stats_probe_small_${process.pid}`;
    const tiny = `stats_probe_tiny_${process.pid}`;
    await pool.query(`create table "${grown}" (id int primary key, shop text)`);
    await pool.query(`create table "${steady}" (id int primary key, shop text)`);
    await pool.query(`create table "${small}" (id int primary key, shop text)`);
    await pool.query(`create table "${tiny}" (id int primary key, shop text)`);
    try {
      // A table's first hundred rows count (cached generic plans are made on its statistics).
      await writeAndReport(`insert into "${small}" select i, 's' from generate_series(1, 150) i`);
      await writeAndReport(`insert into "${tiny}" select i, 's' from generate_series(1, 60) i`);
      expect(await refreshStaleStatistics([small, tiny])).toEqual([small]);

      await writeAndReport(`insert into "${steady}" select i, 's' from generate_series(1, 20000) i`);
      await pool.query(`analyze "${steady}"`);
      await writeAndReport(`update "${steady}" set shop = 't' where id <= 1500`); // 7.5%: not stale
      await writeAndReport(`insert into "${grown}" select i, 's' from generate_series(1, 3000) i`); // never analyzed

      const before = { grown: await analyzeCount(grown), steady: await analyzeCount(steady) };
      expect(await refreshStaleStatistics([grown, steady])).toEqual([grown]);
      expect(await analyzeCount(grown)).toBe(before.grown + 1);
      expect(await analyzeCount(steady)).toBe(before.steady);
      // Checked at most every few seconds per process: an immediate second call does nothing.
      await writeAndReport(`insert into "${grown}" select i, 's' from generate_series(3001, 9000) i`);
      expect(await refreshStaleStatistics([grown, steady])).toEqual([]);
    } finally {
      await pool.query(`drop table if exists "${grown}", "${steady}", "${small}", "${tiny}"`);
    }
  });
});

describe("statistics of the order tables", () => {
  it("are collected for the columns queries filter, join, group or sort on, and not for the columns only read back", async () => {
    const { shop } = await installTestShop();
    await storeOrders({ shop, orders: Array.from({ length: 20 }, () => orderRecord({ email: "a@example.com", address1: "طريق الملك فهد" })), origin: "WEBHOOK" });
    await pool.query(`analyze "Order", "OrderLine"`);
    const columns = async (table: string) =>
      (await pool.query<{ attname: string }>(`select attname from pg_stats where schemaname = 'public' and tablename = $1`, [table])).rows.map((r) => r.attname).sort();
    expect(await columns("Order")).toEqual(["cancelledAt", "channel", "customerGid", "locationGid", "orderGid", "shop", "shopifyCreatedAt"]);
    expect(await columns("OrderLine")).toEqual(["giftCard", "lineGid", "orderGid", "shop"]);
  });
});
