import { describe, it, expect } from "vitest";
import { computeBirthdayBonus, computeDuplicateSignupBonusTakeBack, computeSignupBonus, isBirthday, toLocalDate, type HeldSignupBonus } from "~/domain/loyalty/bonuses";
import type { NegativeBalancePolicy } from "~/domain/loyalty/settings";
import { toBirthdayBonusKey, toDuplicateSignupBonusKey, toEarnKey, toExpiryKey, toRefundReversalKey } from "~/domain/loyalty/keys";
import { makeSettings } from "./fixtures";

describe("bonuses", () => {
  const settings = makeSettings("SAR", { earn: { signupBonusPoints: 100, birthdayBonusPoints: 250 } });

  it("gives the signup bonus only while the program is enabled", () => {
    expect(computeSignupBonus(settings)).toBe(100);
    expect(computeSignupBonus({ ...settings, enabled: false })).toBe(0);
  });

  it.each([
    [{ month: 3, day: 1 }, { year: 2026, month: 3, day: 1 }, 250],
    [{ month: 3, day: 1 }, { year: 2026, month: 3, day: 2 }, 0],
    [{ month: 2, day: 29 }, { year: 2027, month: 2, day: 28 }, 250],
    [{ month: 2, day: 29 }, { year: 2028, month: 2, day: 28 }, 0],
    [{ month: 2, day: 29 }, { year: 2028, month: 2, day: 29 }, 250],
    [null, { year: 2026, month: 3, day: 1 }, 0],
  ])("gives a customer born %j on %j a birthday bonus of %i", (birthday, today, expected) => {
    expect(computeBirthdayBonus(settings, birthday, today)).toBe(expected);
  });

  it("judges the birthday on the shop's calendar: 21:30 UTC on 28 Feb is already 1 March in Riyadh", () => {
    const now = new Date("2026-02-28T21:30:00Z");
    expect(toLocalDate(now, "Asia/Riyadh")).toEqual({ year: 2026, month: 3, day: 1 });
    expect(toLocalDate(now, "UTC")).toEqual({ year: 2026, month: 2, day: 28 });
    expect(isBirthday({ month: 3, day: 1 }, toLocalDate(now, "Asia/Riyadh"))).toBe(true);
  });
});

describe("duplicate signup bonuses after a merge", () => {
  const bonus = (key: string, points: number, day: number, expiredPoints = 0): HeldSignupBonus => ({
    key,
    points,
    creditedAt: new Date(Date.UTC(2026, 10, day)),
    expiredPoints,
  });
  const a = bonus("signup:a", 50, 1);
  const b = bonus("signup:b", 50, 2);
  const big = bonus("signup:c", 80, 3);

  it.each<[string, HeldSignupBonus[], string[], number, NegativeBalancePolicy, ReturnType<typeof computeDuplicateSignupBonusTakeBack>]>([
    ["one bonus: nothing to take", [a], [], 500, "RECORD_SHORTFALL", null],
    ["two equal bonuses: the earlier stays", [b, a], [], 500, "RECORD_SHORTFALL", { keptKey: "signup:a", signupBonusKeys: ["signup:b"], owedPoints: 50, points: 50, uncollectedPoints: 0 }],
    ["the larger stays, whenever it was credited", [a, big], [], 500, "RECORD_SHORTFALL", { keptKey: "signup:c", signupBonusKeys: ["signup:a"], owedPoints: 50, points: 50, uncollectedPoints: 0 }],
    ["RECORD_SHORTFALL takes only what the wallet holds", [a, b], [], 20, "RECORD_SHORTFALL", { keptKey: "signup:a", signupBonusKeys: ["signup:b"], owedPoints: 50, points: 20, uncollectedPoints: 30 }],
    ["RECORD_SHORTFALL takes nothing from an empty or indebted wallet", [a, b], [], -10, "RECORD_SHORTFALL", { keptKey: "signup:a", signupBonusKeys: ["signup:b"], owedPoints: 50, points: 0, uncollectedPoints: 50 }],
    ["ALLOW_NEGATIVE takes it all", [a, b], [], 20, "ALLOW_NEGATIVE", { keptKey: "signup:a", signupBonusKeys: ["signup:b"], owedPoints: 50, points: 50, uncollectedPoints: 0 }],
    ["an already settled bonus is not taken twice", [a, b], ["signup:b"], 500, "RECORD_SHORTFALL", null],
    ["a third bonus joins: only it is taken", [a, b, big], ["signup:b"], 500, "RECORD_SHORTFALL", { keptKey: "signup:c", signupBonusKeys: ["signup:a"], owedPoints: 50, points: 50, uncollectedPoints: 0 }],
    ["expired points were never the customer's: not owed, and they count against keeping", [bonus("signup:a", 50, 1, 50), b], [], 500, "RECORD_SHORTFALL", { keptKey: "signup:b", signupBonusKeys: ["signup:a"], owedPoints: 0, points: 0, uncollectedPoints: 0 }],
    ["part expired: the rest is owed", [a, bonus("signup:b", 50, 2, 15)], [], 500, "RECORD_SHORTFALL", { keptKey: "signup:a", signupBonusKeys: ["signup:b"], owedPoints: 35, points: 35, uncollectedPoints: 0 }],
  ])("%s", (_, bonuses, settled, balancePoints, policy, expected) => {
    expect(computeDuplicateSignupBonusTakeBack({ bonuses, settledKeys: new Set(settled), balancePoints, policy })).toEqual(expected);
  });
});

describe("idempotency keys", () => {
  it("derives keys from business events so retries of one event collide", () => {
    expect(toEarnKey("gid://shopify/Order/1")).toBe("earn:gid://shopify/Order/1");
    expect(toRefundReversalKey("gid://shopify/Refund/9")).toBe("reverse:gid://shopify/Refund/9");
    expect(toBirthdayBonusKey("p1", 2026)).toBe("birthday:p1:2026");
    expect(toExpiryKey("earn:gid://shopify/Order/1")).toBe("expire:earn:gid://shopify/Order/1");
    expect(toDuplicateSignupBonusKey("42")).toBe("signup-duplicate:profile-event:42");
  });
});
