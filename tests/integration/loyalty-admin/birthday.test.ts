import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import Profile, { action, loader } from "~/routes/app.customers.$profileId";
import { awardBirthdayBonuses } from "~/services/award-loyalty-bonuses.server";
import { followProfileEvents } from "~/services/follow-profile-events.server";
import { defaultSettings } from "~/domain/loyalty/settings";
import { installTestShop } from "../../support/install";
import { createProfile, expectLedgerConsistent, getWallet, saveProgram } from "../../support/loyalty";
import { adminPost, adminRequest, renderPage, responseOf } from "./support";

type Birthday = { month: number; day: number } | null;
type Body = { ok?: true; intent?: string; birthday?: Birthday; code?: string; fieldErrors?: Record<string, string[]> };

const postBirthday = (shop: string, profileId: string, fields: Record<string, string>) =>
  responseOf<Body>(action({ request: adminPost(shop, `/app/customers/${profileId}`, { intent: "birthday", ...fields }), params: { profileId }, context: {} }));
const loadBirthday = async (shop: string, profileId: string) =>
  (await responseOf<{ birthday: Birthday }>(loader({ request: adminRequest(shop, `/app/customers/${profileId}`), params: { profileId }, context: {} }))).body.birthday;

describe("wallet birthday on the profile page", () => {
  it("saves, validates and clears a birthday, and the yearly bonus finds it", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop, { earn: { ...defaultSettings("SAR").earn, birthdayBonusPoints: 50 } });
    const profileId = await createProfile(shop);
    expect(await loadBirthday(shop, profileId)).toBeNull();

    // A birthday on a profile without a wallet yet creates an empty one.
    expect(await postBirthday(shop, profileId, { month: "2", day: "29" })).toEqual({ status: 200, body: { ok: true, intent: "birthday", birthday: { month: 2, day: 29 } } });
    expect(await loadBirthday(shop, profileId)).toEqual({ month: 2, day: 29 });
    expect(await getWallet(shop, profileId)).toMatchObject({ balancePoints: 0, birthdayMonth: 2, birthdayDay: 29 });
    const page = (await responseOf(loader({ request: adminRequest(shop, `/app/customers/${profileId}`), params: { profileId }, context: {} }))).body;
    const arabic = await renderPage(shop, Profile, page, "ar");
    expect(arabic).toContain("تاريخ الميلاد");
    expect(arabic).toContain("٢٩ فبراير");
    expect(await renderPage(shop, Profile, page, "en")).toContain("29 February");

    // Refused, nothing changed: a day the month does not have, half a birthday, nonsense.
    for (const [fields, errors] of [
      [{ month: "4", day: "31" }, { day: ["Must be at most 30"] }],
      [{ month: "13", day: "1" }, { month: ["Must be at most 12"] }],
      [{ month: "6", day: "" }, { day: ["Required"] }],
      [{ month: "", day: "6" }, { month: ["Required"] }],
      [{ month: "x", day: "0" }, { month: ["Must be a whole number"], day: ["Must be at least 1"] }],
    ] as const) {
      const refused = await postBirthday(shop, profileId, fields);
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code: "VALIDATION_FAILED", fieldErrors: errors });
    }
    expect(await loadBirthday(shop, profileId)).toEqual({ month: 2, day: 29 });

    // Arabic-Indic digits as staff may type them.
    expect((await postBirthday(shop, profileId, { month: "٣", day: "١٥" })).body.birthday).toEqual({ month: 3, day: 15 });
    // 15 March 2027, 09:00 in Riyadh.
    expect(await awardBirthdayBonuses({ shop, now: new Date("2027-03-15T06:00:00Z") })).toMatchObject({ awarded: 1 });
    expect(await getWallet(shop, profileId)).toMatchObject({ balancePoints: 50 });
    await expectLedgerConsistent(shop);

    // Both empty removes it.
    expect((await postBirthday(shop, profileId, { month: "", day: "" })).body).toEqual({ ok: true, intent: "birthday", birthday: null });
    expect(await loadBirthday(shop, profileId)).toBeNull();
  });

  it("answers 404 for an unknown profile and follows a merged profile to the surviving wallet", async () => {
    const { shop } = await installTestShop();
    await saveProgram(shop);
    expect((await postBirthday(shop, "no-such-profile", { month: "1", day: "1" })).status).toBe(404);

    const kept = await createProfile(shop);
    const merged = await createProfile(shop);
    const other = await createProfile(shop);
    await postBirthday(shop, merged, { month: "7", day: "4" });
    await postBirthday(shop, other, { month: "9", day: "9" });

    // Identity merges: the surviving wallet has no birthday, so it takes the merged one's.
    await prisma.profile.update({ where: { shop_id: { shop, id: merged } }, data: { mergedIntoId: kept } });
    await prisma.profileEvent.create({ data: { shop, kind: "MERGED", fromProfileId: merged, toProfileId: kept, memberKeys: [] } });
    expect(await followProfileEvents({ shop })).toBe(1);
    expect(await getWallet(shop, kept)).toMatchObject({ birthdayMonth: 7, birthdayDay: 4 });

    // A survivor with its own birthday keeps it.
    await prisma.profile.update({ where: { shop_id: { shop, id: kept } }, data: { mergedIntoId: other } });
    await prisma.profileEvent.create({ data: { shop, kind: "MERGED", fromProfileId: kept, toProfileId: other, memberKeys: [] } });
    expect(await followProfileEvents({ shop })).toBe(1);
    expect(await getWallet(shop, other)).toMatchObject({ birthdayMonth: 9, birthdayDay: 9 });

    // Saving on a merged profile saves on the wallet it was merged into.
    await postBirthday(shop, merged, { month: "12", day: "31" });
    expect(await getWallet(shop, other)).toMatchObject({ birthdayMonth: 12, birthdayDay: 31 });
    await expectLedgerConsistent(shop);
  });
});
