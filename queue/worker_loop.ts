/**
 * The archive worker's loop: take a batch (blocking while the queue is empty), archive it,
 * update the recent index, and only then acknowledge it. Failures are retried with backoff for
 * as long as it takes, so nothing is lost and nothing is acknowledged before it is committed.
 *
 * @module
 */
import type { Log } from "../ops/log.ts";
import { type MessageArchive, MessageRejectedError } from "./archive.ts";
import { broadcastOf, isBroadcast } from "./broadcast.ts";
import type { BroadcastArchive } from "./broadcast_archive.ts";
import type { ChatMessage } from "./message.ts";
import { isChange } from "./message_change.ts";
import type { MessageConsumer, TakenBatch } from "./queue.ts";
import type { RecentIndex } from "./recent_index.ts";
import type { WorkerStatus, WorkerStatusStore } from "./worker_status.ts";

/** Options for {@link ArchiveWorker}. */
export interface ArchiveWorkerOptions {
  /** The queue; `close()` must interrupt a pending `takeBatch` (RedisQueue's does). */
  queue: MessageConsumer & { close(): Promise<void> };
  archive: MessageArchive;
  /** Where broadcasts go (they share the queue); without one a broadcast is parked. */
  broadcasts?: BroadcastArchive;
  recent: RecentIndex;
  status: WorkerStatusStore;
  /** This worker's name in the status table: the node's stable name, e.g. "host:port". */
  server: string;
  /**
   * Milliseconds the worker's lease lasts (default 15000). It is renewed every third of that;
   * in-flight messages of workers whose lease lapsed are taken back as often.
   */
  leaseMs?: number;
  /**
   * Called after each acknowledged batch with the total processed (for the host's status) and
   * the batch: its size and the seconds from taking it to its acknowledgement.
   */
  onProgress?: (processed: number, batch: BatchReport) => void;
  /** Most messages per batch (default 500). */
  batchSize?: number;
  /** Milliseconds between heartbeats (default 5000). */
  heartbeatMs?: number;
  /** Milliseconds `stop()` waits for the batch in hand (default 5000). */
  stopTimeoutMs?: number;
  /** Where failures are reported, one line each (default console.error). */
  log?: Log;
  /** Called once the worker has stopped, whoever asked (`stop()` or the status row's flag). */
  onStopped?: () => void;
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;

/** What a batch left in the archive: its messages stored, the messages its changes changed. */
interface Archived {
  saved: ChatMessage[];
  amended: ChatMessage[];
}

/** One acknowledged batch, for `/metrics`. */
export interface BatchReport {
  size: number;
  seconds: number;
}

/** Moves messages from the queue into the archive and the recent index. */
export class ArchiveWorker {
  readonly #o:
    & Required<Omit<ArchiveWorkerOptions, "onStopped" | "onProgress" | "broadcasts">>
    & ArchiveWorkerOptions;
  #processed = 0;
  /** Unix seconds of the last acknowledged batch (0: none since start). */
  #lastProgress = 0;
  #leaseTimer: ReturnType<typeof setTimeout> | undefined;
  #leaseTrouble = false;
  #sinceBeat = 0;
  #batches = 0;
  #lastStatus: WorkerStatus | undefined;
  #loop: Promise<void> | undefined;
  #beatTimer: ReturnType<typeof setTimeout> | undefined;
  #beating: Promise<void> = Promise.resolve();
  #stopping = false;
  /** Set when stop() has waited long enough: retries give up, the batch stays in flight. */
  #abandon = false;
  #stopped: Promise<void> | undefined;
  readonly #sleepers = new Set<() => void>();

  constructor(options: ArchiveWorkerOptions) {
    const batchSize = options.batchSize ?? 500;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`Cannot create worker: batchSize must be positive, got ${batchSize}`);
    }
    this.#o = {
      ...options,
      batchSize,
      heartbeatMs: options.heartbeatMs ?? 5000,
      stopTimeoutMs: options.stopTimeoutMs ?? 5000,
      leaseMs: options.leaseMs ?? 15_000,
      log: options.log ?? ((line: string) => console.error(line)),
    };
    if (!(this.#o.leaseMs >= 100)) {
      throw new RangeError(
        `Cannot create worker: leaseMs must be at least 100, got ${options.leaseMs}`,
      );
    }
  }

  /** Messages archived and acknowledged since start. */
  get processed(): number {
    return this.#processed;
  }

  /** Batches archived and acknowledged since start. */
  get batches(): number {
    return this.#batches;
  }

  /** The last heartbeat's row, if one succeeded. */
  get lastStatus(): WorkerStatus | undefined {
    return this.#lastStatus;
  }

  /** Unix seconds of the last acknowledged batch since start, 0 when none. */
  get lastProgress(): number {
    return this.#lastProgress;
  }

  /**
   * Takes its lease, takes back what workers whose lease lapsed left in flight, then starts
   * the loop, the heartbeats and the lease renewals.
   */
  async start(): Promise<void> {
    if (this.#loop || this.#stopping) throw new TypeError("Cannot start worker: already started");
    await this.#o.queue.renewLease(this.#o.leaseMs);
    // Its own id's leftovers first (a caller that reuses an id), then dead workers'.
    const recovered = await this.#o.queue.recover();
    if (recovered > 0) this.#o.log(`archive worker: recovered ${recovered} unacknowledged`);
    await this.#reclaim();
    if (this.#stopping) return;
    this.#loop = this.#run();
    this.#beatSoon(0);
    this.#leaseSoon();
  }

  /**
   * Stops taking batches, interrupts the blocking wait, lets the batch in hand finish within
   * `stopTimeoutMs` (else leaves it in flight for the next start), then writes a last heartbeat.
   * Idempotent: every call answers the same promise.
   */
  stop(): Promise<void> {
    return this.#stopped ??= this.#shutdown();
  }

  async #shutdown(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#beatTimer);
    clearTimeout(this.#leaseTimer);
    await this.#o.queue.close();
    const loop = this.#loop ?? Promise.resolve();
    if (!await within(loop, this.#o.stopTimeoutMs)) {
      this.#abandon = true;
      for (const wake of this.#sleepers) wake();
      if (!await within(loop, 1000)) this.#o.log("archive worker: batch in hand abandoned", "warn");
    }
    // A batch left in hand goes back on the queue now, and the lease is given up, so the
    // next worker need not wait for it to lapse. If the store is away, the lease lapses alone.
    const handedBack = within(
      (async () => {
        const recovered = await this.#o.queue.recover();
        if (recovered > 0) this.#o.log(`archive worker: put ${recovered} back on the queue`);
        await this.#o.queue.releaseLease();
      })().catch((error) =>
        this.#o.log(`archive worker: lease release failed: ${describe(error)}`, "warn")
      ),
      this.#o.stopTimeoutMs,
    );
    await handedBack;
    await within(this.#beating, this.#o.stopTimeoutMs);
    await within(this.#beat("stopped"), this.#o.stopTimeoutMs);
    this.#o.onStopped?.();
  }

  /** Renews the lease every third of its life and takes back what lapsed leases left. */
  #leaseSoon(): void {
    this.#leaseTimer = setTimeout(async () => {
      try {
        await this.#o.queue.renewLease(this.#o.leaseMs);
        await this.#reclaim();
        if (this.#leaseTrouble) this.#o.log("archive worker: lease renewed again");
        this.#leaseTrouble = false;
      } catch (error) {
        // Logged once per outage: the queue itself is down, which the loop reports too.
        if (!this.#leaseTrouble) {
          this.#o.log(`archive worker: lease renewal failed: ${describe(error)}`, "warn");
        }
        this.#leaseTrouble = true;
      }
      if (!this.#stopping) this.#leaseSoon();
    }, this.#o.leaseMs / 3);
  }

  async #reclaim(): Promise<void> {
    const reclaimed = await this.#o.queue.reclaimExpired();
    if (reclaimed > 0) {
      this.#o.log(`archive worker: took back ${reclaimed} in-flight messages of a stopped worker`);
    }
  }

  /**
   * A three-stage pipeline: while batch N is written to MySQL, batch N+1 is already being
   * taken and batch N-1's Redis work (recent index, then ack) finishes. Acks stay in take
   * order. When the queue is empty the prefetching take simply blocks in Redis.
   */
  async #run(): Promise<void> {
    let delay = FIRST_RETRY_MS;
    let posting: Promise<boolean> = Promise.resolve(true);
    // Timeout 0: Redis holds the connection until a message arrives; nothing is polled. The
    // prefetched take may fail while the loop still awaits the batch before it (Redis went
    // away): marked handled here, its failure is still seen where it is awaited. Unhandled,
    // it ended the worker's thread at every Redis restart under load.
    const take = () => {
      const taking = this.#o.queue.takeBatch(this.#o.batchSize, 0);
      taking.catch(() => {});
      return taking;
    };
    let next = take();
    while (!this.#stopping) {
      let batch: TakenBatch | null;
      try {
        batch = await next;
        delay = FIRST_RETRY_MS;
      } catch (error) {
        if (this.#stopping) break;
        this.#o.log(
          `archive worker: take failed, retry in ${delay} ms: ${describe(error)}`,
          "warn",
        );
        // A failed take may have moved messages in flight without handing them over: once the
        // batches in hand are acknowledged, put whatever is left in flight back on the queue.
        if (!await posting) break;
        if (!await this.#retry("recover", () => this.#o.queue.recover())) break;
        await this.#sleep(delay);
        delay = Math.min(delay * 2, MAX_RETRY_MS);
        next = take();
        continue;
      }
      if (batch === null) {
        if (!this.#stopping) next = take();
        continue;
      }
      if (!this.#stopping) next = take();
      const began = performance.now();
      const archived = await this.#archive(batch.messages);
      if (!archived) break;
      if (!await posting) break;
      posting = this.#post(batch, archived, began);
    }
    // The prefetching take ends with null once stop() closed the queue; its outcome is moot.
    next.catch(() => null);
    await posting;
  }

  /**
   * Archives a batch, retrying while the store fails. When the archive refuses the batch for
   * good, each message is tried alone and the refused ones are parked, so one bad message can
   * neither hold the queue up for ever nor be lost. Answers the archived messages and the
   * messages their recalls and edits changed, or null when stop() gave up on the batch.
   */
  async #archive(messages: ChatMessage[]): Promise<Archived | null> {
    const whole = await this.#save(messages);
    if (whole === null) return null;
    if (whole.refused === undefined) return { saved: messages, amended: whole.amended };
    this.#o.log(
      `archive worker: batch refused (${whole.refused}); trying its messages alone`,
      "warn",
    );
    const saved: ChatMessage[] = [];
    const amended: ChatMessage[] = [];
    for (const message of messages) {
      const alone = await this.#save([message]);
      if (alone === null) return null;
      const reason = alone.refused;
      if (reason === undefined) {
        saved.push(message);
        amended.push(...alone.amended);
        continue;
      }
      this.#o.log(`archive worker: parked ${message.mid}: ${reason}`, "error");
      if (!await this.#retry("park", () => this.#o.queue.park([message], reason))) return null;
    }
    return { saved, amended };
  }

  /** One save, retried while the store fails; `refused` says why the archive never will. */
  async #save(
    messages: ChatMessage[],
  ): Promise<{ refused?: string; amended: ChatMessage[] } | null> {
    const outcome: { refused?: string; amended: ChatMessage[] } = { amended: [] };
    const ok = await this.#retry("archive", async () => {
      try {
        outcome.amended = await this.#store(messages);
      } catch (error) {
        if (!(error instanceof MessageRejectedError)) throw error;
        outcome.refused = error.message;
      }
    });
    return ok ? outcome : null;
  }

  /**
   * Chat messages into the message archive, broadcasts into theirs, then recalls and edits
   * applied to the archived messages (each step idempotent). Answers the messages changed.
   */
  async #store(messages: ChatMessage[]): Promise<ChatMessage[]> {
    const broadcasts = messages.filter(isBroadcast);
    const changes = messages.filter(isChange);
    const chats = broadcasts.length + changes.length === 0
      ? messages
      : messages.filter((m) => !isBroadcast(m) && !isChange(m));
    await this.#o.archive.saveMessages(chats);
    // After the batch's own messages: a change follows the message it changes in the queue.
    const amended = changes.length === 0
      ? []
      : await this.#o.archive.applyChanges(changes.map((m) => m.change!));
    if (broadcasts.length === 0) return amended;
    if (!this.#o.broadcasts) {
      throw new MessageRejectedError(
        "Cannot archive a broadcast: this worker has no broadcast store",
      );
    }
    await this.#o.broadcasts.saveBroadcasts(broadcasts.map(broadcastOf));
    return amended;
  }

  /**
   * The Redis side of an archived batch; true once it is acknowledged. Changed messages are
   * amended in the hot list here, after the batch before was recorded there (which may hold
   * the message changed).
   */
  async #post(batch: TakenBatch, { saved, amended }: Archived, began: number): Promise<boolean> {
    // Broadcasts have no chat history or contacts: only their own archive; changes neither.
    const chats = saved.filter((m) => !isBroadcast(m) && !isChange(m));
    const done = await this.#retry("recent index", () => this.#o.recent.record(chats)) &&
      (amended.length === 0 ||
        await this.#retry("recent amend", () => this.#o.recent.amend(amended))) &&
      await this.#retry("ack", () => this.#o.queue.ack(batch));
    if (done) {
      this.#processed += saved.length;
      this.#sinceBeat += saved.length;
      this.#batches++;
      this.#lastProgress = Math.floor(Date.now() / 1000);
      const seconds = (performance.now() - began) / 1000;
      this.#o.onProgress?.(this.#processed, { size: saved.length, seconds });
    }
    return done;
  }

  /** Runs `step` until it succeeds (true) or stop() gives up on the batch (false). */
  async #retry(name: string, step: () => Promise<unknown>): Promise<boolean> {
    let delay = FIRST_RETRY_MS;
    while (true) {
      try {
        await step();
        return true;
      } catch (error) {
        if (this.#abandon) return false;
        this.#o.log(
          `archive worker: ${name} failed, retry in ${delay} ms: ${describe(error)}`,
          "warn",
        );
        await this.#sleep(delay);
        if (this.#abandon) return false;
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      }
    }
  }

  #beatSoon(delay: number): void {
    this.#beatTimer = setTimeout(() => {
      this.#beating = this.#beat().finally(() => {
        if (!this.#stopping) this.#beatSoon(this.#o.heartbeatMs);
      });
    }, delay);
  }

  /** One heartbeat (to the archive's database). Never throws. */
  async #beat(state: "running" | "stopped" = "running"): Promise<void> {
    const count = this.#sinceBeat;
    this.#sinceBeat = 0;
    try {
      this.#lastStatus = await this.#o.status.beat(this.#o.server, {
        processed: count,
        lastProgress: this.#lastProgress,
        state,
      });
      if (this.#lastStatus.stopRequested && !this.#stopping) {
        this.#o.log("archive worker: stop requested in queue_deamon_status");
        void this.stop();
      }
    } catch (error) {
      this.#sinceBeat += count; // counted again at the next beat
      this.#o.log(`archive worker: heartbeat failed: ${describe(error)}`, "warn");
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleepers.add(wake);
    });
  }
}

/** Waits for `promise` at most `ms`; true when it settled in time. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return [e?.code, e?.message ?? String(error)].filter(Boolean).join(" ");
}
