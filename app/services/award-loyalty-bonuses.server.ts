/**
 * Birthday and signup bonuses. Both are BONUS entries whose keys carry the business event —
 * toBirthdayBonusKey(profile, local year), toSignupBonusKey(profile) — so a job that runs twice,
 * or a customer stored twice, credits once.
 */
import type { PoolClient } from "pg";
import { pool } from "../db.server";
import { computeBirthdayBonus, computeSignupBonus, toLocalDate, type LocalDate } from "../domain/loyalty/bonuses";
import { toBirthdayBonusKey, toSignupBonusKey } from "../domain/loyalty/keys";
import { computeLotDates } from "../domain/loyalty/lots";
import { getSettingsVersionAt, type ProgramSettings } from "../domain/loyalty/settings";
import { listMergedWallets } from "./follow-profile-events.server";
import { loadSettingsVersions, runLedgerUnit, type CommandResult, type PlannedCommand } from "./loyalty-ledger.server";

/** Wallets per ledger unit. */
export const BONUS_BATCH_WALLETS = 500;

function formatLocalDate(date: LocalDate): string {
  return `${date.year}-${String(date.month).padStart(2, "0")}-${String(date.day).padStart(2, "0")}`;
}

/** A bonus lot: spendable at once (no return window to wait for), expiring like earned points. */
function bonusCommand(input: { key: string; walletId: string; points: number; reason: string; at: Date; settings: ProgramSettings }): PlannedCommand {
  const dates = computeLotDates(input.at, { pendingDays: 0, expiry: input.settings.expiry });
  return {
    command: {
      kind: "BONUS",
      idempotencyKey: input.key,
      at: input.at,
      walletId: input.walletId,
      points: input.points,
      reason: input.reason,
      availableAt: dates.availableAt,
      expiresAt: dates.expiresAt,
    },
    meta: { source: "JOB" },
  };
}

function countApplied(results: CommandResult[]): number {
  return results.filter((result) => result.status === "APPLIED").length;
}

/**
 * Credits today's birthday bonuses of a shop, "today" being the shop's calendar date in its own
 * time zone. 29 February birthdays are celebrated on 28 February in common years (isBirthday).
 * Runs at most once per local day (LoyaltyShopState.lastBirthdayRunOn) unless `force`; the keys
 * make even a forced re-run harmless. Returns the number of bonuses credited.
 */
export async function awardBirthdayBonuses({ shop, now = new Date(), force = false }: { shop: string; now?: Date; force?: boolean }): Promise<{ date: string; awarded: number; skipped: boolean }> {
  const client = await pool.connect();
  let settings: ProgramSettings | null;
  let today: LocalDate;
  let lastRunOn: string | null;
  try {
    settings = (await loadSettingsVersions(client, shop)).at(-1)?.settings ?? null;
    const { rows } = await client.query(
      `select s.timezone, st."lastBirthdayRunOn" from "Shop" s left join "LoyaltyShopState" st on st.shop = s.shop where s.shop = $1`,
      [shop],
    );
    today = toLocalDate(now, rows[0]?.timezone ?? "UTC");
    lastRunOn = rows[0]?.lastBirthdayRunOn ?? null;
  } finally {
    client.release();
  }
  const date = formatLocalDate(today);
  if (!force && lastRunOn === date) return { date, awarded: 0, skipped: true };
  let awarded = 0;
  const points = settings ? computeBirthdayBonus(settings, { month: today.month, day: today.day }, today) : 0;
  if (settings && points > 0) {
    // Who celebrates today: the date itself, plus 29 February on 28 February of a common year
    // (isBirthday decides; the query only narrows to candidates).
    const candidates: Array<[number, number]> = [[today.month, today.day]];
    if (today.month === 2 && today.day === 28 && computeBirthdayBonus(settings, { month: 2, day: 29 }, today) > 0) candidates.push([2, 29]);
    let after = "";
    for (;;) {
      const { rows } = await pool.query<{ profileId: string }>(
        `select w."profileId" from "LoyaltyWallet" w
           join "Profile" p on p.shop = w.shop and p.id = w."profileId" and p."mergedIntoId" is null
          where w.shop = $1 and (w."birthdayMonth", w."birthdayDay") in (select * from unnest($2::int[], $3::int[]))
            and w."profileId" > $4
          order by w."profileId" limit $5`,
        [shop, candidates.map(([month]) => month), candidates.map(([, day]) => day), after, BONUS_BATCH_WALLETS],
      );
      if (rows.length === 0) break;
      const walletIds = rows.map((row) => row.profileId);
      const results = await runLedgerUnit({
        shop,
        now,
        target: async () => ({ walletIds }),
        plan: (state) =>
          walletIds.map((walletId) =>
            bonusCommand({ key: toBirthdayBonusKey(walletId, today.year), walletId, points, reason: "BIRTHDAY", at: state.now, settings: settings! }),
          ),
      });
      awarded += countApplied(results);
      after = walletIds.at(-1)!;
      if (rows.length < BONUS_BATCH_WALLETS) break;
    }
  }
  await pool.query(
    `insert into "LoyaltyShopState" (shop, "lastBirthdayRunOn", "updatedAt") values ($1, $2, now())
     on conflict (shop) do update set "lastBirthdayRunOn" = excluded."lastBirthdayRunOn", "updatedAt" = now()`,
    [shop, date],
  );
  return { date, awarded, skipped: false };
}

/**
 * Profiles that already hold a signup bonus credited to another profile merged into them (a
 * person's second account merged into a profile without a customer of its own, e.g. guest orders):
 * crediting their own would give the person two (the merge's take-back only looks at merge time).
 */
async function listProfilesHoldingMergedSignupBonus(client: PoolClient, shop: string, profileIds: string[]): Promise<Set<string>> {
  const merged = (await listMergedWallets(client, shop, profileIds)).filter((row) => row.profileId !== row.root);
  if (merged.length === 0) return new Set();
  const { rows } = await client.query<{ key: string }>(
    `select "idempotencyKey" as key from "LoyaltyEntry" where shop = $1 and kind = 'BONUS' and "idempotencyKey" = any($2::text[])`,
    [shop, merged.map((row) => toSignupBonusKey(row.profileId))],
  );
  const credited = new Set(rows.map((row) => row.key));
  return new Set(merged.filter((row) => credited.has(toSignupBonusKey(row.profileId))).map((row) => row.root));
}

/**
 * The signup bonus, a customer step: a profile gets it once (its key) when it holds a Shopify
 * customer created while an enabled program with a signup bonus was in force, and no profile
 * merged into it brought one. Customers created before the program started (the install backfill
 * brings every existing one) earn nothing.
 */
export async function awardSignupBonuses({ shop, customerGids, now = new Date() }: { shop: string; customerGids: string[]; now?: Date }): Promise<number> {
  if (customerGids.length === 0) return 0;
  let awarded = 0;
  for (let i = 0; i < customerGids.length; i += BONUS_BATCH_WALLETS) {
    const gids = customerGids.slice(i, i + BONUS_BATCH_WALLETS);
    let members: Array<{ profileId: string; signedUpAt: Date; points: number; settings: ProgramSettings }> = [];
    const results = await runLedgerUnit({
      shop,
      now,
      // Same shared lock as the earn step: the identity step cannot move these customers to
      // another profile between reading the membership and crediting its wallet.
      before: async (client) => {
        await client.query(`select pg_advisory_xact_lock_shared(hashtext($1))`, [`identity:${shop}`]);
      },
      target: async (client) => {
        const { rows } = await client.query<{ profileId: string; signedUpAt: Date }>(
          `select m."profileId", min(coalesce(c."shopifyCreatedAt", m."createdAt")) at time zone 'UTC' as "signedUpAt"
             from "ProfileMember" m
             join "Profile" p on p.shop = m.shop and p.id = m."profileId" and p."mergedIntoId" is null
             left join "Customer" c on c.shop = m.shop and c."customerGid" = m."memberKey"
            where m.shop = $1 and m."memberKind" = 'CUSTOMER' and m."memberKey" = any($2::text[]) and c."deletedAt" is null
            group by m."profileId"`,
          [shop, gids],
        );
        // Only qualifying profiles are targeted: locking a wallet creates it.
        const versions = await loadSettingsVersions(client, shop);
        members = rows.flatMap((row) => {
          const version = getSettingsVersionAt(versions, row.signedUpAt);
          const points = version ? computeSignupBonus(version.settings) : 0;
          return version && points > 0 ? [{ ...row, points, settings: version.settings }] : [];
        });
        return { walletIds: members.map((member) => member.profileId) };
      },
      plan: async (state, client) => {
        const holding = await listProfilesHoldingMergedSignupBonus(client, shop, members.map((member) => member.profileId));
        return members
          .filter((member) => !holding.has(member.profileId))
          .map((member) =>
            bonusCommand({ key: toSignupBonusKey(member.profileId), walletId: member.profileId, points: member.points, reason: "SIGNUP", at: state.now, settings: member.settings }),
          );
      },
    });
    awarded += countApplied(results);
  }
  return awarded;
}
