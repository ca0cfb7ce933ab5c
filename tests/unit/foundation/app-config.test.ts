import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "smol-toml";
import { TOPIC_SCHEMAS } from "~/shopify/webhook-topics";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");
const toml = parse(fs.readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8")) as {
  embedded: boolean;
  access_scopes: { scopes: string };
  extension_directories: string[];
  webhooks: { api_version: string; subscriptions: Array<{ topics?: string[]; compliance_topics?: string[]; uri: string }> };
  app_proxy: { url: string; subpath: string; prefix: string };
};

/** Remix flat routes: /webhooks/orders/create is app/routes/webhooks.orders.create.tsx */
const routeFileFor = (uri: string) => path.join(ROOT, "app", "routes", `${uri.replace(/^\//, "").split("/").join(".")}.tsx`);

describe("shopify.app.toml", () => {
  it("describes an embedded app with webhooks pinned to API 2026-10", () => {
    expect(toml.embedded).toBe(true);
    expect(toml.webhooks.api_version).toBe("2026-10");
    expect(toml.extension_directories).toEqual(["extensions/*", "pos-extension"]);
    expect(toml.app_proxy).toMatchObject({ subpath: "wafa", prefix: "apps" });
  });

  it("asks for read_all_orders so the backfill can read orders older than 60 days", () => {
    expect(toml.access_scopes.scopes.split(",")).toEqual(expect.arrayContaining(["read_orders", "read_all_orders", "read_customers", "write_discounts"]));
  });

  it("subscribes every topic the app handles, the three compliance topics included", () => {
    const subscribed = toml.webhooks.subscriptions.flatMap((s) => [...(s.topics ?? []), ...(s.compliance_topics ?? [])]).sort();
    expect(subscribed).toEqual(Object.keys(TOPIC_SCHEMAS).sort());
    const compliance = toml.webhooks.subscriptions.flatMap((s) => s.compliance_topics ?? []).sort();
    expect(compliance).toEqual(["customers/data_request", "customers/redact", "shop/redact"]);
  });

  it("points every subscription at a route file that exists and mirrors its topic", () => {
    for (const subscription of toml.webhooks.subscriptions) {
      const topics = [...(subscription.topics ?? []), ...(subscription.compliance_topics ?? [])];
      expect(topics).toHaveLength(1);
      expect(subscription.uri).toBe(`/webhooks/${topics[0]}`);
      expect(fs.existsSync(routeFileFor(subscription.uri)), `${subscription.uri} -> ${routeFileFor(subscription.uri)}`).toBe(true);
    }
  });
});

describe("extension tomls", () => {
  const dirs = [
    ...fs
      .readdirSync(path.join(ROOT, "extensions"), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => path.join(ROOT, "extensions", d.name)),
    path.join(ROOT, "pos-extension"),
  ];

  it.each(dirs.map((d) => [path.relative(ROOT, d), d]))("%s has a shopify.extension.toml that parses with targets and modules that exist", (_name, dir) => {
    const file = path.join(dir, "shopify.extension.toml");
    const config = parse(fs.readFileSync(file, "utf8")) as {
      api_version: string;
      extensions: Array<{ type: string; handle: string; targeting: Array<{ target: string; module: string }> }>;
    };
    expect(config.api_version).toMatch(/^\d{4}-\d{2}$/);
    expect(config.extensions.length).toBeGreaterThan(0);
    for (const extension of config.extensions) {
      expect(extension.handle).toMatch(/^[a-z0-9-]+$/);
      for (const target of extension.targeting) expect(fs.existsSync(path.join(dir, target.module)), target.module).toBe(true);
    }
  });
});
