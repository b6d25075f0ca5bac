/**
 * Fake time for tests of code that waits on timers or reads the clock: while installed,
 * `Date.now`, `setTimeout`, `clearTimeout`, `setInterval` and `clearInterval` answer to a clock
 * the test moves with {@link FakeTime.tick}, so a 75-second idle timeout or a 5-minute login
 * window takes microseconds and happens exactly when it should. (JSR's `@std/testing` FakeTime
 * is not reachable from here.) Only for code that waits on nothing but timers and promises: a
 * real socket or database client keeps its own timers on this clock too.
 *
 * @module
 */

interface Timer {
  id: number;
  at: number;
  run: () => void;
  /** Re-armed every `every` ms (setInterval). */
  every?: number;
}

const real = {
  now: Date.now,
  setTimeout: globalThis.setTimeout,
  clearTimeout: globalThis.clearTimeout,
  setInterval: globalThis.setInterval,
  clearInterval: globalThis.clearInterval,
};

/** Lets every promise that can settle without I/O settle (one real macrotask turn). */
function settle(): Promise<void> {
  return new Promise((resolve) => real.setTimeout(resolve, 0));
}

/**
 * Installs fake time at `start` (default: the real now); `restore()` (or `using`) puts the
 * real functions back. Only one may be installed at a time.
 */
export class FakeTime implements Disposable {
  static #installed = false;
  #active = true;
  #now: number;
  #timers = new Map<number, Timer>();
  #nextId = 1;

  constructor(start = real.now()) {
    if (FakeTime.#installed) throw new Error("Cannot install FakeTime: it is already installed");
    FakeTime.#installed = true;
    this.#now = start;
    const arm = (callback: unknown, ms: unknown, args: unknown[], repeat: boolean) => {
      if (typeof callback !== "function") throw new TypeError("timer callback is not a function");
      const delay = Math.max(0, Number(ms) || 0);
      const timer: Timer = {
        id: this.#nextId++,
        at: this.#now + delay,
        run: () => callback(...args),
        every: repeat ? Math.max(1, delay) : undefined,
      };
      this.#timers.set(timer.id, timer);
      return timer.id;
    };
    const clear = (id?: unknown) => void this.#timers.delete(Number(id));
    Date.now = () => this.#now;
    Object.assign(globalThis, {
      setTimeout: (callback: unknown, ms?: unknown, ...args: unknown[]) =>
        arm(callback, ms, args, false),
      setInterval: (callback: unknown, ms?: unknown, ...args: unknown[]) =>
        arm(callback, ms, args, true),
      clearTimeout: clear,
      clearInterval: clear,
    });
  }

  /** The fake clock, in milliseconds since the epoch. */
  get now(): number {
    return this.#now;
  }

  /** Timers armed and not yet run or cleared. */
  get pending(): number {
    return this.#timers.size;
  }

  /**
   * Moves the clock forward by `ms`, running every timer that falls due in that span in time
   * order (the clock reads each one's due time while it runs) and letting promises settle after
   * each, so work a timer starts is done before the next one fires.
   */
  async tick(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`Cannot tick: ${ms} is not a duration`);
    const end = this.#now + ms;
    await settle();
    while (true) {
      let next: Timer | undefined;
      for (const timer of this.#timers.values()) {
        if (timer.at <= end && (!next || timer.at < next.at)) next = timer;
      }
      if (!next) break;
      this.#now = Math.max(this.#now, next.at);
      if (next.every === undefined) this.#timers.delete(next.id);
      else next.at += next.every;
      next.run();
      await settle();
    }
    this.#now = end;
  }

  /** Puts the real clock and timers back; timers still armed are dropped. */
  restore(): void {
    if (!this.#active) return;
    this.#active = false;
    FakeTime.#installed = false;
    this.#timers.clear();
    Date.now = real.now;
    Object.assign(globalThis, {
      setTimeout: real.setTimeout,
      clearTimeout: real.clearTimeout,
      setInterval: real.setInterval,
      clearInterval: real.clearInterval,
    });
  }

  [Symbol.dispose](): void {
    this.restore();
  }
}
