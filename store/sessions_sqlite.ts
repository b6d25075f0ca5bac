/**
 * {@link SessionStore} and {@link LoginLimiter} on the embedded database. Expiry that Redis does
 * by itself is done here by comparing an `expires` column with the clock on every read, and
 * expired rows are swept now and then so the tables do not grow for ever. The per-account index
 * is the `session_account` index on the same table, so it never holds a dead entry.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { immediate, settle } from "./sqlite_db.ts";
import {
  type LoginAttempt,
  loginBudgetKeys,
  type LoginLimiter,
  type LoginReservation,
  newToken,
  plausibleToken,
  type SessionStore,
  tokenKey,
} from "./sessions.ts";

/** Seconds between sweeps of expired rows. */
const SWEEP_SECONDS = 3600;

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Sessions as rows `sha256(token)` → accountid with a sliding expiry, as in Redis. */
export class SqliteSessionStore implements SessionStore {
  readonly #db: DatabaseSync;
  readonly #ttlSeconds: number;
  #nextSweep = 0;

  constructor(db: DatabaseSync, ttlSeconds: number) {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new RangeError(`Cannot create session store: invalid ttl ${ttlSeconds}`);
    }
    this.#db = db;
    this.#ttlSeconds = ttlSeconds;
  }

  async create(accountid: string): Promise<string> {
    const token = newToken();
    const key = await tokenKey(token);
    const now = nowSeconds();
    await settle(() => {
      if (now >= this.#nextSweep) {
        this.#nextSweep = now + SWEEP_SECONDS;
        this.#db.prepare("DELETE FROM session WHERE expires <= ?").run(now);
      }
      this.#db.prepare("INSERT INTO session (key, accountid, expires) VALUES (?, ?, ?)")
        .run(key, accountid, now + this.#ttlSeconds);
    });
    return token;
  }

  async resolve(token: string): Promise<string | null> {
    if (!plausibleToken(token)) return null;
    const key = await tokenKey(token);
    const now = nowSeconds();
    // One statement reads and extends, like Redis's GETEX.
    const row = await settle(() =>
      this.#db.prepare(
        "UPDATE session SET expires = ? WHERE key = ? AND expires > ? RETURNING accountid",
      ).get(now + this.#ttlSeconds, key, now)
    );
    return row ? String(row.accountid) : null;
  }

  async destroy(token: string): Promise<void> {
    const key = await tokenKey(token);
    await settle(() => this.#db.prepare("DELETE FROM session WHERE key = ?").run(key));
  }

  destroyAll(accountid: string): Promise<number> {
    const now = nowSeconds();
    return settle(() =>
      this.#db.prepare("DELETE FROM session WHERE accountid = ? RETURNING expires")
        .all(accountid).filter((row) => Number(row.expires) > now).length
    );
  }

  live(keys: readonly string[], used: ReadonlySet<string>): Promise<Set<string>> {
    if (keys.length === 0) return Promise.resolve(new Set());
    const now = nowSeconds();
    return settle(() =>
      immediate(this.#db, () => {
        const extend = this.#db.prepare(
          "UPDATE session SET expires = ? WHERE key = ? AND expires > ?",
        );
        const exists = this.#db.prepare(
          "SELECT 1 AS found FROM session WHERE key = ? AND expires > ?",
        );
        const alive = new Set<string>();
        for (const key of keys) {
          const found = used.has(key)
            ? Number(extend.run(now + this.#ttlSeconds, key, now).changes) > 0
            : exists.get(key, now) !== undefined;
          if (found) alive.add(key);
        }
        return alive;
      })
    );
  }
}

/** Failure budgets whose window starts at the first failure (Redis's TTL on the first INCR). */
export class SqliteLoginLimiter implements LoginLimiter {
  readonly #db: DatabaseSync;
  readonly #limits: { maxFailures: number; maxFailuresPerAddress: number; windowSeconds: number };

  constructor(
    db: DatabaseSync,
    limits: { maxFailures: number; maxFailuresPerAddress: number; windowSeconds: number },
  ) {
    this.#db = db;
    this.#limits = limits;
  }

  reserve(attempt: LoginAttempt): Promise<LoginReservation> {
    const { account, address } = loginBudgetKeys(attempt);
    const budgets: [string, number][] = [
      [account, this.#limits.maxFailures],
      [address, this.#limits.maxFailuresPerAddress],
    ];
    const now = nowSeconds();
    // Check and count in one write transaction: two connections cannot both see room.
    return settle(() =>
      immediate(this.#db, (): LoginReservation => {
        const read = this.#db.prepare(
          "SELECT count, expires FROM login_failure WHERE key = ? AND expires > ?",
        );
        for (const [key, limit] of budgets) {
          const row = read.get(key, now);
          if (row && Number(row.count) >= limit) {
            return { allowed: false, retryAfterSeconds: Math.max(1, Number(row.expires) - now) };
          }
        }
        // Old values on the right-hand side: a row whose window has passed starts a new one.
        const count = this.#db.prepare(
          `INSERT INTO login_failure (key, count, expires) VALUES (?, 1, ?)
           ON CONFLICT (key) DO UPDATE SET
             count = CASE WHEN expires <= ? THEN 1 ELSE count + 1 END,
             expires = CASE WHEN expires <= ? THEN excluded.expires ELSE expires END`,
        );
        for (const [key] of budgets) count.run(key, now + this.#limits.windowSeconds, now, now);
        // Keys are per account and address: without a sweep, scans would pile up rows.
        this.#db.prepare("DELETE FROM login_failure WHERE expires <= ?").run(now);
        return { allowed: true };
      })
    );
  }

  succeeded(attempt: LoginAttempt): Promise<void> {
    const { account, address } = loginBudgetKeys(attempt);
    return settle(() => {
      immediate(this.#db, () => {
        this.#db.prepare("DELETE FROM login_failure WHERE key = ?").run(account);
        this.#db.prepare("UPDATE login_failure SET count = count - 1 WHERE key = ? AND count > 0")
          .run(address);
      });
    });
  }
}
