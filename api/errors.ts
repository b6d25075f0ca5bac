/**
 * The API's one error class and the JSON error shape
 * `{"error":{"code","message"}}`, mapped to answers in `app.onError`.
 *
 * @module
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCodeName } from "../gateway/protocol.ts";

/** An expected failure with its HTTP status and machine-readable code. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCodeName,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** 400 bad_request. */
export const badRequest = (message: string) => new ApiError(400, "bad_request", message);
/** 403 forbidden. */
export const forbidden = (message: string) => new ApiError(403, "forbidden", message);
/** 404 not_found. */
export const notFound = (message: string) => new ApiError(404, "not_found", message);
/** 409 conflict. */
export const conflict = (message: string) => new ApiError(409, "conflict", message);
/** 413 too_large. */
export const tooLarge = (message: string) => new ApiError(413, "too_large", message);
/** 503 unavailable. */
export const unavailable = (message: string) => new ApiError(503, "unavailable", message);

/** The error body. */
export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}
