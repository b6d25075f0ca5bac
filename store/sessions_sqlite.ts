/**
 * {@link SessionStore} and {@link LoginLimiter} on the embedded database. Expiry that Redis does
 * by itself is done here by comparing an `expires` column with the clock on every read, and
 * expired rows are swept now and then so the tables do not grow for ever.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { settle } from "./sqlite_db.ts";
import { type LoginLimiter, newToken, type SessionStore, tokenKey } from "./sessions.ts";

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
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
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
}

/** Failure counters whose window starts at the first failure (Redis's `EXPIRE … NX`). */
export class SqliteLoginLimiter implements LoginLimiter {
  readonly #db: DatabaseSync;
  readonly #maxFailures: number;
  readonly #windowSeconds: number;

  constructor(db: DatabaseSync, maxFailures: number, windowSeconds: number) {
    this.#db = db;
    this.#maxFailures = maxFailures;
    this.#windowSeconds = windowSeconds;
  }

  blocked(key: string): Promise<boolean> {
    return settle(() => {
      const row = this.#db.prepare(
        "SELECT count FROM login_failure WHERE key = ? AND expires > ?",
      ).get(key, nowSeconds());
      return Number(row?.count ?? 0) >= this.#maxFailures;
    });
  }

  fail(key: string): Promise<void> {
    const now = nowSeconds();
    return settle(() => {
      // Old values on the right-hand side: a row whose window has passed starts a new one.
      this.#db.prepare(
        `INSERT INTO login_failure (key, count, expires) VALUES (?, 1, ?)
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN expires <= ? THEN 1 ELSE count + 1 END,
           expires = CASE WHEN expires <= ? THEN excluded.expires ELSE expires END`,
      ).run(key, now + this.#windowSeconds, now, now);
      // Keys are per account and address: without a sweep, scans would pile up rows.
      this.#db.prepare("DELETE FROM login_failure WHERE expires <= ?").run(now);
    });
  }

  reset(key: string): Promise<void> {
    return settle(() => {
      this.#db.prepare("DELETE FROM login_failure WHERE key = ?").run(key);
    });
  }
}
