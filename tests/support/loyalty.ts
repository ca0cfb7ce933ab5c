/**
 * Loyalty test helpers: a program saved for a shop, profiles to hold wallets, and the checks every
 * ledger test ends with (balance = sum of entries, lots agree with the cached balance).
 */
import { expect } from "vitest";
import prisma from "~/db.server";
import { defaultSettings, parseProgramSettings, type ProgramSettingsInput } from "~/domain/loyalty/settings";
import { createSettingsVersion } from "~/models/loyalty-settings.server";

/** Saves an enabled program (1 point per unit, no pending period unless given) effective from `effectiveFrom`. */
export async function saveProgram(
  shop: string,
  overrides: Partial<ProgramSettingsInput> & { currency?: string } = {},
  effectiveFrom = new Date("2026-01-01T00:00:00Z"),
) {
  const base = defaultSettings(overrides.currency ?? "SAR");
  const settings = parseProgramSettings({ ...base, enabled: true, pendingDays: 0, ...overrides });
  return createSettingsVersion({ shop, settings, effectiveFrom, createdBy: "test" });
}

export async function createProfile(shop: string): Promise<string> {
  const profile = await prisma.profile.create({ data: { shop } });
  return profile.id;
}

export async function getWallet(shop: string, profileId: string) {
  return prisma.loyaltyWallet.findUnique({ where: { shop_profileId: { shop, profileId } } });
}

/** The ledger's invariants for every wallet of the shop: cached balance = sum of entries = lots - debt
 * (a reservation's points leave the lots when held, so they are outside both). */
export async function expectLedgerConsistent(shop: string) {
  const wallets = await prisma.loyaltyWallet.findMany({ where: { shop } });
  for (const wallet of wallets) {
    const sum = await prisma.loyaltyEntry.aggregate({ where: { shop, profileId: wallet.profileId }, _sum: { points: true } });
    const lots = await prisma.loyaltyLot.aggregate({ where: { shop, profileId: wallet.profileId }, _sum: { remainingPoints: true } });
    expect(wallet.balancePoints, `wallet ${wallet.profileId}: cached balance = sum of entries`).toBe(sum._sum.points ?? 0);
    expect(wallet.balancePoints, `wallet ${wallet.profileId}: balance = lots - debt`).toBe(
      (lots._sum.remainingPoints ?? 0) - wallet.debtPoints,
    );
  }
}
