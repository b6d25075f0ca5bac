/**
 * The per-account send rate limit of one node: a token bucket per account, shared by all of
 * that account's connections on the node, so opening more sockets buys no more throughput.
 *
 * @module
 */

interface Bucket {
  tokens: number;
  /** Milliseconds timestamp of the last refill. */
  at: number;
}

/** Token buckets of `burst` messages, refilled at `perSecond`. */
export class SendRateLimiter {
  #buckets = new Map<string, Bucket>();

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(perSecond > 0) || !(burst >= 1)) {
      throw new RangeError(`Cannot limit sends: invalid rate ${perSecond}/s, burst ${burst}`);
    }
  }

  /** Takes one message from the account's bucket: 0 when allowed, else ms until one is due. */
  take(accountid: string): number {
    const now = this.now();
    const bucket = this.#refilled(accountid, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.#buckets.set(accountid, bucket);
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) * 1000 / this.perSecond);
  }

  /**
   * Forgets buckets that have filled up again (they hold nothing a new one would not), so the
   * map holds only accounts that sent recently. A bucket is kept after its account's sockets
   * close, so reconnecting does not refill it early.
   */
  sweep(): void {
    const now = this.now();
    for (const [accountid] of this.#buckets) {
      if (this.#refilled(accountid, now).tokens >= this.burst) this.#buckets.delete(accountid);
    }
  }

  /** Accounts with a bucket (for tests and monitoring). */
  get size(): number {
    return this.#buckets.size;
  }

  #refilled(accountid: string, now: number): Bucket {
    const bucket = this.#buckets.get(accountid) ?? { tokens: this.burst, at: now };
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(this.burst, bucket.tokens + elapsed * this.perSecond / 1000);
    bucket.at = now;
    return bucket;
  }
}
