import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  divideRounded,
  formatAmountMinor,
  getCurrencyExponent,
  multiplyByDecimal,
  multiplyByRatio,
  parseAmountMinor,
  parseAmountMinorExactly,
  parseCurrencyCode,
  parseDecimal,
  parseMoney,
  sumAmountMinor,
  type RoundingMode,
} from "~/domain/money";
import { InvalidMoneyError, type InvalidMoneyReason } from "~/domain/errors";

function captureReason(run: () => unknown): InvalidMoneyReason | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof InvalidMoneyError) return error.reason;
    throw error;
  }
}

describe("getCurrencyExponent", () => {
  it.each([
    ["JPY", 0],
    ["KRW", 0],
    ["VND", 0],
    ["CLP", 0],
    ["ISK", 0],
    ["UGX", 0],
    ["XOF", 0],
    ["SAR", 2],
    ["AED", 2],
    ["QAR", 2],
    ["USD", 2],
    ["EUR", 2],
    ["KWD", 3],
    ["BHD", 3],
    ["OMR", 3],
    ["JOD", 3],
    ["TND", 3],
    ["LYD", 3],
    ["IQD", 3],
  ])("gives %s an exponent of %i", (currency, exponent) => {
    expect(getCurrencyExponent(currency)).toBe(exponent);
  });

  it("uses 2 decimals for a well-formed code it does not list", () => {
    expect(getCurrencyExponent("XYZ")).toBe(2);
  });

  it.each(["sar", "SA", "SARR", "", "S4R", "ر.س"])("rejects the malformed currency code %j", (code) => {
    expect(captureReason(() => getCurrencyExponent(code))).toBe("INVALID_CURRENCY");
  });

  it("rejects a currency code that is not a string", () => {
    expect(captureReason(() => parseCurrencyCode(682))).toBe("INVALID_CURRENCY");
  });
});

describe("parseAmountMinor", () => {
  it.each([
    ["123.45", "SAR", 12345],
    ["123.4", "SAR", 12340],
    ["123", "SAR", 12300],
    ["0.01", "SAR", 1],
    ["0", "SAR", 0],
    ["0.00", "SAR", 0],
    ["007.50", "SAR", 750],
    ["123.450", "SAR", 12345],
    ["1500", "JPY", 1500],
    ["1500.0", "JPY", 1500],
    ["1500.000", "JPY", 1500],
    ["1.234", "KWD", 1234],
    ["1.2", "KWD", 1200],
    ["12", "KWD", 12000],
    ["0.001", "KWD", 1],
    ["123.4500", "KWD", 123450],
    ["90071992547409.91", "SAR", 9007199254740991],
    // the fast path's edges (plain amounts without BigInt)
    ["99999999999.9999", "CLF", 999_999_999_999_999],
    ["99999999999.99", "SAR", 9_999_999_999_999],
    ["0.00", "SAR", 0],
    ["007.5", "KWD", 7_500],
    ["12", "JPY", 12],
  ])("parses %s %s as %i minor units", (amount, currency, expected) => {
    expect(parseAmountMinor(amount, currency)).toBe(expected);
  });

  it.each([
    ["", "MALFORMED"],
    [" 1.00", "MALFORMED"],
    ["1.00 ", "MALFORMED"],
    ["1,000.00", "MALFORMED"],
    ["1e3", "MALFORMED"],
    ["+1.00", "MALFORMED"],
    [".5", "MALFORMED"],
    ["5.", "MALFORMED"],
    ["1.2.3", "MALFORMED"],
    ["١٢٣", "MALFORMED"],
    ["NaN", "MALFORMED"],
    ["Infinity", "MALFORMED"],
    ["0x10", "MALFORMED"],
    ["-1.00", "NEGATIVE"],
    ["1.005", "TOO_MANY_DECIMALS"],
    ["90071992547409.92", "OUT_OF_RANGE"],
  ] as const)("rejects %j in SAR with %s", (amount, reason) => {
    expect(captureReason(() => parseAmountMinor(amount, "SAR"))).toBe(reason);
  });

  it("rejects a JPY amount with a non-zero fraction", () => {
    expect(captureReason(() => parseAmountMinor("10.5", "JPY"))).toBe("TOO_MANY_DECIMALS");
  });

  it("rejects a KWD amount with a fourth non-zero decimal", () => {
    expect(captureReason(() => parseAmountMinor("1.2345", "KWD"))).toBe("TOO_MANY_DECIMALS");
  });

  it("rejects a number passed where a decimal string is required", () => {
    expect(captureReason(() => parseAmountMinor(12.5 as unknown as string, "SAR"))).toBe("MALFORMED");
  });

  it.each([
    ["1.005", "HALF_UP", 101],
    ["1.005", "HALF_EVEN", 100],
    ["1.015", "HALF_EVEN", 102],
    ["1.009", "FLOOR", 100],
    ["1.001", "CEIL", 101],
    ["10.5", "HALF_EVEN", 10],
  ] as const)("rounds %s with %s when asked to", (amount, rounding, expected) => {
    const currency = amount === "10.5" ? "JPY" : "SAR";
    expect(parseAmountMinor(amount, currency, { rounding })).toBe(expected);
  });

  it("parses negative amounts only when allowed", () => {
    expect(parseAmountMinor("-12.34", "SAR", { allowNegative: true })).toBe(-1234);
    expect(parseAmountMinor("-0.00", "SAR", { allowNegative: true })).toBe(0);
    expect(Object.is(parseAmountMinor("-0.00", "SAR", { allowNegative: true }), -0)).toBe(false);
  });

  it("parses Shopify MoneyV2 objects", () => {
    expect(parseMoney({ amount: "250.500", currencyCode: "KWD" })).toEqual({ amountMinor: 250500, currency: "KWD" });
    expect(parseMoney({ amount: "1200.0", currencyCode: "JPY" })).toEqual({ amountMinor: 1200, currency: "JPY" });
  });
});

describe("formatAmountMinor", () => {
  it.each([
    [12345, "SAR", "123.45"],
    [5, "SAR", "0.05"],
    [0, "SAR", "0.00"],
    [-5, "SAR", "-0.05"],
    [-12345, "SAR", "-123.45"],
    [1500, "JPY", "1500"],
    [0, "JPY", "0"],
    [-7, "JPY", "-7"],
    [1050, "KWD", "1.050"],
    [1, "KWD", "0.001"],
    [1234567, "KWD", "1234.567"],
    [9007199254740991, "SAR", "90071992547409.91"],
  ])("formats %i %s as %s", (amountMinor, currency, expected) => {
    expect(formatAmountMinor(amountMinor, currency)).toBe(expected);
  });

  it("formats bigint amounts beyond the safe range exactly", () => {
    expect(formatAmountMinor(123456789012345678901n, "KWD")).toBe("123456789012345678.901");
  });

  it("rejects a fractional amount of minor units", () => {
    expect(captureReason(() => formatAmountMinor(1.5, "SAR"))).toBe("OUT_OF_RANGE");
  });

  it("round-trips every safe amount through format and parse in JPY, SAR and KWD", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        fc.constantFrom("JPY", "SAR", "KWD"),
        (amountMinor, currency) => {
          const text = formatAmountMinor(amountMinor, currency);
          expect(parseAmountMinor(text, currency, { allowNegative: true })).toBe(amountMinor);
        },
      ),
    );
  });
});

describe("divideRounded", () => {
  const table: Array<[bigint, bigint, Record<RoundingMode, bigint>]> = [
    [5n, 2n, { HALF_UP: 3n, HALF_EVEN: 2n, FLOOR: 2n, CEIL: 3n }],
    [7n, 2n, { HALF_UP: 4n, HALF_EVEN: 4n, FLOOR: 3n, CEIL: 4n }],
    [-5n, 2n, { HALF_UP: -3n, HALF_EVEN: -2n, FLOOR: -3n, CEIL: -2n }],
    [-7n, 2n, { HALF_UP: -4n, HALF_EVEN: -4n, FLOOR: -4n, CEIL: -3n }],
    [10n, 3n, { HALF_UP: 3n, HALF_EVEN: 3n, FLOOR: 3n, CEIL: 4n }],
    [20n, 3n, { HALF_UP: 7n, HALF_EVEN: 7n, FLOOR: 6n, CEIL: 7n }],
    [-10n, 3n, { HALF_UP: -3n, HALF_EVEN: -3n, FLOOR: -4n, CEIL: -3n }],
    [9n, 3n, { HALF_UP: 3n, HALF_EVEN: 3n, FLOOR: 3n, CEIL: 3n }],
    [0n, 7n, { HALF_UP: 0n, HALF_EVEN: 0n, FLOOR: 0n, CEIL: 0n }],
    [5n, -2n, { HALF_UP: -3n, HALF_EVEN: -2n, FLOOR: -3n, CEIL: -2n }],
    [1n, 1000n, { HALF_UP: 0n, HALF_EVEN: 0n, FLOOR: 0n, CEIL: 1n }],
    [500n, 1000n, { HALF_UP: 1n, HALF_EVEN: 0n, FLOOR: 0n, CEIL: 1n }],
    [1500n, 1000n, { HALF_UP: 2n, HALF_EVEN: 2n, FLOOR: 1n, CEIL: 2n }],
    [2500n, 1000n, { HALF_UP: 3n, HALF_EVEN: 2n, FLOOR: 2n, CEIL: 3n }],
  ];
  for (const [numerator, denominator, expected] of table) {
    for (const mode of Object.keys(expected) as RoundingMode[]) {
      it(`rounds ${numerator}/${denominator} to ${expected[mode]} with ${mode}`, () => {
        expect(divideRounded(numerator, denominator, mode)).toBe(expected[mode]);
      });
    }
  }

  it("refuses to divide by zero", () => {
    expect(() => divideRounded(1n, 0n, "FLOOR")).toThrow(RangeError);
  });

  it("stays within one unit of the exact quotient and orders the modes FLOOR <= HALF_* <= CEIL", () => {
    fc.assert(
      fc.property(fc.bigInt(), fc.bigInt().filter((d) => d !== 0n), (n, d) => {
        const floor = divideRounded(n, d, "FLOOR");
        const ceil = divideRounded(n, d, "CEIL");
        const halfUp = divideRounded(n, d, "HALF_UP");
        const halfEven = divideRounded(n, d, "HALF_EVEN");
        const exact = n % d === 0n;
        expect(ceil - floor).toBe(exact ? 0n : 1n);
        for (const value of [halfUp, halfEven]) expect(value === floor || value === ceil).toBe(true);
        // floor really is the floor: floor*d <= n < (floor+1)*d with d made positive
        const [nn, dd] = d < 0n ? [-n, -d] : [n, d];
        expect(floor * dd <= nn && nn < (floor + 1n) * dd).toBe(true);
      }),
    );
  });
});

describe("multiplyByRatio and multiplyByDecimal", () => {
  it("multiplies without overflowing when the intermediate product exceeds 2^53", () => {
    // 9e15 * 3 / 3 would lose precision with floats.
    expect(multiplyByRatio(9_000_000_000_000_001, 3, 3, "FLOOR")).toBe(9_000_000_000_000_001);
    expect(multiplyByRatio(Number.MAX_SAFE_INTEGER, 1_000_000, 1_000_000, "HALF_UP")).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("refuses a result outside the safe integer range", () => {
    expect(captureReason(() => multiplyByRatio(Number.MAX_SAFE_INTEGER, 2, 1, "FLOOR"))).toBe("OUT_OF_RANGE");
  });

  it.each([
    [1999, "1.5", "HALF_UP", 2999],
    [1999, "1.5", "HALF_EVEN", 2998],
    [1999, "1.5", "FLOOR", 2998],
    [1999, "1.5", "CEIL", 2999],
    [333, "0.1", "HALF_UP", 33],
    [335, "0.1", "HALF_EVEN", 34],
    [345, "0.1", "HALF_EVEN", 34],
    [100, "0.0001", "CEIL", 1],
  ] as const)("multiplies %i by %s with %s to %i", (value, decimal, mode, expected) => {
    expect(multiplyByDecimal(value, decimal, mode)).toBe(expected);
  });

  it("computes 0.1 × 3 exactly where floats give 0.30000000000000004", () => {
    expect(multiplyByDecimal(3, "0.1", "CEIL")).toBe(1);
    expect(multiplyByDecimal(30, "0.1", "CEIL")).toBe(3);
  });

  it("parses decimals into exact units and scale", () => {
    expect(parseDecimal("1.25")).toEqual({ units: 125n, scale: 2 });
    expect(parseDecimal("-0.5")).toEqual({ units: -5n, scale: 1 });
    expect(parseDecimal("7")).toEqual({ units: 7n, scale: 0 });
  });

  it("sums amounts exactly and refuses an unsafe total", () => {
    expect(sumAmountMinor([1, 2, 3])).toBe(6);
    expect(sumAmountMinor([])).toBe(0);
    expect(captureReason(() => sumAmountMinor([Number.MAX_SAFE_INTEGER, 1]))).toBe("OUT_OF_RANGE");
  });
});

describe("parseAmountMinor's fast path (plain amounts without BigInt)", () => {
  const outcome = (run: () => number) => {
    try {
      const value = run();
      return { value, negativeZero: Object.is(value, -0) };
    } catch (error) {
      if (error instanceof InvalidMoneyError) return { reason: error.reason };
      throw error;
    }
  };
  const currencies = ["JPY", "SAR", "KWD", "CLF", "XYZ"];
  const amounts = fc.oneof(
    // Shopify's shape, every length the fast path takes and beyond it
    fc.tuple(fc.stringMatching(/^\d{1,13}$/), fc.option(fc.stringMatching(/^\d{1,6}$/), { nil: undefined })).map(([w, f]) => (f === undefined ? w : `${w}.${f}`)),
    // signs, leading zeros, empty parts, junk
    fc.tuple(fc.constantFrom("", "-", "+", " "), fc.stringMatching(/^0{0,3}\d{0,12}$/), fc.constantFrom("", ".", ".0", ".00", ".000", ".0000", ".5", ".12345"), fc.constantFrom("", " ", "e2")).map((parts) => parts.join("")),
  );

  it("gives what the exact path gives (value or error) for any amount and currency", () => {
    fc.assert(
      fc.property(amounts, fc.constantFrom(...currencies), fc.boolean(), (amount, currency, allowNegative) => {
        const exponent = getCurrencyExponent(currency);
        expect(outcome(() => parseAmountMinor(amount, currency, { allowNegative }))).toEqual(outcome(() => parseAmountMinorExactly(amount, exponent, currency, { allowNegative })));
      }),
      { numRuns: 20_000 },
    );
  });

  it("still rejects what it rejected: too many decimals, negatives, non-strings", () => {
    expect(captureReason(() => parseAmountMinor("10.5", "JPY"))).toBe("TOO_MANY_DECIMALS");
    expect(captureReason(() => parseAmountMinor("-1.00", "SAR"))).toBe("NEGATIVE");
    expect(captureReason(() => parseAmountMinor(45 as unknown as string, "SAR"))).toBe("MALFORMED");
  });
});
