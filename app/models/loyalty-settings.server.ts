import prisma from "../db.server";
import { parseProgramSettings, type SettingsVersion } from "../domain/loyalty/settings";

/**
 * Versions of a shop's program settings, oldest first. Stored JSON goes back through the schema,
 * so a version saved by an older release still gets today's defaults for fields it lacked.
 */
export async function listSettingsVersions({ shop }: { shop: string }): Promise<SettingsVersion[]> {
  const rows = await prisma.loyaltySettingsVersion.findMany({ where: { shop }, orderBy: { version: "asc" } });
  return rows.map((row) => ({ version: row.version, effectiveFrom: row.effectiveFrom, settings: parseProgramSettings(row.settings) }));
}

/** The newest version (what the settings page edits and what new activity uses), or null before the first save. */
export async function getLatestSettingsVersion({ shop }: { shop: string }): Promise<SettingsVersion | null> {
  const row = await prisma.loyaltySettingsVersion.findFirst({ where: { shop }, orderBy: { version: "desc" } });
  return row ? { version: row.version, effectiveFrom: row.effectiveFrom, settings: parseProgramSettings(row.settings) } : null;
}

/**
 * Appends a version effective from `effectiveFrom`. Versions are immutable: a change is a new
 * version, so orders placed under the old one keep earning and reversing by it. Two saves at once
 * get consecutive numbers (the primary key rejects a duplicate number; the caller retries).
 */
export async function createSettingsVersion({
  shop,
  settings,
  effectiveFrom,
  createdBy,
}: {
  shop: string;
  settings: ReturnType<typeof parseProgramSettings>;
  effectiveFrom: Date;
  createdBy: string | null;
}): Promise<SettingsVersion> {
  for (let attempt = 0; ; attempt++) {
    const latest = await prisma.loyaltySettingsVersion.findFirst({ where: { shop }, orderBy: { version: "desc" }, select: { version: true } });
    const version = (latest?.version ?? 0) + 1;
    try {
      await prisma.loyaltySettingsVersion.create({ data: { shop, version, effectiveFrom, settings, createdBy } });
      return { version, effectiveFrom, settings };
    } catch (error) {
      if ((error as { code?: string }).code !== "P2002" || attempt >= 5) throw error;
    }
  }
}
