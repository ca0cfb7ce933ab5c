/**
 * Idempotency keys, one per business event, unique per shop (STYLE: "Money, points and the
 * ledger"). Building them in one place keeps the webhook, job and API paths from ever disagreeing.
 */

/** The one earn of an order. */
export const toEarnKey = (orderGid: string): string => `earn:${orderGid}`;
/** The clawback of one refund. */
export const toRefundReversalKey = (refundGid: string): string => `reverse:${refundGid}`;
/** The clawback of what remains of an order's earn when it is cancelled. */
export const toCancellationReversalKey = (orderGid: string): string => `cancel:${orderGid}`;
/** A redemption, keyed by the client's request id so POS and checkout retries are harmless. */
export const toRedeemKey = (clientRequestId: string): string => `redeem:${clientRequestId}`;
/** Holding points for a reservation, and its two mutually exclusive outcomes. */
export const toReserveKey = (reservationId: string): string => `reserve:${reservationId}`;
export const toSettleKey = (reservationId: string): string => `settle:${reservationId}`;
export const toReleaseKey = (reservationId: string): string => `release:${reservationId}`;
/** A staff adjustment, keyed by the form submission id. */
export const toAdjustmentKey = (requestId: string): string => `adjust:${requestId}`;
/** The signup bonus of a profile (once ever). */
export const toSignupBonusKey = (profileId: string): string => `signup:${profileId}`;
/** Taking back the surplus signup bonuses one profile merge brought into a wallet (once per merge event). */
export const toDuplicateSignupBonusKey = (profileEventId: string): string => `signup-duplicate:profile-event:${profileEventId}`;
/** The birthday bonus of a profile for one year (once a year). */
export const toBirthdayBonusKey = (profileId: string, year: number): string => `birthday:${profileId}:${year}`;
/** The write-off of one lot; a lot expires at most once. */
export const toExpiryKey = (lotId: string): string => `expire:${lotId}`;
/** A wallet transfer (profile merge or split); its paired entries get ":out" and ":in". */
export const toTransferKey = (transferId: string): string => `transfer:${transferId}`;
