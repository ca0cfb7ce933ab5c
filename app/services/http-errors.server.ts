import { isDomainError, toErrorBody, toHttpStatus } from "../domain/errors";

/** A JSON error for extension APIs: a stable `code` the client translates and a human message. */
export function errorResponse(status: number, code: string, message: string): Response {
  return Response.json({ code, message }, { status });
}

/** Maps a typed domain error to its HTTP status and body; anything else is a 500 without details. */
export function domainErrorResponse(error: unknown): Response {
  if (isDomainError(error)) return Response.json(toErrorBody(error), { status: toHttpStatus(error) });
  console.error(error);
  return errorResponse(500, "INTERNAL", "Something went wrong on our side.");
}
