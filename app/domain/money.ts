/**
 * Money as integers: `amountMinor` in the currency's own minor unit (ISO 4217 exponent) plus a
 * currency code. Parsing, formatting and every product or ratio go through bigint, so no amount is
 * ever a float and no intermediate product loses precision.
 */
import { InvalidMoneyError } from "./errors";

export interface Money {
  amountMinor: number;
  currency: string;
}

/**
 * How a non-integer result becomes an integer. HALF_UP rounds halves away from zero (commercial
 * rounding), HALF_EVEN rounds halves to the even neighbour (banker's), FLOOR toward -infinity,
 * CEIL toward +infinity.
 */
export const ROUNDING_MODES = ["HALF_UP", "HALF_EVEN", "FLOOR", "CEIL"] as const;
export type RoundingMode = (typeof ROUNDING_MODES)[number];

/**
 * ISO 4217 exponents that are not 2. Covers every currency Shopify supports with 0 or 3 decimals;
 * any other well-formed code uses 2.
 */
export const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = Object.freeze({
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
});

const DEFAULT_EXPONENT = 2;
const CURRENCY_CODE = /^[A-Z]{3}$/;
const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Returns `value` if it is a well-formed ISO 4217 code (three upper-case letters); throws INVALID_MONEY otherwise. */
export function parseCurrencyCode(value: unknown): string {
  if (typeof value !== "string" || !CURRENCY_CODE.test(value)) {
    throw new InvalidMoneyError("INVALID_CURRENCY", `Invalid currency code: ${String(value)}`, {
      input: String(value),
    });
  }
  return value;
}

/** Number of decimal digits of the currency's minor unit: JPY 0, SAR 2, KWD 3; 2 for unlisted codes. */
export function getCurrencyExponent(currency: string): number {
  return CURRENCY_EXPONENTS[parseCurrencyCode(currency)] ?? DEFAULT_EXPONENT;
}

/** Converts a bigint to a number, throwing OUT_OF_RANGE instead of silently losing precision. */
export function toSafeNumber(value: bigint): number {
  if (value > MAX_SAFE || value < -MAX_SAFE) {
    throw new InvalidMoneyError("OUT_OF_RANGE", `Value ${value} exceeds the safe integer range`);
  }
  return Number(value);
}

function toBigInt(value: number | bigint, label: string): bigint {
  if (typeof value === "bigint") return value;
  if (!Number.isSafeInteger(value)) {
    throw new InvalidMoneyError("OUT_OF_RANGE", `${label} must be a safe integer, got ${value}`);
  }
  return BigInt(value);
}

/**
 * Divides two integers and rounds the exact quotient with `mode`. The only rounding primitive:
 * every other function here computes an exact rational and rounds it once, through this.
 */
export function divideRounded(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  if (denominator === 0n) throw new RangeError("Division by zero");
  let n = numerator;
  let d = denominator;
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const truncated = n / d;
  const remainder = n % d;
  if (remainder === 0n) return truncated;
  const floor = n < 0n ? truncated - 1n : truncated;
  const ceil = floor + 1n;
  switch (mode) {
    case "FLOOR":
      return floor;
    case "CEIL":
      return ceil;
    case "HALF_UP":
    case "HALF_EVEN": {
      // Compare the distance to floor (a fraction (n - floor*d)/d in (0,1)) with one half.
      const twice = 2n * (n - floor * d);
      if (twice < d) return floor;
      if (twice > d) return ceil;
      if (mode === "HALF_EVEN") return floor % 2n === 0n ? floor : ceil;
      return n < 0n ? floor : ceil;
    }
  }
}

/** An exact decimal number: `units / 10^scale` (e.g. "1.25" is { units: 125n, scale: 2 }). */
export interface Decimal {
  units: bigint;
  scale: number;
}

/**
 * Parses a plain decimal string ("12", "0.125", "-3.5") exactly. No exponent, sign "+", spaces,
 * thousands separators or non-ASCII digits; throws INVALID_MONEY (MALFORMED) otherwise.
 */
export function parseDecimal(value: string): Decimal {
  const match = typeof value === "string" ? DECIMAL.exec(value) : null;
  if (!match) {
    throw new InvalidMoneyError("MALFORMED", `Not a decimal number: ${JSON.stringify(value)}`, {
      input: String(value),
    });
  }
  const [, sign, whole, fraction = ""] = match;
  const units = BigInt(whole + fraction);
  return { units: sign ? -units : units, scale: fraction.length };
}

/**
 * Parses a decimal amount ("123.450") into minor units of `currency` with integer math only.
 * Extra decimals are accepted when they are zeros ("10.0" JPY); otherwise they are rejected
 * (TOO_MANY_DECIMALS) unless `rounding` says how to round. Negative amounts need `allowNegative`.
 */
export function parseAmountMinor(
  amount: string,
  currency: string,
  options: { rounding?: RoundingMode; allowNegative?: boolean } = {},
): number {
  const exponent = getCurrencyExponent(currency);
  // Every amount Shopify sends: not negative, at most 11 whole digits and no more decimals than the
  // currency has. Its minor units are below 10^15 (exponent at most 4), exact as a number, so no
  // BigInt is needed (imports parse five or more amounts per order). Anything else takes the
  // general path below; both give the same result (property test).
  const plain = typeof amount === "string" && exponent < POWERS_OF_TEN.length ? PLAIN_AMOUNT.exec(amount) : null;
  if (plain) {
    const fraction = plain[2];
    if (fraction === undefined) return Number(plain[1]) * POWERS_OF_TEN[exponent];
    if (fraction.length <= exponent) return Number(plain[1]) * POWERS_OF_TEN[exponent] + Number(fraction) * POWERS_OF_TEN[exponent - fraction.length];
  }
  return parseAmountMinorExactly(amount, exponent, currency, options);
}

const PLAIN_AMOUNT = /^(\d{1,11})(?:\.(\d{1,4}))?$/;
const POWERS_OF_TEN = [1, 10, 100, 1000, 10_000];

/** parseAmountMinor's general path, in exact integer arithmetic (exported for its equivalence test). */
export function parseAmountMinorExactly(
  amount: string,
  exponent: number,
  currency: string,
  options: { rounding?: RoundingMode; allowNegative?: boolean } = {},
): number {
  const { units, scale } = parseDecimal(amount);
  if (units < 0n && !options.allowNegative) {
    throw new InvalidMoneyError("NEGATIVE", `Negative amount not allowed: ${amount}`, { input: amount });
  }
  let minor: bigint;
  if (scale <= exponent) {
    minor = units * 10n ** BigInt(exponent - scale);
  } else {
    const divisor = 10n ** BigInt(scale - exponent);
    if (units % divisor !== 0n && !options.rounding) {
      throw new InvalidMoneyError(
        "TOO_MANY_DECIMALS",
        `${amount} has more than ${exponent} decimals for ${currency}`,
        { input: amount, currency, exponent },
      );
    }
    minor = divideRounded(units, divisor, options.rounding ?? "HALF_EVEN");
  }
  if (minor === 0n) return 0; // never -0
  return toSafeNumber(minor);
}

/** Parses `{ amount, currencyCode }` as Shopify's MoneyV2 sends it. */
export function parseMoney(
  input: { amount: string; currencyCode: string },
  options: { rounding?: RoundingMode; allowNegative?: boolean } = {},
): Money {
  const currency = parseCurrencyCode(input.currencyCode);
  return { amountMinor: parseAmountMinor(input.amount, currency, options), currency };
}

/** Formats minor units as a plain decimal string with exactly the currency's exponent ("1.050" KWD, "5" JPY). */
export function formatAmountMinor(amountMinor: number | bigint, currency: string): string {
  const exponent = getCurrencyExponent(currency);
  const value = toBigInt(amountMinor, "amountMinor");
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString();
  if (exponent === 0) return (negative ? "-" : "") + digits;
  const padded = digits.padStart(exponent + 1, "0");
  const whole = padded.slice(0, padded.length - exponent);
  const fraction = padded.slice(padded.length - exponent);
  return `${negative ? "-" : ""}${whole}.${fraction}`;
}

/**
 * Computes `value * numerator / denominator` exactly (bigint product) and rounds once with `mode`.
 * Throws OUT_OF_RANGE if the result is not a safe integer; the product itself may be arbitrarily large.
 */
export function multiplyByRatio(
  value: number | bigint,
  numerator: number | bigint,
  denominator: number | bigint,
  mode: RoundingMode,
): number {
  const product = toBigInt(value, "value") * toBigInt(numerator, "numerator");
  return toSafeNumber(divideRounded(product, toBigInt(denominator, "denominator"), mode));
}

/** Computes `value * decimal` (e.g. amount × "1.5") exactly and rounds once with `mode`. */
export function multiplyByDecimal(value: number | bigint, decimal: string, mode: RoundingMode): number {
  const { units, scale } = parseDecimal(decimal);
  return multiplyByRatio(value, units, 10n ** BigInt(scale), mode);
}

/** Adds amounts of one currency; throws INVALID_MONEY (OUT_OF_RANGE) if the sum is not a safe integer. */
export function sumAmountMinor(amounts: readonly number[]): number {
  let total = 0n;
  for (const amount of amounts) total += toBigInt(amount, "amountMinor");
  return toSafeNumber(total);
}
