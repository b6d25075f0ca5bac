/**
 * The {@link SessionStore}, {@link SessionEndings} and {@link LoginLimiter} contract, as
 * `Deno.test`s run against every implementation (`sessions_redis_test.ts`,
 * `sessions_sqlite_test.ts`).
 *
 * @module
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import {
  type LoginAttempt,
  loginBudgetKeys,
  type LoginLimiter,
  type SessionEndings,
  type SessionStore,
  tokenKey,
} from "./sessions.ts";
import { contractTests } from "../tests/support/contract.ts";
import { eventually } from "../tests/support/fixtures.ts";

/** The limits of a limiter under test. */
export interface LimiterLimits {
  maxFailures: number;
  maxFailuresPerAddress: number;
  windowSeconds: number;
}

/** One implementation on fresh, isolated storage, with a look at what it stores. */
export interface SessionHarness {
  sessions(ttlSeconds: number): SessionStore;
  limiter(limits: LimiterLimits): LoginLimiter;
  /** Where the implementation announces ended sessions, or null when it does not. */
  endings(): SessionEndings | null;
  /** The keys sessions are stored under (`tokenKey` of each token). */
  sessionKeys(): Promise<string[]>;
  /** Seconds until the session of `token` expires. */
  sessionTtl(token: string): Promise<number>;
  /** Makes the session of `token` expire in `seconds` (≤ 0: it has expired). */
  expireSession(token: string, seconds: number): Promise<void>;
  /** Unix seconds at which the window of a budget (`loginBudgetKeys`) ends. */
  windowEnd(budget: string): Promise<number>;
  /** Lets the window of a budget pass. */
  endWindow(budget: string): Promise<void>;
  /** The failures counted in a budget's window. */
  failures(budget: string): Promise<number>;
  /** Closes and removes the storage. */
  close(): Promise<void>;
}

const limits = (maxFailures: number, maxFailuresPerAddress: number, windowSeconds = 300) => ({
  maxFailures,
  maxFailuresPerAddress,
  windowSeconds,
});

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
    await sessions.destroy("'; DROP TABLE session; --xxxxxxxxxxxxxxx");
  });

  test("destroyAll ends every session of one account and nobody else's", async (h) => {
    const sessions = h.sessions(3600);
    const alice = [await sessions.create("alice"), await sessions.create("alice")];
    const expired = await sessions.create("alice");
    await h.expireSession(expired, -1);
    const bob = await sessions.create("bob");
    assertEquals(await sessions.destroyAll("alice"), 2);
    for (const token of [...alice, expired]) assertEquals(await sessions.resolve(token), null);
    assertEquals(await sessions.resolve(bob), "bob");
    assertEquals(await h.sessionKeys(), [await tokenKey(bob)]);
    assertEquals(await sessions.destroyAll("alice"), 0);
    assertEquals(await sessions.destroyAll("nobody"), 0);
    // A session made after the change is not touched by the earlier one.
    const later = await sessions.create("alice");
    assertEquals(await sessions.resolve(later), "alice");
  });

  test("live answers a batch at once and extends only the used sessions", async (h) => {
    const sessions = h.sessions(3600);
    const tokens = await Promise.all(
      Array.from({ length: 300 }, (_, i) => sessions.create(`u${i % 7}`)),
    );
    const keys = await Promise.all(tokens.map(tokenKey));
    const [used, idle, gone, destroyed] = tokens;
    await h.expireSession(used, 5);
    await h.expireSession(idle, 5);
    await h.expireSession(gone, -1);
    await sessions.destroy(destroyed);
    const alive = await sessions.live([...keys, "f".repeat(64)], new Set([keys[0], keys[2]]));
    assertEquals(alive.size, 298);
    assert(alive.has(keys[0]) && alive.has(keys[1]) && !alive.has(keys[2]) && !alive.has(keys[3]));
    assert(await h.sessionTtl(used) > 3000, "the used session is extended");
    assert(await h.sessionTtl(idle) <= 5, "an unused session is not");
    // A used session that had expired is not brought back.
    assertEquals(await sessions.resolve(gone), null);
    assertEquals(await sessions.live([], new Set()), new Set());
  });

  test("ended sessions are announced to listeners", async (h) => {
    const endings = h.endings();
    if (!endings) return; // this implementation relies on the periodic look instead
    const heard: string[] = [];
    try {
      await endings.listen((keys) => heard.push(...keys));
      const sessions = h.sessions(3600);
      const one = await sessions.create("alice");
      const two = await sessions.create("alice");
      const three = await sessions.create("bob");
      await sessions.destroy(three);
      await sessions.destroyAll("alice");
      const expected = (await Promise.all([three, one, two].map(tokenKey))).sort();
      await eventually(() => heard.length >= 3, 5000, "announcements");
      assertEquals([...heard].sort(), expected);
    } finally {
      await endings.close();
    }
  });

  test("LoginLimiter counts before the check: parallel attempts cannot pass", async (h) => {
    const limiter = h.limiter(limits(5, 50));
    const attempt = { account: "alice", address: "127.0.0.1" };
    const answers = await Promise.all(
      Array.from({ length: 60 }, () => limiter.reserve(attempt)),
    );
    assertEquals(answers.filter((a) => a.allowed).length, 5);
    const denied = answers.find((a) => !a.allowed);
    assert(denied && !denied.allowed && denied.retryAfterSeconds > 200, JSON.stringify(denied));
    const { account, address } = loginBudgetKeys(attempt);
    // Refused attempts are not counted: they would eat the address budget of other accounts.
    assertEquals([await h.failures(account), await h.failures(address)], [5, 5]);
    // Another address has its own budgets.
    assert((await limiter.reserve({ account: "alice", address: "10.1.1.1" })).allowed);
  });

  test("LoginLimiter has a per-address budget across accounts", async (h) => {
    const limiter = h.limiter(limits(3, 4));
    const from = (account: string): LoginAttempt => ({ account, address: "192.0.2.7" });
    for (const account of ["a", "b", "c", "d"]) {
      assert((await limiter.reserve(from(account))).allowed);
    }
    assertEquals((await limiter.reserve(from("e"))).allowed, false);
    assertEquals((await limiter.reserve(from("a"))).allowed, false);
    // A right password gives its attempt back to the address and forgets the account's.
    await limiter.succeeded(from("a"));
    const { account, address } = loginBudgetKeys(from("a"));
    assertEquals(await h.failures(address), 3);
    assertEquals(await h.failures(account), 0);
    assert((await limiter.reserve(from("e"))).allowed);
    assertEquals((await limiter.reserve(from("f"))).allowed, false);
  });

  test("LoginLimiter windows start at the first attempt and pass", async (h) => {
    const limiter = h.limiter(limits(3, 50));
    const attempt = { account: "alice", address: "127.0.0.1" };
    const { account } = loginBudgetKeys(attempt);
    assert((await limiter.reserve(attempt)).allowed);
    const end = await h.windowEnd(account);
    assert((await limiter.reserve(attempt)).allowed);
    assert((await limiter.reserve(attempt)).allowed);
    assertEquals(await h.windowEnd(account), end, "later attempts do not extend the window");
    assertEquals((await limiter.reserve(attempt)).allowed, false);
    await h.endWindow(account);
    assert((await limiter.reserve(attempt)).allowed);
    assertEquals(await h.failures(account), 1);
    // A success with nothing counted leaves nothing negative behind.
    await limiter.succeeded({ account: "zed", address: "198.51.100.1" });
    const zed = loginBudgetKeys({ account: "zed", address: "198.51.100.1" });
    assertEquals(await h.failures(zed.address), 0);
  });
}
