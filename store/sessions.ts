/**
 * The session port: opaque tokens (cookie or bearer) mapped to an account, an index of each
 * account's sessions (so a password change ends them all), the announcement of ended sessions
 * to every node, and the login rate limit.
 *
 * Sessions are known by their key, the SHA-256 of the token ({@link tokenKey}): that is what
 * the stores keep, what open WebSockets remember, and what an announcement carries.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** Login sessions. */
export interface SessionStore {
  /** Starts a session and returns its token. */
  create(accountid: string): Promise<string>;
  /** The account of a live session (its lifetime is extended), or null. */
  resolve(token: string): Promise<string | null>;
  /** Ends a session everywhere (announced to every node); unknown tokens are ignored. */
  destroy(token: string): Promise<void>;
  /** Ends every session of an account everywhere (announced); answers how many there were. */
  destroyAll(accountid: string): Promise<number>;
  /**
   * Which of the session `keys` are still live, in one round trip per call (callers batch a few
   * hundred). The sessions in `used` were used since the last look and are extended, as a
   * request would extend them.
   */
  live(keys: readonly string[], used: ReadonlySet<string>): Promise<Set<string>>;
}

/**
 * Sessions ended by another process (another node's logout, `chat user passwd`), heard as soon
 * as they end. Only the production backend has one; elsewhere the periodic look at
 * {@link SessionStore.live} is what notices.
 */
export interface SessionEndings {
  /** Starts listening; `ended` is called with the keys of sessions that ended anywhere. */
  listen(ended: (keys: string[]) => void): Promise<void>;
  /** Stops listening; idempotent. */
  close(): Promise<void>;
}

/** One login attempt: the account asked for and the client address it came from. */
export interface LoginAttempt {
  /** The accountid as typed, lower-cased and cut to 40 characters (no lookup needed). */
  account: string;
  /** The client's address, or the /64 network of an IPv6 address (one host has them all). */
  address: string;
}

/** The answer of {@link LoginLimiter.reserve}. */
export type LoginReservation = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * The login rate limit: two budgets of failed attempts per window, one per account and address
 * and one per address across every account (password spraying).
 *
 * An attempt is counted against both budgets *before* its password is checked, atomically, so
 * parallel guesses cannot all pass a check that is only counted afterwards.
 */
export interface LoginLimiter {
  /**
   * Counts the attempt against both budgets when both have room and answers `allowed`;
   * otherwise counts nothing and says how long until the full budget's window ends.
   */
  reserve(attempt: LoginAttempt): Promise<LoginReservation>;
  /**
   * After a right password: forgets the account budget's failures and gives the address budget
   * back the attempt that {@link reserve} counted.
   */
  succeeded(attempt: LoginAttempt): Promise<void>;
}

/** The storage keys of an attempt's two budgets; both carry the address (one Redis slot). */
export function loginBudgetKeys(attempt: LoginAttempt): { account: string; address: string } {
  return {
    account: `{${attempt.address}}:acct:${attempt.account}`,
    address: `{${attempt.address}}:addr`,
  };
}

/** A new random session token (256 bits, base64url). */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

/**
 * Sessions are stored under a hash of the token, so a leaked Redis dump holds no tokens.
 * node:crypto's synchronous SHA-256 (the same digest as WebCrypto's): every request hashes its
 * token, twice, and an upload sends a request per chunk; the asynchronous WebCrypto call cost
 * a trip through the runtime's thread pool each time (0.3 ms per call when busy, measured).
 */
export function tokenKey(token: string): Promise<string> {
  return Promise.resolve(createHash("sha256").update(token).digest("hex"));
}

/** What a session key looks like (the hex SHA-256 of a token). */
export const SESSION_KEY = /^[0-9a-f]{64}$/;

/** True when `token` has the shape of our tokens (anything else is never looked up). */
export function plausibleToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{20,100}$/.test(token);
}
