import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { startDemo, type DemoProcess } from "../support/demo-process";
import { findFreePort } from "../../scripts/lib/demo-config";

const ARTIFACTS = path.resolve(import.meta.dirname, "..", "..", "test-artifacts");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const DESKTOP_CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
let demo: DemoProcess;
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  demo = await startDemo({ dataDir: process.env.WAFA_E2E_DATA_DIR ?? ".data/e2e-pg", port: await findFreePort(3300), fakePort: await findFreePort(3400) });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

async function openAdmin(staff: string) {
  // A desktop Chrome user agent: the library answers "HeadlessChrome" (a bot) with 410.
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, userAgent: DESKTOP_CHROME });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${demo.url}?staff=${staff}`);
  const frame = page.frameLocator("#app-frame");
  return { page, frame, errors };
}

describe("the demo in a real browser", () => {
  it("renders the embedded home page in Arabic, right to left, for an Arabic-speaking admin", async () => {
    const { page, frame, errors } = await openAdmin("1");
    await expect.poll(() => frame.getByRole("heading", { name: "وفاء للولاء" }).count(), { timeout: 30_000 }).toBe(1);
    const appFrame = page.frame({ name: "app-iframe" })!;
    expect(await appFrame.evaluate(() => document.documentElement.dir)).toBe("rtl");
    expect(await appFrame.evaluate(() => document.documentElement.lang)).toBe("ar");
    await expect.poll(() => frame.getByText("متجرك").count()).toBeGreaterThan(0);
    // The navigation App Bridge publishes reaches the admin's side menu.
    await expect.poll(() => page.locator("#app-nav a").allTextContents()).toContain("الرئيسية");
    await page.screenshot({ path: path.join(ARTIFACTS, "home-ar.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("renders the embedded home page in English, left to right, for an English-speaking admin", async () => {
    const { page, frame, errors } = await openAdmin("2");
    await expect.poll(() => frame.getByRole("heading", { name: "Wafa loyalty" }).count(), { timeout: 30_000 }).toBe(1);
    const appFrame = page.frame({ name: "app-iframe" })!;
    expect(await appFrame.evaluate(() => document.documentElement.dir)).toBe("ltr");
    await expect.poll(() => frame.getByText("SAR").count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, "home-en.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
