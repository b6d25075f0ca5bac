/**
 * Keeps {@link describeRedisPersistence}'s answer current: read at start, re-read every minute
 * and when asked after a few seconds, because an operator may change Redis's settings at run
 * time (`CONFIG SET appendonly yes`). Every change is logged, warnings loudly.
 *
 * @module
 */
import type { Log } from "../ops/log.ts";
import type { Durability } from "./durability.ts";
import type { RedisClient } from "./redis_client.ts";
import { describeRedisPersistence, readRedisPersistence } from "./redis_persistence.ts";

/** Options for {@link RedisPersistenceWatch}. */
export interface RedisPersistenceWatchOptions {
  /** How long an answer is reused by `current()`, in milliseconds (default 5000). */
  cacheMs?: number;
  /** Milliseconds between re-reads in the background (default 60000). */
  intervalMs?: number;
}

/** The current {@link Durability} of one Redis. */
export class RedisPersistenceWatch {
  readonly #redis: RedisClient;
  readonly #log: Log;
  readonly #cacheMs: number;
  readonly #intervalMs: number;
  #last: { at: number; durability: Durability } | undefined;
  #reading: Promise<Durability> | undefined;
  #logged = "";
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    redis: RedisClient,
    log: Log,
    options: RedisPersistenceWatchOptions = {},
  ) {
    this.#redis = redis;
    this.#log = log;
    this.#cacheMs = options.cacheMs ?? 5000;
    this.#intervalMs = options.intervalMs ?? 60_000;
  }

  /** Reads (and logs) the settings once, then re-reads them every interval. */
  async start(): Promise<Durability> {
    const durability = await this.#read();
    this.#timer ??= setInterval(() => void this.#read(), this.#intervalMs);
    return durability;
  }

  /** The answer of the last few seconds, or a fresh one. */
  current(): Promise<Durability> {
    const last = this.#last;
    if (last && Date.now() - last.at < this.#cacheMs) return Promise.resolve(last.durability);
    return this.#read();
  }

  /** Stops the background re-reads. Idempotent. */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #read(): Promise<Durability> {
    return this.#reading ??= (async () => {
      try {
        const durability = describeRedisPersistence(await readRedisPersistence(this.#redis));
        this.#last = { at: Date.now(), durability };
        this.#report(durability);
        return durability;
      } catch (error) {
        // Redis is unreachable (health says so): its settings are the ones last read.
        if (this.#last) return this.#last.durability;
        return unreachable((error as Error)?.message ?? String(error));
      } finally {
        this.#reading = undefined;
      }
    })();
  }

  /** Logs the answer when it differs from the one logged before. */
  #report(durability: Durability): void {
    const text = JSON.stringify([durability.persistence, durability.warnings]);
    if (text === this.#logged) return;
    this.#logged = text;
    this.#log(
      `redis persistence: ${durability.persistence}: an acknowledged message survives ` +
        durability.ackSurvives,
    );
    for (const warning of durability.warnings) this.#log(`WARNING: ${warning}`);
  }
}

function unreachable(reason: string): Durability {
  return {
    store: "redis",
    persistence: "unknown",
    ackSurvives: "unknown: Redis cannot be reached",
    warnings: [`Redis's persistence settings cannot be read: ${reason}`],
  };
}
