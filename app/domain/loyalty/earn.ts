/**
 * Points earned by an order, and points clawed back by its refunds and cancellation. An order earns
 * by the settings version in force when it was placed; its refunds reverse by that same version,
 * in proportion to the refunded eligible amount, so a later rate change never touches old orders.
 */
import { ConflictError, CurrencyMismatchError, ValidationError } from "../errors";
import { divideRounded, getCurrencyExponent, toSafeNumber } from "../money";
import type { ProgramSettings, SettingsVersion } from "./settings";
import { toMultiplierRatio } from "./settings";

export const CHANNELS = ["ONLINE", "POS"] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * Amounts of an order, or of one refund, in minor units of `currency` (shop money). Tips and
 * gift-card payments are not inputs: they never earn. Gift-card line items are products sold as
 * gift cards; they earn when the card is spent, not when it is bought.
 */
export interface EarnableAmounts {
  currency: string;
  /** Line items after line- and order-level discounts (points discounts included); includes tax iff taxesIncluded. */
  lineItemsMinor: number;
  /** The part of lineItemsMinor that is gift-card products. */
  giftCardLineItemsMinor: number;
  /** Tax on the line items. */
  lineItemsTaxMinor: number;
  /** Shipping after shipping discounts; includes tax iff taxesIncluded. */
  shippingMinor: number;
  shippingTaxMinor: number;
  /** Prices include tax (common with VAT in the Gulf): tax is then taken out of the amounts above. */
  taxesIncluded: boolean;
}

function requireAmounts(amounts: EarnableAmounts): void {
  const fieldErrors: Record<string, string[]> = {};
  for (const field of [
    "lineItemsMinor",
    "giftCardLineItemsMinor",
    "lineItemsTaxMinor",
    "shippingMinor",
    "shippingTaxMinor",
  ] as const) {
    const value = amounts[field];
    if (!Number.isSafeInteger(value) || value < 0) fieldErrors[field] = ["Must be a non-negative integer"];
  }
  if (Object.keys(fieldErrors).length > 0) throw new ValidationError(fieldErrors, "Invalid order amounts");
}

/**
 * The amount that earns, per the settings: line items after discounts, minus gift cards, without
 * tax, shipping and tips unless the settings include shipping/taxes. Never negative.
 */
export function computeEligibleAmount(amounts: EarnableAmounts, settings: ProgramSettings): number {
  requireAmounts(amounts);
  if (amounts.currency !== settings.currency) throw new CurrencyMismatchError(settings.currency, amounts.currency);
  const { includeShipping, includeTaxes } = settings.earn;
  const lineTax = amounts.taxesIncluded ? amounts.lineItemsTaxMinor : 0;
  const shippingTax = amounts.taxesIncluded ? amounts.shippingTaxMinor : 0;
  let eligible = amounts.lineItemsMinor - amounts.giftCardLineItemsMinor - lineTax;
  if (includeShipping) eligible += amounts.shippingMinor - shippingTax;
  if (includeTaxes) eligible += amounts.lineItemsTaxMinor + (includeShipping ? amounts.shippingTaxMinor : 0);
  return Math.max(0, eligible);
}

export interface OrderEarnInput {
  /** The settings version in force when the order was placed (see getSettingsVersionAt). */
  settingsVersion: SettingsVersion;
  amounts: EarnableAmounts;
  channel: Channel;
  /** The POS location (branch) of the order; only POS orders get a branch multiplier. */
  locationGid?: string | null;
  /** The customer's tier when the order was placed, looked up in this same settings version. */
  tierId?: string | null;
}

export interface OrderEarn {
  settingsVersion: number;
  eligibleAmountMinor: number;
  points: number;
  /** The multipliers applied, as decimal strings, in order: rate, channel, branch, tier. */
  factors: { pointsPerUnit: string; channel: string; branch: string; tier: string };
  /** Null when the order earned normally; otherwise why it earned nothing. */
  skippedReason: "PROGRAM_DISABLED" | null;
}

/**
 * Points for an order: eligible × pointsPerUnit × channel × branch × tier / 10^exponent, computed
 * as one exact rational and rounded once with the settings' rounding mode. A disabled program earns 0.
 */
export function computeOrderEarn(input: OrderEarnInput): OrderEarn {
  const { settings, version } = input.settingsVersion;
  const eligibleAmountMinor = computeEligibleAmount(input.amounts, settings);
  const branch =
    input.channel === "POS" && input.locationGid ? (settings.earn.branchMultipliers[input.locationGid] ?? "1") : "1";
  const tier = input.tierId ? (settings.tiers.find((t) => t.id === input.tierId)?.earnMultiplier ?? "1") : "1";
  const factors = {
    pointsPerUnit: settings.earn.pointsPerUnit,
    channel: input.channel === "POS" ? settings.earn.channelMultipliers.pos : settings.earn.channelMultipliers.online,
    branch,
    tier,
  };
  if (!settings.enabled) {
    return { settingsVersion: version, eligibleAmountMinor, points: 0, factors, skippedReason: "PROGRAM_DISABLED" };
  }
  const ratio = toMultiplierRatio([factors.pointsPerUnit, factors.channel, factors.branch, factors.tier]);
  const exponentScale = 10n ** BigInt(getCurrencyExponent(settings.currency));
  const points = divideRounded(
    BigInt(eligibleAmountMinor) * ratio.numerator,
    ratio.denominator * exponentScale,
    settings.earn.rounding,
  );
  return { settingsVersion: version, eligibleAmountMinor, points: toSafeNumber(points), factors, skippedReason: null };
}

/** What an order earned, as stored on its EARN entry; the basis of every later clawback. */
export interface EarnRecord {
  settingsVersion: number;
  eligibleAmountMinor: number;
  points: number;
}

export interface RefundReversalInput {
  earn: EarnRecord;
  /** Must be the version the order earned by: refunds reverse by the rule in force at purchase. */
  settingsVersion: SettingsVersion;
  /** Amounts of this refund (what was refunded, not what remains). */
  refundAmounts: EarnableAmounts;
  /** Eligible amount refunded by earlier refunds of the order (sum of their refundEligibleAmountMinor). */
  previouslyRefundedEligibleMinor: number;
  /** Points already reversed for the order by earlier refunds (their computed clawback, shortfall included). */
  previouslyReversedPoints: number;
}

export interface RefundReversal {
  /** Eligible amount of this refund, capped so refunds never exceed the order's eligible amount. */
  refundEligibleAmountMinor: number;
  cumulativeRefundedEligibleMinor: number;
  /** Points to reverse now; with earlier reversals never more than the earn. */
  points: number;
}

/**
 * Proportional clawback: after this refund, total reversed = round(earn × cumulative refunded
 * eligible / eligible), so partial refunds add up to exactly the earn when everything is refunded
 * and rounding never drifts. Never negative, never more than what remains of the earn.
 */
export function computeRefundReversal(input: RefundReversalInput): RefundReversal {
  const { earn, settingsVersion } = input;
  if (settingsVersion.version !== earn.settingsVersion) {
    throw new ConflictError("A refund must be reversed by the settings version its order earned by", {
      earnedBy: earn.settingsVersion,
      given: settingsVersion.version,
    });
  }
  requireCounter("previouslyRefundedEligibleMinor", input.previouslyRefundedEligibleMinor);
  requireCounter("previouslyReversedPoints", input.previouslyReversedPoints);
  const previousRefunded = Math.min(input.previouslyRefundedEligibleMinor, earn.eligibleAmountMinor);
  const raw = computeEligibleAmount(input.refundAmounts, settingsVersion.settings);
  const refundEligibleAmountMinor = Math.min(raw, earn.eligibleAmountMinor - previousRefunded);
  const cumulative = previousRefunded + refundEligibleAmountMinor;
  const remaining = Math.max(0, earn.points - input.previouslyReversedPoints);
  let points = 0;
  if (earn.eligibleAmountMinor > 0 && earn.points > 0) {
    const target = toSafeNumber(
      divideRounded(
        BigInt(earn.points) * BigInt(cumulative),
        BigInt(earn.eligibleAmountMinor),
        settingsVersion.settings.earn.rounding,
      ),
    );
    points = Math.min(remaining, Math.max(0, target - input.previouslyReversedPoints));
  }
  return { refundEligibleAmountMinor, cumulativeRefundedEligibleMinor: cumulative, points };
}

/** A cancelled order reverses whatever remains of its earn after earlier refunds. */
export function computeCancellationReversal(earn: EarnRecord, previouslyReversedPoints: number): number {
  requireCounter("previouslyReversedPoints", previouslyReversedPoints);
  return Math.max(0, earn.points - previouslyReversedPoints);
}

function requireCounter(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError({ [field]: ["Must be a non-negative integer"] });
  }
}
