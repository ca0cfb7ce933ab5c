import v8 from "node:v8";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { iterateOrders } from "../../../prisma/seed/demo-data";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

describe("streaming generation", () => {
  it("counts 50,000 orders with a bounded heap, nothing retained", () => {
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    let orders = 0;
    let lines = 0;
    for (const { payload } of iterateOrders({ seed: 1, customers: 16_000 })) {
      orders++;
      lines += payload.line_items.length;
      if ((orders & 4095) === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    gc();
    const retained = process.memoryUsage().heapUsed - baseline;
    expect(orders).toBeGreaterThan(50_000);
    expect(lines).toBeGreaterThan(orders);
    // 50,000 orders held in memory would take about 300 MB; streaming keeps only one person at a time.
    expect(retained).toBeLessThan(16 * 1024 * 1024);
    expect(peak - baseline).toBeLessThan(128 * 1024 * 1024);
  }, 30_000);
});
