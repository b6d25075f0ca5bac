/**
 * The SQLite queue's wake-up signal: a `BroadcastChannel` reaches every thread of the process,
 * so a producer on the main thread can wake a consumer sleeping in the archive worker's Web
 * Worker, which has its own connection and cannot see the producer's in-memory state.
 *
 * @module
 */

/** The largest delay `setTimeout` accepts; longer waits are re-armed by the caller's loop. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** One wait for a signal; `stop()` it in a `finally`. */
export interface QueueWaiter {
  /** Resolves at the first signal since `listen()`, after `ms`, or at `close()`. */
  until(ms: number): Promise<void>;
  /** Stops listening and clears the timer. */
  stop(): void;
}

/** Signals "something was queued" between connections to one database file. */
export class QueueWait {
  readonly #name: string;
  #sender: BroadcastChannel | undefined;
  #closed = false;
  readonly #waiters = new Set<() => void>();

  /** `name` must be the same for every connection to the file (it is derived from its path). */
  constructor(name: string) {
    this.#name = name;
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Tells every listener, in any thread, to look again. Call after the commit. */
  notify(): void {
    if (this.#closed) return;
    // Created on first use and kept: an open channel keeps the process alive, so the queue's
    // close() closes it, and a consumer-only queue never opens one.
    (this.#sender ??= new BroadcastChannel(this.#name)).postMessage(0);
  }

  /**
   * Starts listening. Call it before checking for work: a signal sent between the check and
   * the wait is then still seen, and no wake-up is lost.
   */
  listen(): QueueWaiter {
    const channel = new BroadcastChannel(this.#name);
    let signalled = this.#closed;
    let resolve: (() => void) | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const wake = () => {
      signalled = true;
      resolve?.();
    };
    channel.onmessage = wake;
    this.#waiters.add(wake);
    return {
      until: (ms) => {
        if (signalled) return Promise.resolve();
        return new Promise<void>((done) => {
          resolve = done;
          if (Number.isFinite(ms)) timer = setTimeout(done, Math.min(ms, MAX_TIMER_MS));
        });
      },
      stop: () => {
        clearTimeout(timer);
        channel.close();
        this.#waiters.delete(wake);
      },
    };
  }

  /** Wakes every waiter for good and closes the sending channel. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const wake of this.#waiters) wake();
    this.#sender?.close();
    this.#sender = undefined;
  }
}
