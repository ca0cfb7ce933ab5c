/**
 * The program settings page: what the form shows (the latest version, or the defaults in the
 * shop's currency before the first save) and saving a new version effective now.
 */
import { isDeepStrictEqual } from "node:util";
import { NotFoundError, ValidationError } from "../domain/errors";
import { defaultSettings, parseProgramSettings, type ProgramSettings } from "../domain/loyalty/settings";
import { fromSettingsFormValues, type SettingsFormValues } from "../domain/loyalty/settings-form";
import { createSettingsVersion, getLatestSettingsVersion } from "../models/loyalty-settings.server";
import { listBranches, listSettingsHistory } from "../models/loyalty-read.server";
import { getShop } from "../models/shop.server";

async function requireShopCurrency(shop: string): Promise<string> {
  const record = await getShop({ shop });
  if (!record) throw new NotFoundError("Shop", shop);
  return record.currency;
}

/** Everything the settings page needs: the settings to edit, the branches, and the version history. */
export async function getProgramSettingsPage({ shop }: { shop: string }) {
  const currency = await requireShopCurrency(shop);
  const [latest, history, branches] = await Promise.all([
    getLatestSettingsVersion({ shop }),
    listSettingsHistory({ shop }),
    listBranches({ shop }),
  ]);
  // A shop that changed its currency edits its program in the new one from the next save on.
  const settings: ProgramSettings = latest ? { ...latest.settings, currency } : defaultSettings(currency);
  return { currency, settings, version: latest?.version ?? null, history, branches };
}

/**
 * Saves submitted form values as a new settings version effective now, in the shop's currency.
 * Throws ValidationError (422, field errors by dot path) and saves nothing when any field is bad.
 * Submitting exactly the settings in force again saves nothing (a replayed form is harmless).
 */
export async function saveProgramSettings({
  shop,
  input,
  staff,
  now = new Date(),
}: {
  shop: string;
  input: unknown;
  staff: string | null;
  now?: Date;
}): Promise<{ status: "CREATED" | "UNCHANGED"; version: number }> {
  const currency = await requireShopCurrency(shop);
  if (!input || typeof input !== "object" || Array.isArray(input)) {
    throw new ValidationError({ "": ["The form could not be read; reload the page and try again"] });
  }
  const { input: raw, fieldErrors } = fromSettingsFormValues(input as Partial<SettingsFormValues>, currency);
  let settings: ProgramSettings | null = null;
  try {
    settings = parseProgramSettings(raw);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    for (const [path, messages] of Object.entries(error.fieldErrors)) {
      // A money field the form could not convert is reported once, with the conversion's message.
      if (!fieldErrors[path]) fieldErrors[path] = messages;
    }
  }
  if (Object.keys(fieldErrors).length > 0 || !settings) throw new ValidationError(fieldErrors, "Invalid program settings");

  const latest = await getLatestSettingsVersion({ shop });
  if (latest && isDeepStrictEqual(latest.settings, settings)) return { status: "UNCHANGED", version: latest.version };
  const created = await createSettingsVersion({ shop, settings, effectiveFrom: now, createdBy: staff });
  return { status: "CREATED", version: created.version };
}
