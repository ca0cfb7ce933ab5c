/**
 * The HTTP server around the Remix build: static assets, the Remix request handler, and a clear
 * message (not a hang) when the port is taken.
 */
import http from "node:http";
import path from "node:path";
import express from "express";
import compression from "compression";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import { ROOT } from "./database.js";
import { DeliveryHeaders, WebhookDelivery } from "../../app/shopify/webhook-delivery.js";

export async function loadServerBuild(): Promise<ServerBuild> {
  const buildPath = path.join(ROOT, "build", "index.js");
  return (await import(buildPath)) as ServerBuild;
}

type RouteAction = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<Response>;

/**
 * The webhook routes' own actions by URL path (/webhooks/orders/create …), from the server build.
 * Webhooks are the one path where the app answers hundreds of machine requests a second, and
 * Remix adds nothing there (no loaders, no document, no session): a POST to one of these paths is
 * handed straight to the route's action — the same code Remix would call, with the same
 * authenticate.webhook HMAC check inside it (given a WebhookDelivery for its request).
 * Everything else goes through Express and Remix.
 */
function webhookActions(build: ServerBuild): Map<string, RouteAction> {
  const actions = new Map<string, RouteAction>();
  const fullPath = (id: string | undefined): string => {
    const route = id ? build.routes[id] : undefined;
    if (!route) return "";
    const parent = fullPath(route.parentId);
    return route.path ? `${parent}/${route.path}` : parent;
  };
  for (const route of Object.values(build.routes)) {
    const action = (route.module as { action?: RouteAction }).action;
    const path = fullPath(route.id);
    // Static paths only: a dynamic segment or splat needs Remix's matching.
    if (action && route.id.startsWith("routes/webhooks.") && !/[:*$]/.test(path)) actions.set(path, action);
  }
  return actions;
}

async function answerWebhook(action: RouteAction, req: http.IncomingMessage, res: http.ServerResponse) {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new DeliveryHeaders();
    // Only what a webhook handler reads (Shopify's X-Shopify-* headers and the content type): the
    // library canonicalizes every header name on each of its header lookups, so proxies' and
    // clients' extra headers (forwarding, user agent, encodings…) cost time on every delivery.
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i];
      if (/^(x-shopify-|content-type$)/i.test(name)) headers.append(name, req.rawHeaders[i + 1]);
    }
    const text = chunks.length === 1 ? chunks[0].toString("utf8") : Buffer.concat(chunks).toString("utf8");
    // The body's UTF-8 as sent (a byte-order mark is kept: the signature covers it).
    const request = new WebhookDelivery("POST", `http://${req.headers.host ?? "localhost"}${req.url}`, headers, text).asRequest();
    let response: Response;
    try {
      response = await action({ request, params: {}, context: {} });
    } catch (thrown) {
      // Remix semantics: a thrown Response is the answer (the library throws 401/400/405 this way).
      if (!(thrown instanceof Response)) throw thrown;
      response = thrown;
    }
    const body = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(body);
  } catch (error) {
    console.error("webhook:", error);
    if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
    res.end("Internal Server Error");
  }
}

export async function startHttpServer(options: { build: ServerBuild; port: number; host?: string }): Promise<http.Server> {
  const app = express();
  app.disable("x-powered-by");
  // Webhook answers have no body worth compressing; skipping the middleware there saves work on
  // the busiest path.
  app.use(compression({ filter: (req, res) => !req.path.startsWith("/webhooks/") && compression.filter(req, res) }));
  app.use("/build", express.static(path.join(ROOT, "public", "build"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(ROOT, "public"), { maxAge: "1h" }));
  app.all("*", createRequestHandler({ build: options.build, mode: process.env.NODE_ENV }));
  const webhooks = webhookActions(options.build);
  const server = http.createServer((req, res) => {
    const action = req.method === "POST" ? webhooks.get((req.url ?? "").split("?")[0]) : undefined;
    if (action) void answerWebhook(action, req, res);
    else app(req, res);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") {
        reject(new Error(`Port ${options.port} is already in use. Stop the other process or set PORT to a free port.`));
      } else reject(error);
    });
    server.listen(options.port, options.host ?? "0.0.0.0", () => resolve());
  });
  return server;
}
