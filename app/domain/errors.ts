/**
 * Typed domain errors with stable codes, and the one place that maps a code to an HTTP status.
 * Routes catch DomainError, answer `toHttpStatus(error)` and `toErrorBody(error)`; clients translate
 * by `code`, so codes are part of the public API: never rename one.
 */

export const ERROR_CODES = [
  "VALIDATION_FAILED",
  "INVALID_MONEY",
  "CURRENCY_MISMATCH",
  "NOT_FOUND",
  "CONFLICT",
  "INSUFFICIENT_POINTS",
  "PROGRAM_DISABLED",
  "REWARD_NOT_APPLICABLE",
  "ORDER_ALREADY_EARNED",
  "REVERSAL_EXCEEDS_EARN",
  "RESERVATION_CLOSED",
  "DISCOUNT_CODE_FAILED",
  "CUSTOMER_NOT_IN_PROFILE",
  "CUSTOMER_MERGE_IN_PROGRESS",
  "SHOPIFY_UNAVAILABLE",
  "SHOPIFY_SCOPE_MISSING",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * HTTP status for every error code. Forms answer 422 with field errors; extension APIs answer
 * 400 for input that can never succeed and 409 when the state of the shop or wallet forbids it.
 */
export const HTTP_STATUS_BY_ERROR_CODE: Readonly<Record<ErrorCode, number>> = Object.freeze({
  VALIDATION_FAILED: 422,
  INVALID_MONEY: 400,
  CURRENCY_MISMATCH: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INSUFFICIENT_POINTS: 409,
  PROGRAM_DISABLED: 409,
  REWARD_NOT_APPLICABLE: 409,
  ORDER_ALREADY_EARNED: 409,
  REVERSAL_EXCEEDS_EARN: 409,
  RESERVATION_CLOSED: 409,
  // Shopify refused or could not be reached: the points were given back, a new request may succeed.
  DISCOUNT_CODE_FAILED: 502,
  // Customer merges: both customers must be Shopify customers of the profile, one merge at a time.
  CUSTOMER_NOT_IN_PROFILE: 409,
  CUSTOMER_MERGE_IN_PROGRESS: 409,
  // Shopify could not be reached or answered with errors: nothing was changed here, a retry may succeed.
  SHOPIFY_UNAVAILABLE: 502,
  // The shop has not granted the access scope the call needs (the merchant approves it in Shopify).
  SHOPIFY_SCOPE_MISSING: 403,
});

/** Base class of every expected, typed failure of the domain; `code` is stable and machine-readable. */
export class DomainError extends Error {
  override readonly name: string = "DomainError";
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** Field path (dot-separated, e.g. `tiers.1.thresholdMinor`, or "" for the whole form) -> messages. */
export type FieldErrors = Record<string, string[]>;

/** Untrusted input failed validation; `fieldErrors` says which fields and why (422 on forms). */
export class ValidationError extends DomainError {
  override readonly name = "ValidationError";
  readonly fieldErrors: FieldErrors;

  constructor(fieldErrors: FieldErrors, message = "Validation failed") {
    super("VALIDATION_FAILED", message, { fieldErrors });
    this.fieldErrors = fieldErrors;
  }
}

export type InvalidMoneyReason =
  | "MALFORMED"
  | "TOO_MANY_DECIMALS"
  | "NEGATIVE"
  | "OUT_OF_RANGE"
  | "INVALID_CURRENCY";

/** A money amount or currency code could not be parsed or represented exactly. */
export class InvalidMoneyError extends DomainError {
  override readonly name = "InvalidMoneyError";
  readonly reason: InvalidMoneyReason;

  constructor(reason: InvalidMoneyReason, message: string, details: Record<string, unknown> = {}) {
    super("INVALID_MONEY", message, { reason, ...details });
    this.reason = reason;
  }
}

/** Two amounts in different currencies were combined, or an order is not in the program's currency. */
export class CurrencyMismatchError extends DomainError {
  override readonly name = "CurrencyMismatchError";

  constructor(expected: string, actual: string) {
    super("CURRENCY_MISMATCH", `Expected currency ${expected}, got ${actual}`, { expected, actual });
  }
}

/** The thing asked for does not exist (in this shop). */
export class NotFoundError extends DomainError {
  override readonly name = "NotFoundError";

  constructor(entity: string, id: string) {
    super("NOT_FOUND", `${entity} ${id} not found`, { entity, id });
  }
}

/** The request is valid but the current state forbids it; subclasses carry a more precise code. */
export class ConflictError extends DomainError {
  override readonly name: string = "ConflictError";

  constructor(message: string, details: Record<string, unknown> = {}, code: ErrorCode = "CONFLICT") {
    super(code, message, details);
  }
}

/** A debit asked for more points than can be spent now (pending and expired points cannot be spent). */
export class InsufficientPointsError extends DomainError {
  override readonly name = "InsufficientPointsError";
  readonly requiredPoints: number;
  readonly availablePoints: number;

  constructor(requiredPoints: number, availablePoints: number, details: Record<string, unknown> = {}) {
    super(
      "INSUFFICIENT_POINTS",
      `${requiredPoints} points required, ${availablePoints} available`,
      { requiredPoints, availablePoints, ...details },
    );
    this.requiredPoints = requiredPoints;
    this.availablePoints = availablePoints;
  }
}

/** The loyalty program is switched off for this shop. */
export class ProgramDisabledError extends DomainError {
  override readonly name = "ProgramDisabledError";

  constructor() {
    super("PROGRAM_DISABLED", "The loyalty program is disabled");
  }
}

export type RewardNotApplicableReason =
  | "REWARD_DISABLED"
  | "MIN_ORDER_NOT_MET"
  | "MAX_SHARE_EXCEEDED"
  | "NOTHING_TO_DISCOUNT";

/** A reward exists but cannot be applied to this cart (minimum order, maximum share, ...). */
export class RewardNotApplicableError extends DomainError {
  override readonly name = "RewardNotApplicableError";
  readonly reason: RewardNotApplicableReason;

  constructor(reason: RewardNotApplicableReason, message: string, details: Record<string, unknown> = {}) {
    super("REWARD_NOT_APPLICABLE", message, { reason, ...details });
    this.reason = reason;
  }
}

/**
 * Shopify did not create the discount code of a reservation (it refused, or could not be reached);
 * the held points were released. `reason` is REFUSED (userErrors) or UNREACHABLE.
 */
export class DiscountCodeFailedError extends DomainError {
  override readonly name = "DiscountCodeFailedError";

  constructor(reason: "REFUSED" | "UNREACHABLE", message: string, details: Record<string, unknown> = {}) {
    super("DISCOUNT_CODE_FAILED", message, { reason, ...details });
  }
}

/** True for any typed domain failure (as opposed to a bug or an infrastructure error). */
export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/** HTTP status for an error: the mapped status of a DomainError, 500 for anything else. */
export function toHttpStatus(error: unknown): number {
  return isDomainError(error) ? HTTP_STATUS_BY_ERROR_CODE[error.code] : 500;
}

export interface ErrorBody {
  code: ErrorCode | "INTERNAL";
  message: string;
  fieldErrors?: FieldErrors;
  details?: Record<string, unknown>;
}

/** JSON body for an error response; never leaks the message of an unexpected error. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof ValidationError) {
    return { code: error.code, message: error.message, fieldErrors: error.fieldErrors };
  }
  if (isDomainError(error)) {
    return { code: error.code, message: error.message, details: { ...error.details } };
  }
  return { code: "INTERNAL", message: "Internal error" };
}
