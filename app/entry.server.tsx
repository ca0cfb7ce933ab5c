import { PassThrough } from "node:stream";
import { renderToPipeableStream } from "react-dom/server";
import { RemixServer } from "@remix-run/react";
import { createReadableStreamFromReadable, type EntryContext } from "@remix-run/node";
import { isbot } from "isbot";
import { addDocumentResponseHeaders } from "./shopify.server";
import { env } from "./env.server";

/** Demo and tests only: the local fake admin (SHOPIFY_FAKE_URL) may frame the app, as admin.shopify.com does. */
function allowFakeAdminToFrame(headers: Headers) {
  if (!env.SHOPIFY_FAKE_URL) return;
  const csp = headers.get("Content-Security-Policy");
  const origin = new URL(env.SHOPIFY_FAKE_URL).origin;
  if (csp?.includes("frame-ancestors")) headers.set("Content-Security-Policy", csp.replace("frame-ancestors", `frame-ancestors ${origin}`));
  // The library preloads App Bridge from Shopify's CDN; offline, the page loads APP_BRIDGE_URL instead.
  const link = headers.get("Link");
  if (link && env.APP_BRIDGE_URL) headers.set("Link", link.replace("https://cdn.shopify.com/shopifycloud/app-bridge.js", env.APP_BRIDGE_URL));
}

const ABORT_DELAY = 5000;

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  // Frame-ancestors and other headers Shopify requires of an embedded app's documents.
  addDocumentResponseHeaders(request, responseHeaders);
  allowFakeAdminToFrame(responseHeaders);
  const callbackName = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} />, {
      [callbackName]: () => {
        const body = new PassThrough();
        const stream = createReadableStreamFromReadable(body);
        responseHeaders.set("Content-Type", "text/html");
        resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError(error: unknown) {
        reject(error);
      },
      onError(error: unknown) {
        responseStatusCode = 500;
        console.error(error);
      },
    });
    setTimeout(abort, ABORT_DELAY);
  });
}

// The server build is the one bundle of app code: `npm start` and `npm run worker` start the
// job workers from it, so web and workers run the same code.
export { startJobWorkers } from "./jobs/worker.server";
