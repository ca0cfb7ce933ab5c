import { describe, expect, it } from "vitest";
import prisma, { pool } from "~/db.server";
import { getShopOverview } from "~/services/shop-overview.server";
import { storeOrders } from "~/services/store-orders.server";
import { installTestShop } from "../../support/install";
import { orderRecord } from "../../factories/records";

describe("the shop overview", () => {
  it("counts the shop's orders by channel (not another shop's) from the (shop, channel) index", async () => {
    const { shop } = await installTestShop();
    const { shop: other } = await installTestShop();
    const orders = [...Array.from({ length: 3 }, () => orderRecord({ channel: "ONLINE", sourceName: "web", locationGid: null })), ...Array.from({ length: 2 }, () => orderRecord())];
    await storeOrders({ shop, orders, origin: "WEBHOOK" });
    await storeOrders({ shop: other, orders: [orderRecord(), orderRecord()], origin: "WEBHOOK" });

    expect(await getShopOverview({ shop })).toMatchObject({ orderCount: 5, onlineOrderCount: 3, posOrderCount: 2 });
    expect(await getShopOverview({ shop: other })).toMatchObject({ orderCount: 2, onlineOrderCount: 0, posOrderCount: 2 });
    expect(await prisma.order.count({ where: { shop } })).toBe(5);

    // The count reads the index alone, whatever the size of the table (a sequential scan is off so
    // the plan does not depend on this test table's few rows).
    const client = await pool.connect();
    try {
      await client.query("begin");
      await client.query("set local enable_seqscan = off");
      const plan = await client.query(`explain (format json) select channel, count(*) from "Order" where shop = $1 group by channel`, [shop]);
      expect(JSON.stringify(plan.rows[0])).toContain('"Index Name":"Order_shop_channel_idx"');
      await client.query("rollback");
    } finally {
      client.release();
    }
  });
});
