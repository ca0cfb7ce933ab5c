import { describe, it, expect } from "vitest";
import { computeBirthdayBonus, computeSignupBonus, isBirthday, toLocalDate } from "~/domain/loyalty/bonuses";
import { toBirthdayBonusKey, toEarnKey, toExpiryKey, toRefundReversalKey } from "~/domain/loyalty/keys";
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

describe("idempotency keys", () => {
  it("derives keys from business events so retries of one event collide", () => {
    expect(toEarnKey("gid://shopify/Order/1")).toBe("earn:gid://shopify/Order/1");
    expect(toRefundReversalKey("gid://shopify/Refund/9")).toBe("reverse:gid://shopify/Refund/9");
    expect(toBirthdayBonusKey("p1", 2026)).toBe("birthday:p1:2026");
    expect(toExpiryKey("earn:gid://shopify/Order/1")).toBe("expire:earn:gid://shopify/Order/1");
  });
});
