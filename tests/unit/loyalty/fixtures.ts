import { parseProgramSettings, type ProgramSettings, type ProgramSettingsInput, type SettingsVersion } from "~/domain/loyalty/settings";
import type { EarnableAmounts } from "~/domain/loyalty/earn";

export const RIYADH_BRANCH = "gid://shopify/Location/1001";
export const JEDDAH_BRANCH = "gid://shopify/Location/1002";

/** A valid, enabled program in `currency`, with overrides merged at the top level and in `earn`. */
export function makeSettings(
  currency = "SAR",
  overrides: Partial<Omit<ProgramSettingsInput, "earn">> & { earn?: Partial<ProgramSettingsInput["earn"]> } = {},
): ProgramSettings {
  const { earn, ...rest } = overrides;
  return parseProgramSettings({
    enabled: true,
    currency,
    earn: {
      pointsPerUnit: "1",
      rounding: "FLOOR",
      includeShipping: false,
      includeTaxes: false,
      channelMultipliers: { online: "1", pos: "1" },
      branchMultipliers: {},
      signupBonusPoints: 100,
      birthdayBonusPoints: 200,
      ...earn,
    },
    pendingDays: 14,
    ...rest,
  });
}

export function makeVersion(version: number, settings: ProgramSettings, effectiveFrom = new Date("2026-01-01T00:00:00Z")): SettingsVersion {
  return { version, settings, effectiveFrom };
}

/** Order amounts with no tax, shipping or gift cards unless given. */
export function makeAmounts(currency: string, lineItemsMinor: number, extra: Partial<EarnableAmounts> = {}): EarnableAmounts {
  return {
    currency,
    lineItemsMinor,
    giftCardLineItemsMinor: 0,
    lineItemsTaxMinor: 0,
    shippingMinor: 0,
    shippingTaxMinor: 0,
    taxesIncluded: false,
    ...extra,
  };
}

export const GOLD_TIERS = [
  { id: "silver", name: { en: "Silver", ar: "فضي" }, thresholdMinor: 0, earnMultiplier: "1" },
  { id: "gold", name: { en: "Gold", ar: "ذهبي" }, thresholdMinor: 500_000, earnMultiplier: "1.5", benefits: { en: "Free delivery", ar: "توصيل مجاني" } },
  { id: "platinum", name: { en: "Platinum", ar: "بلاتيني" }, thresholdMinor: 2_000_000, earnMultiplier: "2" },
];
