/**
 * Log lines of one connection, rate limited: a client that triggers an error with every frame
 * must not be able to fill the log (or the disk) at the speed it sends. The first few lines of
 * each minute are written; the rest are counted and the count is written with the next line
 * that gets through (or when the connection closes).
 *
 * @module
 */
import type { Log, LogLevel } from "../ops/log.ts";

/** A per-connection log that writes at most `perWindow` lines per `windowMs`. */
export class LogLimiter {
  #windowStart = -Infinity;
  #written = 0;
  #suppressed = 0;

  constructor(
    private readonly log: Log,
    /** Who the lines are about, named in the "suppressed" line. */
    private readonly who: string,
    private readonly perWindow = 5,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Writes `text` unless this window's lines are used up. */
  line(text: string, level?: LogLevel): void {
    const now = this.now();
    if (now - this.#windowStart >= this.windowMs) {
      this.flush();
      this.#windowStart = now;
      this.#written = 0;
    }
    if (this.#written >= this.perWindow) {
      this.#suppressed++;
      return;
    }
    this.#written++;
    this.log(text, level);
  }

  /** Writes the count of suppressed lines, if any. */
  flush(): void {
    if (this.#suppressed === 0) return;
    const count = this.#suppressed;
    this.#suppressed = 0;
    this.log(`gateway: ${count} more log lines for ${this.who} suppressed`);
  }
}
