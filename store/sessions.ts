/**
 * The session port: opaque tokens (cookie or bearer) mapped to an account.
 *
 * @module
 */

/** Login sessions. */
export interface SessionStore {
  /** Starts a session and returns its token. */
  create(accountid: string): Promise<string>;
  /** The account of a live session (its lifetime is extended), or null. */
  resolve(token: string): Promise<string | null>;
  /** Ends a session; unknown tokens are ignored. */
  destroy(token: string): Promise<void>;
}

/** Failed-login counting for the login rate limit. */
export interface LoginLimiter {
  /** True when `key` has failed too often within the window. */
  blocked(key: string): Promise<boolean>;
  /** Counts one failure. */
  fail(key: string): Promise<void>;
  /** Forgets the failures of `key` (after a successful login). */
  reset(key: string): Promise<void>;
}

/** A new random session token (256 bits, base64url). */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** Sessions are stored under a hash of the token, so a leaked Redis dump holds no tokens. */
export async function tokenKey(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
