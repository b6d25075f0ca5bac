/**
 * The {@link SessionStore} and {@link LoginLimiter} contract, as `Deno.test`s run against every
 * implementation (`sessions_redis_test.ts`, `sessions_sqlite_test.ts`).
 *
 * @module
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { type LoginLimiter, type SessionStore, tokenKey } from "./sessions.ts";
import { contractTests } from "../tests/support/contract.ts";

/** One implementation on fresh, isolated storage, with a look at what it stores. */
export interface SessionHarness {
  sessions(ttlSeconds: number): SessionStore;
  limiter(maxFailures: number, windowSeconds: number): LoginLimiter;
  /** The keys sessions are stored under (`tokenKey` of each token). */
  sessionKeys(): Promise<string[]>;
  /** Seconds until the session of `token` expires. */
  sessionTtl(token: string): Promise<number>;
  /** Makes the session of `token` expire in `seconds` (≤ 0: it has expired). */
  expireSession(token: string, seconds: number): Promise<void>;
  /** Unix seconds at which the failure window of `key` ends. */
  windowEnd(key: string): Promise<number>;
  /** Lets the failure window of `key` pass. */
  endWindow(key: string): Promise<void>;
  /** The failures counted for `key` in its window. */
  failures(key: string): Promise<number>;
  /** Closes and removes the storage. */
  close(): Promise<void>;
}

/** Registers the contract's tests, named `${name}: …`. */
export function describeSessionContract(name: string, open: () => Promise<SessionHarness>): void {
  const test = contractTests(name, open);

  test("SessionStore stores only the token's hash and slides the expiry", async (h) => {
    const sessions = h.sessions(3600);
    const token = await sessions.create("alice");
    assertEquals(await sessions.resolve(token), "alice");
    assertEquals(await h.sessionKeys(), [await tokenKey(token)]);
    // Pretend the session is about to expire: a use extends it again.
    await h.expireSession(token, 5);
    assertEquals(await sessions.resolve(token), "alice");
    assert(await h.sessionTtl(token) > 3000, "extended");
    // Expired: gone.
    await h.expireSession(token, -1);
    assertEquals(await sessions.resolve(token), null);
    const other = await sessions.create("bob");
    await sessions.destroy(other);
    assertEquals(await sessions.resolve(other), null);
    assertEquals(await sessions.resolve("short"), null);
    assertEquals(await sessions.resolve("'; DROP TABLE session; --xxxxxxxxxxxxxxx"), null);
  });

  test("LoginLimiter blocks after max failures within the window", async (h) => {
    const limiter = h.limiter(3, 300);
    const key = "alice|127.0.0.1";
    for (let i = 0; i < 2; i++) await limiter.fail(key);
    assertEquals(await limiter.blocked(key), false);
    await limiter.fail(key);
    assertEquals(await limiter.blocked(key), true);
    assertEquals(await limiter.blocked("bob|127.0.0.1"), false);
    // Later failures do not extend the window.
    const before = await h.windowEnd(key);
    await limiter.fail(key);
    assertEquals(await h.windowEnd(key), before);
    await limiter.reset(key);
    assertEquals(await limiter.blocked(key), false);
    // A passed window starts over at one.
    for (let i = 0; i < 3; i++) await limiter.fail(key);
    await h.endWindow(key);
    assertEquals(await limiter.blocked(key), false);
    await limiter.fail(key);
    assertEquals(await h.failures(key), 1);
  });
}
