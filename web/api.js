// @ts-check
/**
 * The HTTP API of docs/protocol.md over `fetch`, same origin, with the HttpOnly session cookie.
 * Every failure becomes an {@link ApiError} carrying the server's machine-readable code.
 *
 * @module
 */

/** A failed request: `status` 0 means the server could not be reached at all. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {number | null} retryAfter seconds, from a 429's `Retry-After`
   */
  constructor(status, code, message, retryAfter = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/** Called when a request other than login/me finds the session gone (401). */
let onUnauthorized = () => {};

/** @param {() => void} handler */
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

/**
 * Sends one request; resolves with the parsed JSON body (null for 204).
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function api(method, path, body) {
  /** @type {RequestInit} */
  const init = { method, headers: { accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers = { ...init.headers, "content-type": "application/json" };
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, "network", "cannot reach the server; check your connection");
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (response.ok) return data;
  const error = data?.error ?? {};
  const retryAfter = Number(response.headers.get("retry-after")) || null;
  const failure = new ApiError(
    response.status,
    typeof error.code === "string" ? error.code : `http_${response.status}`,
    typeof error.message === "string" ? error.message : `request failed (${response.status})`,
    retryAfter,
  );
  if (response.status === 401 && path !== "/api/login" && path !== "/api/me") onUnauthorized();
  throw failure;
}

/**
 * `GET` with query parameters (undefined ones left out).
 * @param {string} path
 * @param {Record<string, string | number | undefined | null>} [params]
 */
export function get(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) query.set(key, String(value));
  }
  const text = query.toString();
  return api("GET", text ? `${path}?${text}` : path);
}

/**
 * The path of a chat's sub-resource, the id escaped.
 * @param {string} chatid
 * @param {string} rest
 */
export function chatPath(chatid, rest) {
  return `/api/chats/${encodeURIComponent(chatid)}/${rest}`;
}
