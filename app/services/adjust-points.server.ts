/**
 * Staff adjustments and direct redemptions: one command on one wallet, keyed by the client's
 * request id so a double click, a POS retry or a replayed form changes the balance once.
 */
import { pool } from "../db.server";
import { InsufficientPointsError, NotFoundError, ValidationError, type FieldErrors } from "../domain/errors";
import { redeemGrouped } from "./redemption-group.server";
import { toAdjustmentKey, toRedeemKey } from "../domain/loyalty/keys";
import type { Channel } from "../domain/loyalty/earn";
import { runLedgerUnit, type CommandResult } from "./loyalty-ledger.server";

const MAX_POINTS = 1_000_000_000;

/**
 * The profile a wallet command applies to: a profile merged into another hands its commands to
 * the one it was merged into (its wallet moved there). Throws NotFound for an unknown profile.
 */
export async function resolveWalletProfile({ shop, profileId }: { shop: string; profileId: string }): Promise<string> {
  let current = profileId;
  for (let hops = 0; hops < 20; hops++) {
    const { rows } = await pool.query(`select "mergedIntoId" from "Profile" where shop = $1 and id = $2`, [shop, current]);
    if (rows.length === 0) throw new NotFoundError("Profile", profileId);
    const next = rows[0].mergedIntoId as string | null;
    if (!next) return current;
    current = next;
  }
  return current;
}

function requireRequestId(requestId: string, fieldErrors: FieldErrors): void {
  if (typeof requestId !== "string" || requestId.trim().length === 0 || requestId.length > 200) {
    fieldErrors.requestId = ["A request id (up to 200 characters) is required"];
  }
}

function throwIfAny(fieldErrors: FieldErrors, message: string): void {
  if (Object.keys(fieldErrors).length > 0) throw new ValidationError(fieldErrors, message);
}

function balanceOf(result: CommandResult, fallback: number): number {
  return result.entries.at(-1)?.balanceAfter ?? fallback;
}

async function getBalance(shop: string, profileId: string): Promise<number> {
  const { rows } = await pool.query(`select "balancePoints" from "LoyaltyWallet" where shop = $1 and "profileId" = $2`, [shop, profileId]);
  return rows[0]?.balancePoints ?? 0;
}

/**
 * A manual correction by staff (admin now, POS later), with reason and staff identity on the
 * entry: the audit trail. Negative adjustments cannot overdraw under RECORD_SHORTFALL.
 */
export async function adjustPoints(input: {
  shop: string;
  profileId: string;
  points: number;
  reason: string;
  staffId: string;
  staffName: string | null;
  requestId: string;
  channel?: Channel | null;
  locationGid?: string | null;
  now?: Date;
}): Promise<{ status: "APPLIED" | "DUPLICATE"; balancePoints: number }> {
  const fieldErrors: FieldErrors = {};
  if (!Number.isSafeInteger(input.points) || input.points === 0 || Math.abs(input.points) > MAX_POINTS) {
    fieldErrors.points = [`A whole number of points other than 0, at most ${MAX_POINTS.toLocaleString("en")} either way`];
  }
  const reason = typeof input.reason === "string" ? input.reason.trim() : "";
  if (reason.length === 0) fieldErrors.reason = ["Say why the points are adjusted"];
  else if (reason.length > 500) fieldErrors.reason = ["At most 500 characters"];
  if (!input.staffId?.trim()) fieldErrors.staffId = ["The staff member making the adjustment is required"];
  requireRequestId(input.requestId, fieldErrors);
  throwIfAny(fieldErrors, "Invalid adjustment");

  const profileId = await resolveWalletProfile({ shop: input.shop, profileId: input.profileId });
  const [result] = await runLedgerUnit({
    shop: input.shop,
    now: input.now,
    target: async () => ({ walletIds: [profileId] }),
    plan: (state) => [
      {
        command: {
          kind: "ADJUSTMENT",
          idempotencyKey: toAdjustmentKey(input.requestId),
          at: state.now,
          walletId: profileId,
          points: input.points,
          reason,
          staffId: input.staffId,
        },
        meta: { source: "STAFF", staffName: input.staffName, channel: input.channel ?? null, locationGid: input.locationGid ?? null },
      },
    ],
  });
  if (result.status === "REJECTED") throw result.error;
  return { status: result.status, balancePoints: result.status === "APPLIED" ? balanceOf(result, 0) : await getBalance(input.shop, profileId) };
}

/**
 * Spends available points at once (no discount code): the building block of POS redemption into
 * the cart. INSUFFICIENT_POINTS when pending or expired points would be needed.
 */
export async function redeemPoints(input: {
  shop: string;
  profileId: string;
  points: number;
  clientRequestId: string;
  channel: Channel;
  locationGid?: string | null;
  staffName?: string | null;
  now?: Date;
}): Promise<{ status: "APPLIED" | "DUPLICATE"; balancePoints: number; entryId: string | null }> {
  const fieldErrors: FieldErrors = {};
  if (!Number.isSafeInteger(input.points) || input.points <= 0 || input.points > MAX_POINTS) fieldErrors.points = ["A positive whole number of points"];
  requireRequestId(input.clientRequestId, fieldErrors);
  throwIfAny(fieldErrors, "Invalid redemption");
  const now = input.now ?? new Date();
  const meta = { source: "STAFF" as const, channel: input.channel, locationGid: input.locationGid ?? null, staffName: input.staffName ?? null };
  const key = toRedeemKey(input.clientRequestId);
  // The hot path first: one statement, grouped with the redemptions arriving beside it. Equal to
  // the unit below (ledger-equivalence test); FALLBACK when the function does not handle the case.
  const fast = await redeemGrouped({ shop: input.shop, profileId: input.profileId, key, points: input.points, now, ...meta });
  if (fast.status === "APPLIED" || fast.status === "DUPLICATE") return { status: fast.status, balancePoints: fast.balance, entryId: fast.entryId };
  if (fast.status === "INSUFFICIENT") throw new InsufficientPointsError(input.points, fast.available, { pendingPoints: fast.pending });
  const [result] = await runLedgerUnit({
    shop: input.shop,
    now,
    target: async () => ({ walletIds: [input.profileId] }),
    plan: (state) => [{ command: { kind: "REDEEM", idempotencyKey: key, at: state.now, walletId: input.profileId, points: input.points }, meta }],
  });
  if (result.status === "REJECTED") throw result.error;
  return {
    status: result.status,
    balancePoints: result.status === "APPLIED" ? balanceOf(result, 0) : await getBalance(input.shop, input.profileId),
    entryId: result.entries[0]?.id ?? null,
  };
}
