import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, startBrowserDemo, type BrowserDemo } from "../support/browser-demo";

let session: BrowserDemo;

beforeAll(async () => {
  session = await startBrowserDemo({ basePort: 3300 });
});

afterAll(async () => {
  await session?.stop();
});

const openAdmin = (staff: string) => session.openAdmin("", staff);

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
