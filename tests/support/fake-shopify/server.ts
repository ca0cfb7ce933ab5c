/**
 * A local fake of Shopify's servers for the demo and the tests. It speaks Shopify's HTTP:
 * token exchange at /admin/oauth/access_token, the Admin GraphQL API, webhook delivery with real
 * HMACs, and — for the browser — an "admin" page that frames the app the way the Shopify admin
 * does and the App Bridge script the admin's CDN would serve. The app reaches it only when
 * SHOPIFY_FAKE_URL is set; the app's own authenticate.* calls verify everything for real.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import crypto from "node:crypto";
import { AdminGraphqlApi } from "./admin-graphql";
import { FakeStore, type FakeShop } from "./store";
import { mintSessionToken, verifySessionToken, type MintOptions } from "./session-tokens";
import { deliverWebhook, type WebhookDelivery } from "./webhooks";
import { adminFrameUrl, adminHostPage, appBridgeScript } from "./admin-host";
import { BULK_OPERATIONS_SDL, FakeBulkOperations } from "./bulk-operations";

export interface FakeShopifyOptions {
  apiKey: string;
  apiSecret: string;
  /** where the app is served, for webhook delivery and the admin frame */
  appUrl: string;
  port?: number;
  host?: string;
  extraSdl?: string[];
  /** lifetime of offline access tokens in seconds (expiring offline tokens); default 1 day */
  offlineTokenSeconds?: number;
}

export interface FakeShopify {
  url: string;
  store: FakeStore;
  graphql: AdminGraphqlApi;
  /** bulk operations: timing, webhook delivery on/off (polling fallback), failures */
  bulkOperations: FakeBulkOperations;
  options: FakeShopifyOptions;
  addShop: FakeStore["addShop"];
  mintSessionToken(options: Omit<MintOptions, "apiKey" | "apiSecret"> & Partial<Pick<MintOptions, "apiKey" | "apiSecret">>): string;
  /** Opens the app for a shop as the admin does (first open = install); returns the HTTP status. */
  openAppAsAdmin(shop: string, staffId?: string): Promise<number>;
  deliverWebhook(delivery: WebhookDelivery): ReturnType<typeof deliverWebhook>;
  close(): Promise<void>;
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "Content-Type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json", ...headers });
  res.end(text);
}

export async function startFakeShopify(options: FakeShopifyOptions): Promise<FakeShopify> {
  const store = new FakeStore();
  const graphql = new AdminGraphqlApi(store, [BULK_OPERATIONS_SDL, ...(options.extraSdl ?? [])]);
  const bulkOperations = new FakeBulkOperations(store, () => graphql.schema, (delivery) => deliverWebhook(options.appUrl, delivery, options.apiSecret));
  graphql.addResolvers(bulkOperations.resolvers);
  let baseUrl = "";

  const exchangeToken = (shop: FakeShop, form: Record<string, string>) => {
    if (form.client_id !== options.apiKey || form.client_secret !== options.apiSecret) {
      return { status: 401, body: { error: "invalid_client", error_description: "Client authentication failed" } };
    }
    if (form.grant_type === "refresh_token") {
      const known = store.refreshTokens.get(form.refresh_token ?? "");
      if (!known || known.shop !== shop.domain) return { status: 400, body: { error: "invalid_grant" } };
      store.refreshTokens.delete(form.refresh_token);
      return { status: 200, body: offlineTokenResponse(shop, true) };
    }
    if (form.grant_type !== "urn:ietf:params:oauth:grant-type:token-exchange") {
      return { status: 400, body: { error: "unsupported_grant_type" } };
    }
    const claims = verifySessionToken(form.subject_token ?? "", options.apiKey, options.apiSecret);
    if (!claims || claims.dest !== `https://${shop.domain}`) {
      return { status: 400, body: { error: "invalid_subject_token", error_description: "The session token is invalid" } };
    }
    shop.installed = true;
    if (form.requested_token_type === "urn:shopify:params:oauth:token-type:online-access-token") {
      const staff = shop.staff.find((s) => s.id === String(claims.sub)) ?? shop.staff[0];
      const token = store.issueToken({ shop: shop.domain, online: true, userId: staff.id, expiresAt: Date.now() + 86_399_000 });
      return {
        status: 200,
        body: {
          access_token: token.token,
          scope: shop.grantedScopes.join(","),
          expires_in: 86_399,
          associated_user_scope: shop.grantedScopes.join(","),
          session: crypto.randomUUID(),
          account_number: 0,
          associated_user: {
            id: Number(staff.id),
            first_name: staff.firstName,
            last_name: staff.lastName,
            email: staff.email,
            account_owner: staff.accountOwner,
            locale: staff.locale,
            collaborator: false,
            email_verified: true,
          },
        },
      };
    }
    return { status: 200, body: offlineTokenResponse(shop, form.expiring === "1") };
  };

  const offlineTokenResponse = (shop: FakeShop, expiring: boolean) => {
    const seconds = options.offlineTokenSeconds ?? 86_400;
    const token = store.issueToken({ shop: shop.domain, online: false, expiresAt: expiring ? Date.now() + seconds * 1000 : undefined });
    if (!expiring) return { access_token: token.token, scope: shop.grantedScopes.join(",") };
    const refresh = `shprt_fake_${crypto.randomBytes(16).toString("hex")}`;
    store.refreshTokens.set(refresh, { shop: shop.domain });
    return {
      access_token: token.token,
      scope: shop.grantedScopes.join(","),
      expires_in: seconds,
      refresh_token: refresh,
      refresh_token_expires_in: 90 * 86_400,
    };
  };

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", baseUrl || "http://localhost");
      const parts = url.pathname.split("/").filter(Boolean);

      // https://<shop>/admin/... arrives as /store/<shop>/admin/...
      if (parts[0] === "store" && parts[1]?.endsWith(".myshopify.com")) {
        const shop = store.shops.get(parts[1]);
        if (!shop) return send(res, 404, { errors: "Not Found" });
        const rest = `/${parts.slice(2).join("/")}`;
        if (req.method === "POST" && rest === "/admin/oauth/access_token") {
          const raw = await readBody(req);
          const form = (req.headers["content-type"] ?? "").includes("json")
            ? (JSON.parse(raw) as Record<string, string>)
            : Object.fromEntries(new URLSearchParams(raw));
          const result = exchangeToken(shop, form);
          return send(res, result.status, result.body);
        }
        const graphqlPath = rest.match(/^\/admin\/api\/([\w-]+)\/graphql\.json$/);
        if (req.method === "POST" && graphqlPath) {
          const token = store.authenticate(shop.domain, (req.headers["x-shopify-access-token"] as string) ?? null);
          if (!token) return send(res, 401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
          const body = JSON.parse(await readBody(req));
          const result = await graphql.run(shop.domain, body);
          return send(res, 200, result, { "X-Shopify-API-Version": graphqlPath[1] });
        }
        return send(res, 404, { errors: "Not Found" });
      }

      // Bulk operation results (Shopify serves them from storage.googleapis.com).
      if (req.method === "GET" && (await bulkOperations.serveResult(url.pathname, res))) return;

      // The admin's CDN: the App Bridge script an embedded app loads.
      if (req.method === "GET" && url.pathname === "/cdn/app-bridge.js") {
        res.writeHead(200, { "Content-Type": "application/javascript; charset=utf-8", "Cache-Control": "no-store" });
        return res.end(appBridgeScript());
      }

      // The admin itself: /store/<name>/apps/<app> frames the app with a fresh id_token.
      if (req.method === "GET" && parts[0] === "admin" && parts[1] === "store" && parts[2]) {
        const shop = store.shops.get(`${parts[2]}.myshopify.com`);
        if (!shop) return send(res, 404, "No such store in the fake admin");
        const staffId = url.searchParams.get("staff") ?? shop.staff[0].id;
        const staff = shop.staff.find((s) => s.id === staffId) ?? shop.staff[0];
        const appPath = `/${parts.slice(5).join("/")}`.replace(/\/$/, "") || "";
        res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
        return res.end(adminHostPage({ shop, staff, appUrl: options.appUrl, apiKey: options.apiKey, apiSecret: options.apiSecret, appPath, fakeUrl: baseUrl }));
      }

      // The admin page asks for a fresh session token for its frame (App Bridge's idToken()).
      if (req.method === "POST" && url.pathname === "/admin/session-token") {
        const body = JSON.parse(await readBody(req)) as { shop: string; staff: string };
        const shop = store.shops.get(body.shop);
        if (!shop) return send(res, 404, { error: "no such shop" });
        return send(res, 200, { token: mintSessionToken({ apiKey: options.apiKey, apiSecret: options.apiSecret, shop: shop.domain, sub: body.staff }) });
      }

      if (req.method === "GET" && (url.pathname === "/" || url.pathname === "/admin")) {
        const first = store.shops.values().next().value as FakeShop | undefined;
        if (first) {
          res.writeHead(302, { Location: `/admin/store/${first.domain.replace(".myshopify.com", "")}/apps/wafa` });
          return res.end();
        }
      }
      return send(res, 404, { errors: "Not Found" });
    } catch (error) {
      return send(res, 500, { errors: (error as Error).message });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  // "localhost", like the app's URL, so the admin page and the app's frame are the same site
  // and the browser does not treat the app's storage as third-party.
  baseUrl = `http://localhost:${address.port}`;
  bulkOperations.setBaseUrl(baseUrl);

  return {
    url: baseUrl,
    store,
    graphql,
    bulkOperations,
    options,
    addShop: (shop) => store.addShop(shop),
    mintSessionToken: (mint) => mintSessionToken({ apiKey: options.apiKey, apiSecret: options.apiSecret, ...mint }),
    deliverWebhook: (delivery) => deliverWebhook(options.appUrl, delivery, options.apiSecret),
    openAppAsAdmin: async (domain, staffId) => {
      const shop = store.requireShop(domain);
      const staff = shop.staff.find((s) => s.id === staffId) ?? shop.staff[0];
      const url = adminFrameUrl({ shop, staff, appUrl: options.appUrl, apiKey: options.apiKey, apiSecret: options.apiSecret });
      // A browser's user agent: the app answers bots with 410, as Shopify's library does.
      const response = await fetch(url, { headers: { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36" } });
      await response.arrayBuffer();
      return response.status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
