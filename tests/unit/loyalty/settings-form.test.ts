import { describe, expect, it } from "vitest";
import { defaultSettings, parseProgramSettings } from "~/domain/loyalty/settings";
import { fromSettingsFormValues, nextRowId, toAsciiNumber, toSettingsFormValues } from "~/domain/loyalty/settings-form";

const program = (currency: string, unit: number) =>
  parseProgramSettings({
    ...defaultSettings(currency),
    enabled: true,
    earn: { ...defaultSettings(currency).earn, pointsPerUnit: "1.25", branchMultipliers: { "gid://shopify/Location/3": "2" } },
    tiers: [{ id: "gold", name: { en: "Gold", ar: "ذهبي" }, thresholdMinor: 1000 * unit + 1, earnMultiplier: "1.5" }],
    expiry: { kind: "AFTER_INACTIVITY", months: 18 },
    rewards: [
      { id: "off", name: { en: "Off", ar: "خصم" }, kind: "FIXED_AMOUNT", pointsCost: 500, amountMinor: 25 * unit, minOrderMinor: 7 },
      { id: "pct", name: { en: "Pct", ar: "نسبة" }, kind: "PERCENTAGE", pointsCost: 900, percent: 10, maxDiscountMinor: 3 * unit },
      { id: "ship", name: { en: "Ship", ar: "شحن" }, kind: "FREE_SHIPPING", pointsCost: 300, maxShippingMinor: null },
    ],
  });

describe("settings form conversion", () => {
  it.each([
    ["JPY", 1, "1001", "7"],
    ["SAR", 100, "1000.01", "0.07"],
    ["KWD", 1000, "1000.001", "0.007"],
  ])("round-trips every field of a %s program through the form's major units", (currency, unit, threshold, minOrder) => {
    const settings = program(currency, unit);
    const form = toSettingsFormValues(settings);
    expect(form.tiers[0].threshold).toBe(threshold);
    expect(form.rewards[0].minOrder).toBe(minOrder);
    const { input, fieldErrors } = fromSettingsFormValues(JSON.parse(JSON.stringify(form)), currency);
    expect(fieldErrors).toEqual({});
    expect(parseProgramSettings(input)).toEqual(settings);
  });

  it("reads Arabic-Indic digits and the Arabic decimal separator", () => {
    expect(toAsciiNumber(" ١٢٣٫٥٠ ")).toBe("123.50");
    expect(toAsciiNumber("۱۰")).toBe("10");
    const form = { ...toSettingsFormValues(program("SAR", 100)), pendingDays: "٧" };
    form.tiers[0].threshold = "١٠٠٠٫٥";
    const { input } = fromSettingsFormValues(form, "SAR");
    expect(parseProgramSettings(input)).toMatchObject({ pendingDays: 7, tiers: [{ thresholdMinor: 100_050 }] });
  });

  it("reports money it cannot convert and required numbers under the schema's paths", () => {
    const form = toSettingsFormValues(program("KWD", 1000));
    form.tiers[0].threshold = "1.0005";
    form.rewards[0].amount = "";
    form.rewards[1].maxDiscount = "abc";
    form.rewards[2].pointsCost = "";
    const { fieldErrors } = fromSettingsFormValues(form, "KWD");
    expect(fieldErrors).toEqual({
      "tiers.0.thresholdMinor": ["At most 3 decimal places for this currency"],
      "rewards.0.amountMinor": ["Required"],
      "rewards.1.maxDiscountMinor": ["Must be an amount such as 10.50"],
      "rewards.2.pointsCost": ["Required"],
    });
  });

  it("gives new rows ids no other row has", () => {
    expect(nextRowId("tier", [])).toBe("tier-1");
    expect(nextRowId("tier", ["tier-2", "gold"])).toBe("tier-3");
    expect(nextRowId("tier", ["tier-2", "tier-3"])).toBe("tier-4");
  });
});
