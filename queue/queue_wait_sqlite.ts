/**
 * The SQLite queue's wake-up signal: a `BroadcastChannel` reaches every thread of the process,
 * so a producer on the main thread can wake a consumer sleeping in the archive worker's Web
 * Worker, which has its own connection and cannot see the producer's in-memory state.
 *
 * Each side keeps **one** channel open for its whole life. Deno (2.9) subscribes a thread to
 * broadcasts when its first channel opens and unsubscribes when its last one closes, but the
 * receive loop notices the unsubscription only at its next message: a channel opened in that
 * window (close one, open the next, as a wait-per-`listen()` design did) joins a thread that
 * is no longer subscribed and never hears anything again. That is how the embedded archive
 * worker went to sleep for ever after its first wake-up.
 *
 * A signal can still be lost in ways a channel cannot report (a thread that was busy, a bug
 * like the one above), so a waiter also wakes every `pollMs` to look for itself: a lost
 * signal costs at most that long, never the archive.
 *
 * @module
 */

/** The largest delay `setTimeout` accepts. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Default safety-net interval: a waiter looks for work at least this often. */
export const DEFAULT_POLL_MS = 1000;

/** One wait for a signal; `stop()` it in a `finally`. */
export interface QueueWaiter {
  /**
   * Resolves at the first signal since `listen()`, after `ms` (capped at the poll interval),
   * or at `close()`.
   */
  until(ms: number): Promise<void>;
  /** Stops waiting and clears the timer. */
  stop(): void;
}

/** Options for {@link QueueWait}. */
export interface QueueWaitOptions {
  /** Milliseconds after which a waiter wakes by itself to look (default 1000). */
  pollMs?: number;
}

/** Signals "something was queued" between connections to one database file. */
export class QueueWait {
  readonly #name: string;
  readonly #pollMs: number;
  #channel: BroadcastChannel | undefined;
  #closed = false;
  /** Signals heard so far; a waiter compares it with the count when it started listening. */
  #heard = 0;
  readonly #waiters = new Set<() => void>();

  /** `name` must be the same for every connection to the file (it is derived from its path). */
  constructor(name: string, options: QueueWaitOptions = {}) {
    const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    if (!(pollMs > 0)) throw new RangeError(`Cannot create queue wait: invalid pollMs ${pollMs}`);
    this.#name = name;
    this.#pollMs = pollMs;
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Tells every listener, in any thread, to look again. Call after the commit. */
  notify(): void {
    if (this.#closed) return;
    // A channel does not hear its own posts: waiters on this side are woken directly.
    this.#open().postMessage(0);
    this.#signalled();
  }

  /**
   * Starts listening. Call it before checking for work: a signal sent between the check and
   * the wait is then still seen, and no wake-up is lost.
   */
  listen(): QueueWaiter {
    this.#open();
    const startedAt = this.#heard;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wake: (() => void) | undefined;
    const stop = () => {
      clearTimeout(timer);
      if (wake) this.#waiters.delete(wake);
      wake = undefined;
    };
    return {
      until: (ms) => {
        if (this.#closed || this.#heard !== startedAt) return Promise.resolve();
        return new Promise<void>((resolve) => {
          wake = () => {
            stop();
            resolve();
          };
          this.#waiters.add(wake);
          timer = setTimeout(wake, Math.min(ms, this.#pollMs, MAX_TIMER_MS));
        });
      },
      stop,
    };
  }

  /** Wakes every waiter for good and closes the channel. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const wake of [...this.#waiters]) wake();
    this.#channel?.close();
    this.#channel = undefined;
  }

  /**
   * The one channel of this side, opened on first use and kept until `close()`: an open
   * channel keeps the process alive, and a producer that never notifies never opens one.
   */
  #open(): BroadcastChannel {
    if (this.#channel) return this.#channel;
    const channel = new BroadcastChannel(this.#name);
    channel.onmessage = () => this.#signalled();
    return this.#channel = channel;
  }

  #signalled(): void {
    this.#heard++;
    for (const wake of [...this.#waiters]) wake();
  }
}
