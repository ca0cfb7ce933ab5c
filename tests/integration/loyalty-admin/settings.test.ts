import { describe, expect, it } from "vitest";
import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import { I18nProvider } from "~/i18n/i18n-context";
import { useFieldErrorText } from "~/components/loyalty/field-errors";
import prisma from "~/db.server";
import LoyaltySettings, { action, loader } from "~/routes/app.loyalty";
import type { SettingsFormValues } from "~/domain/loyalty/settings-form";
import { storeOrders } from "~/services/store-orders.server";
import { installTestShop } from "../../support/install";
import { orderRecord } from "../../factories/records";
import { adminPost, adminRequest, renderPage, responseOf } from "./support";

type LoaderData = {
  currency: string;
  version: number | null;
  values: SettingsFormValues;
  history: Array<{ version: number; effectiveFrom: string; createdBy: string | null }>;
  branches: Array<{ locationGid: string; name: string | null }>;
};
type ActionBody = { ok?: true; status?: string; version?: number; code?: string; fieldErrors?: Record<string, string[]> };

const load = (shop: string) => responseOf<LoaderData>(loader({ request: adminRequest(shop, "/app/loyalty"), params: {}, context: {} }));
const save = (shop: string, values: unknown) =>
  responseOf<ActionBody>(action({ request: adminPost(shop, "/app/loyalty", { settings: JSON.stringify(values) }), params: {}, context: {} }));

/** A complete program as the form submits it, in KWD (3 decimals). */
function kwdProgram(): SettingsFormValues {
  return {
    enabled: true,
    pointsPerUnit: "2.50",
    rounding: "HALF_UP",
    includeShipping: true,
    includeTaxes: false,
    onlineMultiplier: "1",
    posMultiplier: "1.5",
    branchMultipliers: { "gid://shopify/Location/7": "2", "gid://shopify/Location/8": "" },
    signupBonusPoints: "٥٠",
    birthdayBonusPoints: "100",
    tiers: [
      { id: "tier-1", nameEn: "Silver", nameAr: "فضي", threshold: "100", earnMultiplier: "1.1", benefitsEn: "", benefitsAr: "" },
      { id: "tier-2", nameEn: "Gold", nameAr: "ذهبي", threshold: "1000.500", earnMultiplier: "1.5", benefitsEn: "Free gift wrap", benefitsAr: "تغليف مجاني" },
    ],
    pendingDays: "14",
    expiryKind: "AFTER_EARNING",
    expiryMonths: "12",
    maxOrderSharePercent: "50",
    rewards: [
      { id: "reward-1", nameEn: "5 KWD off", nameAr: "خصم 5 د.ك", enabled: true, kind: "FIXED_AMOUNT", pointsCost: "500", minOrder: "20.250", amount: "5", percent: "", maxDiscount: "", maxShipping: "" },
      { id: "reward-2", nameEn: "10% off", nameAr: "خصم 10٪", enabled: true, kind: "PERCENTAGE", pointsCost: "800", minOrder: "", amount: "", percent: "10", maxDiscount: "3.500", maxShipping: "" },
      { id: "reward-3", nameEn: "Free shipping", nameAr: "شحن مجاني", enabled: false, kind: "FREE_SHIPPING", pointsCost: "200", minOrder: "", amount: "", percent: "", maxDiscount: "", maxShipping: "" },
    ],
    negativeBalancePolicy: "RECORD_SHORTFALL",
  };
}

describe("loyalty program settings page", () => {
  it("shows the defaults in the shop's currency before the first save", async () => {
    const { shop } = await installTestShop({ currencyCode: "KWD" });
    const { body } = await load(shop);
    expect(body.version).toBeNull();
    expect(body.currency).toBe("KWD");
    expect(body.values).toMatchObject({ enabled: false, pointsPerUnit: "1", pendingDays: "14", expiryKind: "NONE", negativeBalancePolicy: "RECORD_SHORTFALL" });
    expect(body.values.rewards[0]).toMatchObject({ kind: "FIXED_AMOUNT", pointsCost: "500", amount: "25.000" });
    expect(body.history).toEqual([]);
  });

  it("saves every field as a new version in minor units, records who saved it, and skips a save that changes nothing", async () => {
    const { shop } = await installTestShop({ currencyCode: "KWD" });
    const first = await save(shop, kwdProgram());
    expect(first).toEqual({ status: 200, body: { ok: true, status: "CREATED", version: 1 } });

    const stored = await prisma.loyaltySettingsVersion.findMany({ where: { shop } });
    expect(stored).toHaveLength(1);
    expect(stored[0].createdBy).toBe("Store Owner");
    expect(Math.abs(stored[0].effectiveFrom.getTime() - Date.now())).toBeLessThan(60_000);
    expect(stored[0].settings).toMatchObject({
      enabled: true,
      currency: "KWD",
      earn: {
        pointsPerUnit: "2.5",
        rounding: "HALF_UP",
        includeShipping: true,
        includeTaxes: false,
        channelMultipliers: { online: "1", pos: "1.5" },
        branchMultipliers: { "gid://shopify/Location/7": "2" },
        signupBonusPoints: 50,
        birthdayBonusPoints: 100,
      },
      tiers: [
        { id: "tier-1", thresholdMinor: 100_000, earnMultiplier: "1.1" },
        { id: "tier-2", thresholdMinor: 1_000_500, earnMultiplier: "1.5", benefits: { en: "Free gift wrap", ar: "تغليف مجاني" } },
      ],
      pendingDays: 14,
      expiry: { kind: "AFTER_EARNING", months: 12 },
      maxOrderSharePercent: 50,
      rewards: [
        { id: "reward-1", kind: "FIXED_AMOUNT", pointsCost: 500, amountMinor: 5000, minOrderMinor: 20_250, enabled: true },
        { id: "reward-2", kind: "PERCENTAGE", percent: 10, maxDiscountMinor: 3500, minOrderMinor: 0 },
        { id: "reward-3", kind: "FREE_SHIPPING", enabled: false, maxShippingMinor: null },
      ],
      negativeBalancePolicy: "RECORD_SHORTFALL",
    });

    // The page shows what was stored, canonical and in major units.
    const page = await load(shop);
    expect(page.body.version).toBe(1);
    expect(page.body.values.pointsPerUnit).toBe("2.5");
    expect(page.body.values.tiers.map((tier) => tier.threshold)).toEqual(["100.000", "1000.500"]);
    expect(page.body.values.rewards[0]).toMatchObject({ amount: "5.000", minOrder: "20.250" });

    // Submitting the page as shown again is not a new version.
    expect((await save(shop, page.body.values)).body).toEqual({ ok: true, status: "UNCHANGED", version: 1 });
    const changed = { ...page.body.values, pointsPerUnit: "3" };
    expect((await save(shop, changed)).body).toEqual({ ok: true, status: "CREATED", version: 2 });

    const history = (await load(shop)).body.history;
    expect(history.map((row) => [row.version, row.createdBy])).toEqual([[2, "Store Owner"], [1, "Store Owner"]]);
  });

  it("answers 422 with field errors for a negative rate, overlapping tiers, a 0-point reward and bad money, and saves nothing", async () => {
    const { shop } = await installTestShop({ currencyCode: "JPY" });
    const values = kwdProgram();
    values.pointsPerUnit = "-1";
    values.tiers[1].threshold = "100"; // same threshold as the first tier
    values.rewards[0].pointsCost = "0";
    values.rewards[0].amount = "5.5"; // JPY has no decimals
    values.rewards[0].minOrder = "20";
    values.rewards[1].maxDiscount = "3";
    values.rewards[1].percent = "60"; // above the 50% share, reported once the fields parse
    values.expiryMonths = "twelve";
    values.pendingDays = " "; // blank is refused, not silently defaulted
    const { status, body } = await save(shop, values);
    expect(status).toBe(422);
    expect(body.code).toBe("VALIDATION_FAILED");
    expect(body.fieldErrors).toEqual({
      "earn.pointsPerUnit": ["Must be a non-negative decimal number such as 1.5"],
      "tiers.1.thresholdMinor": ["Two tiers cannot have the same threshold"],
      "rewards.0.pointsCost": ["Must be at least 1"],
      "rewards.0.amountMinor": ["At most 0 decimal places for this currency"],
      "expiry.months": ["Must be a number"],
      pendingDays: ["Required"],
    });
    expect(await prisma.loyaltySettingsVersion.count({ where: { shop } })).toBe(0);

    // Once the field errors are fixed, the cross-field rule (reward percent vs max share) speaks.
    const fixed = { ...values, pointsPerUnit: "1", expiryMonths: "12", pendingDays: "14" };
    fixed.tiers = [values.tiers[0], { ...values.tiers[1], threshold: "1000" }];
    fixed.rewards = [{ ...values.rewards[0], pointsCost: "500", amount: "5" }, values.rewards[1], values.rewards[2]];
    const second = await save(shop, fixed);
    expect(second.status).toBe(422);
    expect(second.body.fieldErrors).toEqual({ "rewards.1.percent": ["Cannot exceed the maximum share of an order payable with points (50%)"] });
    expect(await prisma.loyaltySettingsVersion.count({ where: { shop } })).toBe(0);
  });

  it("answers 422 for a form that is not JSON", async () => {
    const { shop } = await installTestShop();
    const result = await responseOf<ActionBody>(action({ request: adminPost(shop, "/app/loyalty", { settings: "{not json" }), params: {}, context: {} }));
    expect(result.status).toBe(422);
    expect(Object.keys(result.body.fieldErrors ?? {})).toEqual([""]);
  });

  it("keeps each shop's versions to itself", async () => {
    const a = await installTestShop();
    const b = await installTestShop();
    await save(a.shop, { ...kwdProgram(), pointsPerUnit: "7" });
    expect((await load(b.shop)).body.version).toBeNull();
    expect((await load(b.shop)).body.values.pointsPerUnit).toBe("1");
    expect((await load(a.shop)).body.values.pointsPerUnit).toBe("7");
  });

  it("translates the schema's field errors into Arabic, numbers included", async () => {
    function Probe({ messages }: { messages: string[] }) {
      const translate = useFieldErrorText();
      return h("ul", null, messages.map((message) => h("li", { key: message }, translate(message))));
    }
    const html = renderToString(
      h(I18nProvider, {
        locale: "ar",
        children: h(Probe, { messages: ["Two tiers cannot have the same threshold", "Must be at least 1", "At most 0 decimal places for this currency", "Cannot exceed the maximum share of an order payable with points (50%)", "Something new"] }),
      }),
    );
    expect(html).toContain("لا يمكن أن يكون لمستويين الحد نفسه");
    expect(html).toContain("يجب ألا يقل عن ١");
    expect(html).toContain("بحد أقصى ٠ منازل عشرية لهذه العملة");
    expect(html).toContain("(٥٠%)");
    expect(html).toContain("Something new");
  });

  it("renders right to left with Arabic labels", async () => {
    const { shop } = await installTestShop();
    await storeOrders({ shop, orders: [orderRecord({ locationGid: "gid://shopify/Location/7", branchName: "فرع العليا" })], origin: "WEBHOOK" });
    const { body } = await load(shop);
    expect(body.branches).toEqual([{ locationGid: "gid://shopify/Location/7", name: "فرع العليا" }]);
    const html = await renderPage(shop, LoyaltySettings, body, "ar");
    expect(html).toContain('dir="rtl"');
    expect(html).toContain("برنامج الولاء");
    expect(html).toContain("النقاط لكل 1 SAR");
    expect(html).toContain("استرداد المتبقي وتسجيل الفرق");
    expect(html).toContain("فرع العليا");
    expect(html).not.toContain("Points per 1");
  });
});
