/**
 * Removes unfinished uploads now and then (see {@link UploadService.sweep}): every tenth of
 * `files.uploadTtlSeconds`, at most every 10 minutes, the first time a minute after start.
 * Every node sweeps; two sweeps at once remove the same things, which is harmless.
 *
 * @module
 */
import type { UploadService } from "./upload_service.ts";

/** A periodic sweep; `start()`/`close()`. */
export class UploadSweeper {
  readonly #service: UploadService;
  readonly #everyMs: number;
  readonly #log: (line: string) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | null = null;
  #closed = false;

  constructor(service: UploadService, ttlSeconds: number, log: (line: string) => void) {
    this.#service = service;
    this.#everyMs = Math.min(600, Math.max(6, ttlSeconds / 10)) * 1000;
    this.#log = log;
  }

  start(firstMs = 60_000): void {
    this.#schedule(firstMs);
  }

  /** Sweeps now (also what the timer runs). */
  sweepNow(): Promise<void> {
    this.#running ??= this.#service.sweep().then(
      (removed) => {
        if (removed > 0) this.#log(`uploads: removed ${removed} unfinished upload(s)`);
      },
      (error) => this.#log(`uploads: sweep failed: ${(error as Error).message}`),
    ).finally(() => this.#running = null);
    return this.#running;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(ms: number): void {
    if (this.#closed) return;
    this.#timer = setTimeout(async () => {
      await this.sweepNow();
      this.#schedule(this.#everyMs);
    }, ms);
  }
}
