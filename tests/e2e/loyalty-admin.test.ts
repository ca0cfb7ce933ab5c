import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres } from "../../scripts/lib/embedded-postgres";
import { DEMO_SHOP } from "../support/fake-shopify/demo-shop";
import pg from "pg";
import { ARTIFACTS, startBrowserDemo, type BrowserDemo } from "../support/browser-demo";

let session: BrowserDemo;

beforeAll(async () => {
  session = await startBrowserDemo({ basePort: 3500 });
});

afterAll(async () => {
  await session?.stop();
});

const openAdmin = (appPath: string, staff: string) => session.openAdmin(appPath, staff, { width: 1280, height: 1000 });

describe("loyalty program admin in a real browser", () => {
  it("refuses bad tiers with Arabic field errors, then saves a new version by the staff member", async () => {
    const { page, frame, errors } = await openAdmin("/loyalty", "1");
    await expect.poll(() => frame.getByRole("heading", { name: "برنامج الولاء" }).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    // The demo program has two tiers (Silver from 1000 SAR, Gold from 5000 SAR); tiers come before rewards.
    const threshold = frame.getByLabel("الإنفاق خلال 12 شهرًا (SAR)");
    const arabicName = frame.getByLabel("الاسم (بالعربية)");
    await expect.poll(() => threshold.count()).toBeGreaterThanOrEqual(2);
    await arabicName.nth(0).fill("");
    await threshold.nth(1).fill("5000.555");
    await frame.getByRole("button", { name: "حفظ" }).last().click();
    await expect.poll(() => frame.getByText("بحد أقصى ٢ منازل عشرية لهذه العملة").count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => frame.getByText("مطلوب").count()).toBeGreaterThan(0);

    await arabicName.nth(0).fill("فضي");
    await threshold.nth(1).fill("5000.50");
    // A value no earlier run saved, so this save is always a new version.
    await frame.getByLabel("مكافأة التسجيل (نقاط)").fill(String(Date.now() % 100_000));
    await frame.getByRole("button", { name: "حفظ" }).last().click();
    await expect.poll(() => frame.getByText(/حُفظت كنسخة/).count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => frame.getByText("نورة القحطاني").count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await threshold.nth(1).inputValue()).toBe("5000.50");
    await page.screenshot({ path: path.join(ARTIFACTS, "loyalty-settings-ar.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("renders the points liability page with its chart after hydration", async () => {
    // A wallet with points in three expiry months, written into the demo's database for this test
    // and removed after it (the demo's own orders may not have earned yet).
    const { serverUrl } = await startPostgres({ dataDir: process.env.WAFA_E2E_DATA_DIR ?? ".data/e2e-pg" });
    const db = new pg.Client({ connectionString: `${serverUrl}/wafa` });
    await db.connect();
    const profileId = `e2e-liability-${Date.now()}`;
    try {
      await db.query(`insert into "LoyaltyWallet" (shop, "profileId", "balancePoints", "tierId") values ($1, $2, 600, 'gold')`, [DEMO_SHOP, profileId]);
      await db.query(
        `insert into "LoyaltyLot" (shop, id, "profileId", points, "remainingPoints", "earnedAt", "availableAt", "expiresAt")
         select $1, $2 || ':' || i, $2, 200, 200, now() - interval '30 days', now() - interval '16 days', now() + (i || ' months')::interval
           from generate_series(1, 3) i`,
        [DEMO_SHOP, profileId],
      );
      const { page, frame, errors } = await openAdmin("/loyalty/liability", "2");
      await expect.poll(() => frame.getByRole("heading", { name: "Points liability" }).count(), { timeout: 30_000 }).toBeGreaterThan(0);
      await expect.poll(() => frame.getByText("By expiry month").count()).toBe(1);
      // polaris-viz draws its bars as SVG once the page has hydrated.
      await expect.poll(() => frame.locator("svg [data-type]").count(), { timeout: 15_000 }).toBeGreaterThan(0);
      await page.screenshot({ path: path.join(ARTIFACTS, "loyalty-liability-en.png"), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await db.query(`delete from "LoyaltyLot" where shop = $1 and "profileId" = $2`, [DEMO_SHOP, profileId]);
      await db.query(`delete from "LoyaltyWallet" where shop = $1 and "profileId" = $2`, [DEMO_SHOP, profileId]);
      await db.end();
    }
  });

  it("adjusts a customer's points from the profile page and shows the entry in the timeline", async () => {
    const { page, frame, errors } = await openAdmin("/customers", "2");
    await expect.poll(() => frame.getByRole("heading", { name: "Customers" }).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    // The demo stores and resolves its seeded customers in the background: reload until they are listed.
    await expect.poll(async () => {
      const links = await frame.locator("a[href*='/app/customers/']").count();
      if (links === 0) await page.reload();
      return links;
    }, { timeout: 90_000, interval: 3_000 }).toBeGreaterThan(0);
    await frame.locator("a[href*='/app/customers/']").first().click();
    await expect.poll(() => frame.getByRole("heading", { name: "Loyalty wallet" }).count(), { timeout: 30_000 }).toBe(1);
    const reason = `Goodwill e2e ${Date.now()}`;
    await frame.getByLabel("Points", { exact: true }).fill("+7");
    await frame.getByLabel("Reason", { exact: true }).fill(reason);
    await frame.getByRole("button", { name: "Adjust" }).click();
    await expect.poll(() => frame.getByText(/^Adjusted\. New balance:/).count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => frame.getByText(`Reason: ${reason}`).count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => frame.getByText("By Sarah Collins").count(), { timeout: 15_000 }).toBeGreaterThan(0);
    // A reason is required: the field says so and nothing is applied.
    await frame.getByLabel("Points", { exact: true }).fill("5");
    await frame.getByRole("button", { name: "Adjust" }).click();
    await expect.poll(() => frame.getByText("Say why the points are adjusted").count(), { timeout: 15_000 }).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, "loyalty-wallet-en.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
