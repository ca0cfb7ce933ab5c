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

export async function loadServerBuild(): Promise<ServerBuild> {
  const buildPath = path.join(ROOT, "build", "index.js");
  return (await import(buildPath)) as ServerBuild;
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
  const server = http.createServer(app);
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
