import { describe, it, expect } from "vitest";
import {
  ConflictError,
  ERROR_CODES,
  HTTP_STATUS_BY_ERROR_CODE,
  InsufficientPointsError,
  NotFoundError,
  ValidationError,
  toErrorBody,
  toHttpStatus,
} from "~/domain/errors";

describe("domain errors", () => {
  it("maps every error code to an HTTP status", () => {
    expect(Object.keys(HTTP_STATUS_BY_ERROR_CODE).sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each([
    [new InsufficientPointsError(100, 40), 409, "INSUFFICIENT_POINTS"],
    [new ValidationError({ pendingDays: ["Must be at least 0"] }), 422, "VALIDATION_FAILED"],
    [new NotFoundError("Reward", "ten-off"), 404, "NOT_FOUND"],
    [new ConflictError("busy"), 409, "CONFLICT"],
    [new ConflictError("twice", {}, "ORDER_ALREADY_EARNED"), 409, "ORDER_ALREADY_EARNED"],
  ])("answers %s with status %i and a stable code", (error, status, code) => {
    expect(toHttpStatus(error)).toBe(status);
    expect(toErrorBody(error).code).toBe(code);
    expect(error).toBeInstanceOf(Error);
  });

  it("answers 500 for an unexpected error without leaking its message", () => {
    const error = new Error("connection string postgres://secret");
    expect(toHttpStatus(error)).toBe(500);
    expect(toErrorBody(error)).toEqual({ code: "INTERNAL", message: "Internal error" });
  });

  it("carries required and available points on INSUFFICIENT_POINTS for the client to show", () => {
    expect(toErrorBody(new InsufficientPointsError(100, 40, { pendingPoints: 60 }))).toEqual({
      code: "INSUFFICIENT_POINTS",
      message: "100 points required, 40 available",
      details: { requiredPoints: 100, availablePoints: 40, pendingPoints: 60 },
    });
  });
});
