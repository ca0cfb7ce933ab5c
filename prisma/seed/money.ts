/**
 * Currencies the generator can price in. Amounts are integers in minor units with the currency's
 * own exponent (JPY 0, SAR 2, KWD 3) and are formatted as Shopify's decimal strings.
 */

export interface CurrencySpec {
  code: string;
  exponent: number;
  /** Units of this currency per 1 SAR, for converting the SAR catalogue. */
  perSar: number;
  /** Prices are rounded to a multiple of this many minor units (JPY to 10 yen, KWD to 5 fils). */
  priceStep: number;
  /** Default VAT / consumption tax rate of the matching country. */
  taxRate: number;
  country: string;
  countryName: string;
}

export const CURRENCIES: Record<string, CurrencySpec> = {
  SAR: { code: "SAR", exponent: 2, perSar: 1, priceStep: 1, taxRate: 0.15, country: "SA", countryName: "Saudi Arabia" },
  KWD: { code: "KWD", exponent: 3, perSar: 0.0819, priceStep: 5, taxRate: 0, country: "KW", countryName: "Kuwait" },
  JPY: { code: "JPY", exponent: 0, perSar: 40.2, priceStep: 10, taxRate: 0.1, country: "JP", countryName: "Japan" },
  AED: { code: "AED", exponent: 2, perSar: 0.979, priceStep: 100, taxRate: 0.05, country: "AE", countryName: "United Arab Emirates" },
  USD: { code: "USD", exponent: 2, perSar: 0.2667, priceStep: 1, taxRate: 0, country: "US", countryName: "United States" },
};

export function requireCurrency(code: string): CurrencySpec {
  const spec = CURRENCIES[code.toUpperCase()];
  if (!spec) {
    throw new Error(`Unsupported currency "${code}"; use one of ${Object.keys(CURRENCIES).join(", ")}`);
  }
  return spec;
}

/** Converts a SAR amount in halalas to this currency's minor units, rounded to its price step. */
export function fromHalalas(halalas: number, spec: CurrencySpec): number {
  const minor = (halalas / 100) * spec.perSar * 10 ** spec.exponent;
  return Math.max(spec.priceStep, Math.round(minor / spec.priceStep) * spec.priceStep);
}

const POWERS_OF_TEN = [1, 10, 100, 1000, 10000, 100000, 1000000];

/** 12950 -> "129.50" (SAR), 4015 -> "4.015" (KWD), 1200 -> "1200" (JPY). Integers only. */
export function formatMinor(minor: number, exponent: number): string {
  if (!Number.isSafeInteger(minor)) throw new Error(`Amount ${minor} is not an integer number of minor units`);
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  if (exponent === 0) return sign + abs;
  const scale = POWERS_OF_TEN[exponent];
  const whole = Math.floor(abs / scale);
  const fraction = String(abs - whole * scale);
  return sign + whole + "." + (fraction.length < exponent ? "0".repeat(exponent - fraction.length) + fraction : fraction);
}

/** "129.50" -> 12950 for exponent 2. Rejects strings with the wrong number of decimals. */
export function parseMinor(amount: string, exponent: number): number {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!match) throw new Error(`Not a decimal amount: "${amount}"`);
  const fraction = match[3] ?? "";
  if (fraction.length !== exponent) throw new Error(`"${amount}" should have ${exponent} decimals`);
  const value = Number(match[2]) * 10 ** exponent + (fraction ? Number(fraction) : 0);
  return match[1] ? -value : value;
}
