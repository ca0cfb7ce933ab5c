/**
 * The birthday on a wallet, set by staff on the profile page. Shopify customers carry no birth
 * date of their own, so this is where the birthday bonus job finds them. Not a balance: it is
 * written outside the ledger, and a merge carries it to the surviving wallet
 * (follow-profile-events) when that one has none.
 */
import { pool } from "../db.server";
import { parseBirthdayInput, type Birthday } from "../domain/loyalty/birthday";
import { resolveWalletProfile } from "./adjust-points.server";

export async function setWalletBirthday(input: { shop: string; profileId: string; month: unknown; day: unknown }): Promise<{ profileId: string; birthday: Birthday | null }> {
  const birthday = parseBirthdayInput(input);
  const profileId = await resolveWalletProfile({ shop: input.shop, profileId: input.profileId });
  // The ledger creates missing wallets the same way (insert … on conflict do nothing), so a wallet
  // born here is an ordinary empty wallet to it.
  await pool.query(
    `insert into "LoyaltyWallet" (shop, "profileId", "birthdayMonth", "birthdayDay") values ($1, $2, $3, $4)
     on conflict (shop, "profileId") do update set "birthdayMonth" = excluded."birthdayMonth", "birthdayDay" = excluded."birthdayDay", "updatedAt" = now()`,
    [input.shop, profileId, birthday?.month ?? null, birthday?.day ?? null],
  );
  return { profileId, birthday };
}

export async function getWalletBirthday({ shop, profileId }: { shop: string; profileId: string }): Promise<Birthday | null> {
  const { rows } = await pool.query(`select "birthdayMonth" as month, "birthdayDay" as day from "LoyaltyWallet" where shop = $1 and "profileId" = $2`, [shop, profileId]);
  return rows[0]?.month && rows[0]?.day ? { month: rows[0].month, day: rows[0].day } : null;
}
