/**
 * Validation and pricing of a redemption against the rewards catalogue: which discount a reward
 * gives on this cart and what it costs in points. Checks run in a fixed order so the same request
 * always fails with the same code: program, reward, currency, minimum order, share, points.
 */
import {
  CurrencyMismatchError,
  DomainError,
  InsufficientPointsError,
  NotFoundError,
  ProgramDisabledError,
  RewardNotApplicableError,
  ValidationError,
  type ErrorCode,
} from "../errors";
import { multiplyByRatio } from "../money";
import type { ProgramSettings, Reward } from "./settings";

/** The cart a reward would apply to, in minor units of the program currency. */
export interface RedemptionCart {
  currency: string;
  /** Line items after other discounts, before tax and shipping. */
  subtotalMinor: number;
  shippingMinor: number;
}

export interface RedemptionRequest {
  settings: ProgramSettings;
  rewardId: string;
  cart: RedemptionCart;
  /** Spendable points now (pending and expired points excluded; see computeLotBalances). */
  availablePoints: number;
}

export interface RedemptionQuote {
  reward: Reward;
  pointsCost: number;
  discount: {
    kind: Reward["kind"];
    /** The discount on this cart; for PERCENTAGE, Shopify applies `percent` and this is the estimate. */
    amountMinor: number;
    currency: string;
    percent: number | null;
  };
}

function requireCart(cart: RedemptionCart): void {
  const fieldErrors: Record<string, string[]> = {};
  for (const field of ["subtotalMinor", "shippingMinor"] as const) {
    if (!Number.isSafeInteger(cart[field]) || cart[field] < 0) fieldErrors[field] = ["Must be a non-negative integer"];
  }
  if (Object.keys(fieldErrors).length > 0) throw new ValidationError(fieldErrors, "Invalid cart");
}

/** The largest discount points may pay on this subtotal: floor(subtotal × maxOrderSharePercent / 100). */
export function computeMaxPointsDiscount(settings: ProgramSettings, subtotalMinor: number): number {
  return multiplyByRatio(subtotalMinor, settings.maxOrderSharePercent, 100, "FLOOR");
}

/**
 * Prices a reward on a cart. Fixed amounts must fit in the maximum share (else MAX_SHARE_EXCEEDED);
 * percentages round down; free shipping covers the shipping (up to its cap) and is not subject to
 * the share. Throws INSUFFICIENT_POINTS when available points are below the cost.
 */
export function computeRedemption(request: RedemptionRequest): RedemptionQuote {
  const { settings, cart } = request;
  if (!settings.enabled) throw new ProgramDisabledError();
  const reward = settings.rewards.find((candidate) => candidate.id === request.rewardId);
  if (!reward) throw new NotFoundError("Reward", request.rewardId);
  if (!reward.enabled) throw new RewardNotApplicableError("REWARD_DISABLED", "This reward is not offered now");
  if (cart.currency !== settings.currency) throw new CurrencyMismatchError(settings.currency, cart.currency);
  requireCart(cart);
  if (cart.subtotalMinor < reward.minOrderMinor) {
    throw new RewardNotApplicableError("MIN_ORDER_NOT_MET", "The order is below the reward's minimum", {
      minOrderMinor: reward.minOrderMinor,
      subtotalMinor: cart.subtotalMinor,
    });
  }
  const maxShareMinor = computeMaxPointsDiscount(settings, cart.subtotalMinor);
  let amountMinor: number;
  let percent: number | null = null;
  switch (reward.kind) {
    case "FIXED_AMOUNT":
      amountMinor = reward.amountMinor;
      if (amountMinor > maxShareMinor) {
        throw new RewardNotApplicableError("MAX_SHARE_EXCEEDED", "The reward exceeds the share of the order payable with points", {
          amountMinor,
          maxShareMinor,
        });
      }
      break;
    case "PERCENTAGE":
      percent = reward.percent;
      amountMinor = Math.min(
        multiplyByRatio(cart.subtotalMinor, reward.percent, 100, "FLOOR"),
        reward.maxDiscountMinor ?? Number.MAX_SAFE_INTEGER,
        maxShareMinor,
      );
      break;
    case "FREE_SHIPPING":
      amountMinor = Math.min(cart.shippingMinor, reward.maxShippingMinor ?? Number.MAX_SAFE_INTEGER);
      break;
  }
  if (amountMinor <= 0) {
    throw new RewardNotApplicableError("NOTHING_TO_DISCOUNT", "The reward would not discount this order");
  }
  if (request.availablePoints < reward.pointsCost) {
    throw new InsufficientPointsError(reward.pointsCost, Math.max(0, request.availablePoints));
  }
  return {
    reward,
    pointsCost: reward.pointsCost,
    discount: { kind: reward.kind, amountMinor, currency: settings.currency, percent },
  };
}

/**
 * Every enabled reward with its quote on this cart or the code saying why it cannot be used now
 * (for the POS and customer-account lists). Unexpected errors are rethrown.
 */
export function listRewardOptions(
  settings: ProgramSettings,
  cart: RedemptionCart,
  availablePoints: number,
): Array<{ reward: Reward; quote: RedemptionQuote | null; unavailableCode: ErrorCode | null; reason: string | null }> {
  return settings.rewards
    .filter((reward) => reward.enabled)
    .map((reward) => {
      try {
        const quote = computeRedemption({ settings, rewardId: reward.id, cart, availablePoints });
        return { reward, quote, unavailableCode: null, reason: null };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const reason = error instanceof RewardNotApplicableError ? error.reason : null;
        return { reward, quote: null, unavailableCode: error.code, reason };
      }
    });
}
