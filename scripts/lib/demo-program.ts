/**
 * The demo shop's loyalty program: saved once (a first version dated before the demo's order
 * history, so the backfilled orders earn as they would have), before the install starts the
 * backfill. A merchant's later edits in the demo are new versions and are kept between runs.
 */
import pg from "pg";
import { parseProgramSettings } from "../../app/domain/loyalty/settings";

export const DEMO_PROGRAM = parseProgramSettings({
  enabled: true,
  currency: "SAR",
  earn: {
    pointsPerUnit: "1",
    rounding: "FLOOR",
    includeShipping: false,
    includeTaxes: false,
    channelMultipliers: { online: "1", pos: "1.5" },
    branchMultipliers: {},
    signupBonusPoints: 50,
    birthdayBonusPoints: 100,
  },
  tiers: [
    { id: "silver", name: { en: "Silver", ar: "فضي" }, thresholdMinor: 100_000, earnMultiplier: "1.25", benefits: { en: "Free gift wrapping", ar: "تغليف هدايا مجاني" } },
    { id: "gold", name: { en: "Gold", ar: "ذهبي" }, thresholdMinor: 500_000, earnMultiplier: "1.5", benefits: { en: "Free delivery and early access to sales", ar: "توصيل مجاني ووصول مبكر للتخفيضات" } },
  ],
  pendingDays: 14,
  expiry: { kind: "AFTER_EARNING", months: 12 },
  maxOrderSharePercent: 50,
  rewards: [
    { id: "sar-25", name: { en: "25 SAR off", ar: "خصم ٢٥ ريال" }, kind: "FIXED_AMOUNT", pointsCost: 500, amountMinor: 2_500, minOrderMinor: 10_000 },
    { id: "ten-percent", name: { en: "10% off", ar: "خصم ١٠٪" }, kind: "PERCENTAGE", pointsCost: 1_500, percent: 10, maxDiscountMinor: 20_000 },
    { id: "free-shipping", name: { en: "Free shipping", ar: "شحن مجاني" }, kind: "FREE_SHIPPING", pointsCost: 300 },
  ],
  negativeBalancePolicy: "RECORD_SHORTFALL",
});

/** Saves the demo program as version 1 unless the shop already has settings; true when it did. */
export async function ensureDemoProgram(databaseUrl: string, shop: string, effectiveFrom: Date): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query(
      `insert into "LoyaltySettingsVersion" (shop, version, "effectiveFrom", settings, "createdBy")
       select $1, 1, $2, $3, 'demo' where not exists (select 1 from "LoyaltySettingsVersion" where shop = $1)`,
      [shop, effectiveFrom, JSON.stringify(DEMO_PROGRAM)],
    );
    return rowCount === 1;
  } finally {
    await client.end();
  }
}
