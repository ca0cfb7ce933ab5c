/**
 * Browser tests: `npm run demo`'s script in its own process and a headless Chromium, plus a page
 * opened in the demo's Shopify admin as one of its staff (the app loads in the #app-frame iframe).
 */
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { startDemo, type DemoProcess } from "./demo-process";
import { findFreePort } from "../../scripts/lib/demo-config";

export const ARTIFACTS = path.resolve(import.meta.dirname, "..", "..", "test-artifacts");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// A desktop Chrome user agent: the library answers "HeadlessChrome" (a bot) with 410.
const DESKTOP_CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

export interface BrowserDemo {
  demo: DemoProcess;
  browser: Browser;
  /** Opens `appPath` of the demo admin as staff `staff` (1 Arabic, 2 English); page errors are collected. */
  openAdmin(appPath: string, staff: string, viewport?: { width: number; height: number }): Promise<{ page: Awaited<ReturnType<Browser["newPage"]>>; frame: ReturnType<Awaited<ReturnType<Browser["newPage"]>>["frameLocator"]>; errors: string[] }>;
  stop(): Promise<void>;
}

/** Starts the demo (ports from `basePort` and `basePort + 100` up) and Chromium. */
export async function startBrowserDemo({ basePort }: { basePort: number }): Promise<BrowserDemo> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const demo = await startDemo({
    dataDir: process.env.WAFA_E2E_DATA_DIR ?? ".data/e2e-pg",
    port: await findFreePort(basePort),
    fakePort: await findFreePort(basePort + 100),
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  return {
    demo,
    browser,
    async openAdmin(appPath, staff, viewport = { width: 1280, height: 800 }) {
      const page = await browser.newPage({ viewport, userAgent: DESKTOP_CHROME });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${demo.url}${appPath}?staff=${staff}`);
      return { page, frame: page.frameLocator("#app-frame"), errors };
    },
    async stop() {
      await browser.close();
      await demo.stop();
    },
  };
}
