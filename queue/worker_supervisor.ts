/**
 * Keeps the archive worker running for as long as the server runs: a worker that cannot start
 * (a store unreachable, `chat reload` while MySQL is down) or that crashes is started again
 * with backoff, for ever. Only an operator's `dostop` (in `queue_deamon_status`) leaves it
 * stopped, until `chat reload`. The supervisor also knows, without asking any store, what its
 * worker is doing, which is what `/healthz` and `/api/queue/status` report for this node.
 *
 * @module
 */
import type { Log } from "../ops/log.ts";
import type { ArchiveWorkerHandle, StartArchiveWorkerOptions } from "./worker_host.ts";
import type { BatchReport } from "./worker_loop.ts";

/** What this node's worker is doing. */
export type SupervisedState =
  /** First start in progress. */
  | "starting"
  /** Running (whether or not it is making progress: see `stalled` in the status). */
  | "running"
  /** Could not start or crashed; the next attempt comes after a backoff. */
  | "restarting"
  /** Stopped by an operator (`dostop`); `chat reload` starts it again. */
  | "stopped"
  /** The server is shutting down. */
  | "closed";

/** A snapshot for the status routes. */
export interface SupervisorReport {
  state: SupervisedState;
  /** Why the last start failed or the worker ended, while restarting. */
  lastError: string | null;
  /** Unix seconds of this node's last archived batch (0: none since the server started). */
  lastProgress: number;
  /** Messages this node's workers archived since the server started. */
  processed: number;
  /** Failed starts in a row. */
  attempts: number;
}

/** Starts one worker; the supervisor passes its own callbacks. */
export type WorkerStarter = (
  workerId: string,
  callbacks: Pick<StartArchiveWorkerOptions, "onStopped" | "onProgress">,
) => Promise<ArchiveWorkerHandle>;

/** Options for {@link ArchiveSupervisor}. */
export interface ArchiveSupervisorOptions {
  /** Starts a worker (in production `startArchiveWorker` with the server's config). */
  start: WorkerStarter;
  /** Prefix of worker ids: the node's unique id; a counter is appended per start. */
  nodeId: string;
  log: Log;
  /** Hears about every archived batch (for `/metrics`). */
  onBatch?: (batch: BatchReport) => void;
  /** First retry delay in ms (default 1000), doubled up to `maxDelayMs` (default 15000). */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** One node's archive worker, restarted whenever it is not running and should be. */
export class ArchiveSupervisor {
  readonly #o: Required<ArchiveSupervisorOptions>;
  #state: SupervisedState = "starting";
  #handle: ArchiveWorkerHandle | null = null;
  #generation = 0;
  #starts = 0;
  #attempts = 0;
  #lastError: string | null = null;
  #lastProgress = 0;
  #processedBefore = 0;
  #processedNow = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #settled = Promise.withResolvers<void>();

  constructor(options: ArchiveSupervisorOptions) {
    this.#o = { minDelayMs: 1000, maxDelayMs: 15_000, onBatch: () => {}, ...options };
  }

  /** Current state and progress of this node's worker. */
  report(): SupervisorReport {
    return {
      state: this.#state,
      lastError: this.#lastError,
      lastProgress: this.#lastProgress,
      processed: this.#processedBefore + this.#processedNow,
      attempts: this.#attempts,
    };
  }

  /**
   * Starts the worker; resolves after the first attempt, whether it succeeded or not (a
   * failure is retried in the background, and reported as `restarting`).
   */
  start(): Promise<void> {
    this.#attempt(this.#generation);
    return this.#settled.promise;
  }

  /** Stops the running worker (if any) and starts a new one at once (`chat reload`). */
  async reload(): Promise<void> {
    if (this.#state === "closed") return;
    const generation = ++this.#generation;
    clearTimeout(this.#retryTimer);
    await this.#stopHandle();
    if (generation !== this.#generation || this.#isClosed()) return;
    this.#attempts = 0;
    this.#settled = Promise.withResolvers<void>();
    this.#state = "starting";
    this.#attempt(generation);
    await this.#settled.promise;
  }

  /** Stops the worker for good. Idempotent. */
  async close(): Promise<void> {
    this.#state = "closed";
    this.#generation++;
    clearTimeout(this.#retryTimer);
    await this.#stopHandle();
    this.#settled.resolve();
  }

  #isClosed(): boolean {
    return this.#state === "closed";
  }

  async #stopHandle(): Promise<void> {
    const handle = this.#handle;
    this.#handle = null;
    if (handle) await handle.stop();
  }

  #attempt(generation: number): void {
    if (generation !== this.#generation || this.#isClosed()) return;
    const workerId = `${this.#o.nodeId}-w${++this.#starts}`;
    this.#processedBefore += this.#processedNow;
    this.#processedNow = 0;
    this.#o.start(workerId, {
      onProgress: (processed, batch) => {
        if (generation !== this.#generation) return;
        this.#o.onBatch(batch);
        this.#processedNow = processed;
        this.#lastProgress = Math.floor(Date.now() / 1000);
      },
      onStopped: (byOperator) => {
        if (generation !== this.#generation || this.#isClosed()) return;
        this.#handle = null;
        if (byOperator) {
          this.#state = "stopped";
          this.#lastError = null;
          this.#o.log(
            "archive worker: stopped by queue_deamon_status.dostop; `chat reload` starts it again",
          );
          return;
        }
        this.#failed(generation, "the worker ended unexpectedly");
      },
    }).then(
      async (handle) => {
        if (generation !== this.#generation || this.#isClosed()) {
          await handle.stop();
          return;
        }
        this.#handle = handle;
        if (this.#attempts > 0) this.#o.log("archive worker: running again");
        this.#state = "running";
        this.#attempts = 0;
        this.#lastError = null;
        this.#settled.resolve();
      },
      (error) => {
        if (generation !== this.#generation || this.#isClosed()) return;
        this.#failed(generation, (error as Error)?.message ?? String(error));
      },
    );
  }

  #failed(generation: number, reason: string): void {
    this.#state = "restarting";
    this.#lastError = reason;
    const delay = Math.min(this.#o.minDelayMs * 2 ** this.#attempts, this.#o.maxDelayMs);
    this.#attempts++;
    // One line per attempt is bounded by the backoff: at most one every maxDelayMs.
    this.#o.log(`archive worker: not running (${reason}); retry in ${delay} ms`, "error");
    this.#settled.resolve();
    this.#retryTimer = setTimeout(() => this.#attempt(generation), delay);
  }
}
