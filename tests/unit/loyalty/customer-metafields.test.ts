import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "smol-toml";
import { LOYALTY_METAFIELD_NAMESPACE, LOYALTY_METAFIELD_TYPES, runThrottledGraphql, ShopifyThrottledError } from "~/shopify/customer-metafields";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");

describe("loyalty customer metafields", () => {
  it("are declared in shopify.app.toml as app-owned customer definitions with the types the sync writes", () => {
    const toml = parse(fs.readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8")) as {
      customer?: { metafields?: { app?: Record<string, { type: string; access: { admin: string } }> } };
    };
    // [customer.metafields.app.<key>] declares namespace `$app`, the one the sync writes.
    expect(LOYALTY_METAFIELD_NAMESPACE).toBe("$app");
    const declared = toml.customer?.metafields?.app ?? {};
    expect(Object.fromEntries(Object.entries(declared).map(([key, definition]) => [key, definition.type]))).toEqual(LOYALTY_METAFIELD_TYPES);
    for (const definition of Object.values(declared)) expect(definition.access.admin).toBe("merchant_read");
  });

  const throttled = (available: number) =>
    new Response(
      JSON.stringify({
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
        extensions: { cost: { requestedQueryCost: 10, actualQueryCost: null, throttleStatus: { maximumAvailable: 100, currentlyAvailable: available, restoreRate: 50 } } },
      }),
    );
  const ok = (available: number) =>
    new Response(
      JSON.stringify({
        data: { ok: true },
        extensions: { cost: { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 100, currentlyAvailable: available, restoreRate: 50 } } },
      }),
    );

  it("waits as long as the bucket needs to refill after THROTTLED, then retries", async () => {
    const waits: number[] = [];
    const answers = [throttled(4), ok(90)];
    const data = await runThrottledGraphql(async () => answers.shift()!, "mutation { x }", {}, { sleep: async (ms) => void waits.push(ms) });
    expect(data).toEqual({ ok: true });
    // 6 points missing at 50 points/s: 120 ms.
    expect(waits).toEqual([120]);
  });

  it("waits before the next call when the bucket holds less than this call cost", async () => {
    const waits: number[] = [];
    await runThrottledGraphql(async () => ok(5), "mutation { x }", {}, { sleep: async (ms) => void waits.push(ms) });
    expect(waits).toEqual([100]);
  });

  it("gives up with SHOPIFY_THROTTLED after the last attempt", async () => {
    const call = runThrottledGraphql(async () => throttled(0), "mutation { x }", {}, { sleep: async () => {}, maxAttempts: 3 });
    await expect(call).rejects.toBeInstanceOf(ShopifyThrottledError);
    await expect(call).rejects.toMatchObject({ code: "SHOPIFY_THROTTLED", attempts: 3 });
  });
});
