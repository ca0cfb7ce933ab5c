import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  allocateDebit,
  applyAllocations,
  computeInactivityExpiresAt,
  computeLotBalances,
  computeLotDates,
  isLotSpendable,
  listExpiredLots,
  listInactiveLots,
  type Lot,
} from "~/domain/loyalty/lots";
import { InsufficientPointsError, ValidationError } from "~/domain/errors";

const d = (iso: string) => new Date(iso);

function lot(id: string, remainingPoints: number, availableAt: string, expiresAt: string | null, points = remainingPoints): Lot {
  return {
    id,
    points,
    remainingPoints,
    earnedAt: d("2026-01-01T00:00:00Z"),
    availableAt: d(availableAt),
    expiresAt: expiresAt ? d(expiresAt) : null,
  };
}

const now = d("2026-06-01T00:00:00Z");
const lots: Lot[] = [
  lot("never", 100, "2026-01-15T00:00:00Z", null),
  lot("late", 50, "2026-02-01T00:00:00Z", "2027-02-01T00:00:00Z"),
  lot("soon", 30, "2026-03-01T00:00:00Z", "2026-07-01T00:00:00Z"),
  lot("pending", 40, "2026-06-10T00:00:00Z", "2027-05-27T00:00:00Z"),
  lot("expired", 20, "2025-06-01T00:00:00Z", "2026-06-01T00:00:00Z"),
  lot("empty", 0, "2026-01-15T00:00:00Z", "2026-06-15T00:00:00Z", 10),
];

describe("computeLotDates", () => {
  it.each([
    [{ pendingDays: 14, expiry: { kind: "NONE" as const } }, "2026-03-15T09:30:00.000Z", null],
    [{ pendingDays: 0, expiry: { kind: "AFTER_EARNING" as const, months: 12 } }, "2026-03-01T09:30:00.000Z", "2027-03-01T09:30:00.000Z"],
    [{ pendingDays: 14, expiry: { kind: "AFTER_INACTIVITY" as const, months: 6 } }, "2026-03-15T09:30:00.000Z", null],
  ])("dates a lot earned on 1 March 2026 under %j", (settings, availableAt, expiresAt) => {
    const dates = computeLotDates(d("2026-03-01T09:30:00Z"), settings);
    expect(dates.availableAt.toISOString()).toBe(availableAt);
    expect(dates.expiresAt?.toISOString() ?? null).toBe(expiresAt);
  });

  it("expires a lot earned on 31 August, 6 months later, on the last day of February", () => {
    const dates = computeLotDates(d("2026-08-31T12:00:00Z"), { pendingDays: 14, expiry: { kind: "AFTER_EARNING", months: 6 } });
    expect(dates.expiresAt?.toISOString()).toBe("2027-02-28T12:00:00.000Z");
  });
});

describe("computeLotBalances", () => {
  it("splits points into available, pending and expired-but-unposted at now", () => {
    expect(computeLotBalances(lots, { now })).toEqual({
      availablePoints: 180,
      pendingPoints: 40,
      expiredPoints: 20,
      totalPoints: 240,
    });
  });

  it("makes a lot spendable at the exact instant of availableAt and unspendable at the exact instant of expiresAt", () => {
    const edge = lot("edge", 10, "2026-06-01T00:00:00Z", "2026-06-02T00:00:00Z");
    expect(isLotSpendable(edge, { now: d("2026-05-31T23:59:59.999Z") })).toBe(false);
    expect(isLotSpendable(edge, { now: d("2026-06-01T00:00:00Z") })).toBe(true);
    expect(isLotSpendable(edge, { now: d("2026-06-01T23:59:59.999Z") })).toBe(true);
    expect(isLotSpendable(edge, { now: d("2026-06-02T00:00:00Z") })).toBe(false);
  });

  it("treats every lot as expired once the wallet's inactivity deadline has passed", () => {
    expect(computeLotBalances(lots, { now, inactivityExpiresAt: d("2026-05-01T00:00:00Z") })).toMatchObject({
      availablePoints: 0,
      pendingPoints: 0,
      expiredPoints: 240,
    });
  });
});

describe("allocateDebit", () => {
  it("spends soonest-expiring points first and never-expiring points last", () => {
    expect(allocateDebit(lots, 120, { now, scope: "AVAILABLE" })).toEqual({
      allocations: [
        { lotId: "soon", points: 30 },
        { lotId: "late", points: 50 },
        { lotId: "never", points: 40 },
      ],
      shortfallPoints: 0,
    });
  });

  it("answers INSUFFICIENT_POINTS with available and pending points when spending more than is available", () => {
    try {
      allocateDebit(lots, 181, { now, scope: "AVAILABLE" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InsufficientPointsError);
      expect((error as InsufficientPointsError).code).toBe("INSUFFICIENT_POINTS");
      expect((error as InsufficientPointsError).details).toMatchObject({ requiredPoints: 181, availablePoints: 180, pendingPoints: 40 });
    }
  });

  it("refuses to spend pending points even when the total would suffice", () => {
    expect(() => allocateDebit([lots[3]], 1, { now, scope: "AVAILABLE" })).toThrow(InsufficientPointsError);
  });

  it("claws back from the preferred lot first, then any lot, pending and expired included", () => {
    expect(allocateDebit(lots, 100, { now, scope: "ALL", preferLotId: "pending" }).allocations).toEqual([
      { lotId: "pending", points: 40 },
      { lotId: "expired", points: 20 },
      { lotId: "soon", points: 30 },
      { lotId: "late", points: 10 },
    ]);
  });

  it("returns the shortfall instead of throwing when asked to", () => {
    expect(allocateDebit([lots[0]], 130, { now, scope: "ALL", allowShortfall: true })).toEqual({
      allocations: [{ lotId: "never", points: 100 }],
      shortfallPoints: 30,
    });
  });

  it("allocates nothing for a debit of zero and rejects a negative or fractional debit", () => {
    expect(allocateDebit(lots, 0, { now, scope: "AVAILABLE" })).toEqual({ allocations: [], shortfallPoints: 0 });
    expect(() => allocateDebit(lots, -1, { now, scope: "AVAILABLE" })).toThrow(ValidationError);
    expect(() => allocateDebit(lots, 1.5, { now, scope: "AVAILABLE" })).toThrow(ValidationError);
  });

  it("breaks expiry ties by earliest availability, then by id, so allocation is deterministic", () => {
    const tied = [
      lot("b", 5, "2026-02-01T00:00:00Z", "2026-12-01T00:00:00Z"),
      lot("a", 5, "2026-02-01T00:00:00Z", "2026-12-01T00:00:00Z"),
      lot("c", 5, "2026-01-20T00:00:00Z", "2026-12-01T00:00:00Z"),
    ];
    expect(allocateDebit(tied, 15, { now, scope: "AVAILABLE" }).allocations.map((a) => a.lotId)).toEqual(["c", "a", "b"]);
  });

  it("allocates exactly the debit, never more than a lot holds, for any lots and amount", () => {
    const lotArb = fc.record({
      remaining: fc.integer({ min: 0, max: 1000 }),
      availableOffsetDays: fc.integer({ min: -100, max: 100 }),
      expiresOffsetDays: fc.option(fc.integer({ min: -100, max: 400 }), { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(lotArb, { maxLength: 12 }), fc.integer({ min: 0, max: 5000 }), fc.boolean(), (specs, points, all) => {
        const generated: Lot[] = specs.map((spec, index) => ({
          id: `lot-${index}`,
          points: spec.remaining,
          remainingPoints: spec.remaining,
          earnedAt: now,
          availableAt: new Date(now.getTime() + spec.availableOffsetDays * 86_400_000),
          expiresAt: spec.expiresOffsetDays === null ? null : new Date(now.getTime() + spec.expiresOffsetDays * 86_400_000),
        }));
        const { allocations, shortfallPoints } = allocateDebit(generated, points, {
          now,
          scope: all ? "ALL" : "AVAILABLE",
          allowShortfall: true,
        });
        const allocated = allocations.reduce((sum, a) => sum + a.points, 0);
        expect(allocated + shortfallPoints).toBe(points);
        const after = applyAllocations(generated, allocations, -1);
        for (const l of after) expect(l.remainingPoints).toBeGreaterThanOrEqual(0);
        const balances = computeLotBalances(generated, { now });
        const pool = all ? balances.totalPoints : balances.availablePoints;
        expect(shortfallPoints).toBe(Math.max(0, points - pool));
      }),
    );
  });
});

describe("applyAllocations", () => {
  it("takes and gives back points without mutating the input lots", () => {
    const taken = applyAllocations(lots, [{ lotId: "soon", points: 10 }], -1);
    expect(taken.find((l) => l.id === "soon")?.remainingPoints).toBe(20);
    expect(lots.find((l) => l.id === "soon")?.remainingPoints).toBe(30);
    const restored = applyAllocations(taken, [{ lotId: "soon", points: 10 }], 1);
    expect(restored.find((l) => l.id === "soon")?.remainingPoints).toBe(30);
  });

  it("refuses to overdraw a lot or fill it beyond what it was credited", () => {
    expect(() => applyAllocations(lots, [{ lotId: "soon", points: 31 }], -1)).toThrow(RangeError);
    expect(() => applyAllocations(lots, [{ lotId: "soon", points: 1 }], 1)).toThrow(RangeError);
    expect(() => applyAllocations(lots, [{ lotId: "nope", points: 1 }], -1)).toThrow(RangeError);
  });
});

describe("expiry", () => {
  it("lists lots whose expiry has passed with the points left in them, soonest first", () => {
    expect(listExpiredLots(lots, d("2026-07-01T00:00:00Z"))).toEqual([
      { lotId: "expired", points: 20 },
      { lotId: "soon", points: 30 },
    ]);
    expect(listExpiredLots(lots, d("2026-06-01T00:00:00Z"))).toEqual([{ lotId: "expired", points: 20 }]);
    expect(listExpiredLots(lots, d("2026-05-31T23:59:59.999Z"))).toEqual([]);
  });

  it("expires a whole wallet after N months without activity, and not a millisecond before", () => {
    const policy = { kind: "AFTER_INACTIVITY" as const, months: 6 };
    const last = d("2025-12-01T00:00:00Z");
    expect(computeInactivityExpiresAt(last, policy)?.toISOString()).toBe("2026-06-01T00:00:00.000Z");
    expect(listInactiveLots(lots, last, policy, d("2026-05-31T23:59:59.999Z"))).toEqual([]);
    expect(listInactiveLots(lots, last, policy, now).map((a) => [a.lotId, a.points])).toEqual([
      ["expired", 20],
      ["soon", 30],
      ["late", 50],
      ["pending", 40],
      ["never", 100],
    ]);
  });

  it("never expires by inactivity under another policy or without any activity date", () => {
    expect(listInactiveLots(lots, d("2020-01-01T00:00:00Z"), { kind: "NONE" }, now)).toEqual([]);
    expect(listInactiveLots(lots, null, { kind: "AFTER_INACTIVITY", months: 1 }, now)).toEqual([]);
  });
});
