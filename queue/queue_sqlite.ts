/**
 * The message queue on the embedded database:
 * - `queue_item`: the queue, in `id` order; `owner` is null while pending and names the worker
 *   that has taken the item until it acknowledges it (the in-flight state);
 * - `chat_seq`: each chat's last `seq`. It lives in the same file as the queue and the archive and
 *   changes in the same transaction as the queue, so it cannot be lost apart from them: unlike
 *   Redis, this queue needs no seq epoch (`seq_epochs.ts`), and a chat without a row is new;
 * - `queue_cid`: what an `ack` of a client id's message carries (mid, chatid, seq, time), kept
 *   24 h for idempotent retries;
 * - `queue_lease`: each live worker's lease (expiry in milliseconds).
 *
 * The consumer usually lives in another thread (the archive worker's Web Worker) with its own
 * connection to the file. It sleeps on a `BroadcastChannel` named after the database path, on
 * which every enqueue posts once its transaction has committed, and looks by itself once per
 * `pollMs` (default 1 s) in case a signal was lost (see `queue_wait_sqlite.ts`).
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { immediate, settle } from "../store/sqlite_db.ts";
import type { ChatMessage, MessageDraft } from "./message.ts";
import type {
  EnqueueResult,
  MessageConsumer,
  MessageProducer,
  ParkedReason,
  QueueCounts,
  TakenBatch,
} from "./queue.ts";
import {
  ackJson,
  byCount,
  checkTake,
  checkWorkerId,
  CID_TTL_SECONDS,
  draftJson,
  enqueueResult,
  parseQueued,
  withSeq,
} from "./queued_message.ts";
import { QueueWait } from "./queue_wait_sqlite.ts";
/** Seconds between sweeps of expired client ids. */
const CID_SWEEP_SECONDS = 600;

/** Options for {@link SqliteQueue}. */
export interface SqliteQueueOptions {
  /** This thread's connection (tables from `openSqliteDb`). */
  db: DatabaseSync;
  /** Absolute path of the database file: every connection to it must pass the same. */
  path: string;
  /** This consumer's identity: marks its in-flight rows and names its lease; unique. */
  workerId: string;
  /** Milliseconds between a sleeping consumer's own looks (default 1000). */
  pollMs?: number;
}

type Outcome = { kind: "queued" | "duplicate"; raw: string };

/** {@link MessageProducer} and {@link MessageConsumer} on SQLite. */
export class SqliteQueue implements MessageProducer, MessageConsumer {
  readonly #db: DatabaseSync;
  readonly #workerId: string;
  readonly #wait: QueueWait;
  /** Row ids of each batch handed out, so `ack` deletes exactly those. */
  readonly #taken = new WeakMap<TakenBatch, number[]>();
  #nextSweep = 0;

  constructor(options: SqliteQueueOptions) {
    checkWorkerId(options.workerId);
    this.#db = options.db;
    this.#workerId = options.workerId;
    this.#wait = new QueueWait(`webchat-queue:${options.path}`, { pollMs: options.pollMs });
  }

  /** Assigns the next `seq` and queues the message, or answers the earlier ack for a known cid. */
  async enqueue(draft: MessageDraft): Promise<EnqueueResult> {
    const json = draftJson(draft);
    const outcome = await settle(() => this.#enqueueOnce(draft, json));
    if (outcome.kind === "queued") this.#wait.notify();
    return enqueueResult(outcome.kind, outcome.raw, draft);
  }

  /** The cid check, the seq and the insert in one write transaction. */
  #enqueueOnce(draft: MessageDraft, json: string): Outcome {
    return immediate(this.#db, (): Outcome => {
      const now = Math.floor(Date.now() / 1000);
      if (draft.cid !== "") {
        const prior = this.#db.prepare(
          "SELECT payload FROM queue_cid WHERE fromuser = ? AND cid = ? AND expires > ?",
        ).get(draft.fromuser, draft.cid, now);
        if (prior) return { kind: "duplicate", raw: String(prior.payload) };
      }
      const row = this.#db.prepare(
        `INSERT INTO chat_seq (chatid, seq) VALUES (?, 1)
         ON CONFLICT (chatid) DO UPDATE SET seq = seq + 1 RETURNING seq`,
      ).get(draft.chatid);
      const seq = Number(row!.seq);
      // seq is spliced into the JSON text, as in Redis, so the message stays byte-for-byte.
      const raw = withSeq(json, seq);
      this.#db.prepare("INSERT INTO queue_item (payload) VALUES (?)").run(raw);
      if (draft.cid !== "") {
        this.#db.prepare(
          `INSERT INTO queue_cid (fromuser, cid, payload, expires) VALUES (?, ?, ?, ?)
           ON CONFLICT (fromuser, cid) DO UPDATE SET payload = excluded.payload,
             expires = excluded.expires`,
        ).run(draft.fromuser, draft.cid, withSeq(ackJson(draft), seq), now + CID_TTL_SECONDS);
      }
      if (now >= this.#nextSweep) {
        this.#nextSweep = now + CID_SWEEP_SECONDS;
        this.#db.prepare("DELETE FROM queue_cid WHERE expires <= ?").run(now);
      }
      return { kind: "queued", raw };
    });
  }

  /**
   * Takes up to `max` pending messages in queue order; while there are none, sleeps on the
   * wake-up channel until an enqueue, the timeout (0 = none) or `close()`.
   */
  async takeBatch(max: number, timeoutSeconds: number): Promise<TakenBatch | null> {
    checkTake(max, timeoutSeconds);
    if (this.#wait.closed) throw new TypeError("Cannot take a batch: queue is closed");
    const deadline = timeoutSeconds === 0 ? Infinity : Date.now() + timeoutSeconds * 1000;
    while (true) {
      // Listening starts before the look, so a message committed after it is not missed.
      const wake = this.#wait.listen();
      try {
        const batch = this.#claim(max);
        if (batch) return batch;
        const left = deadline - Date.now();
        if (this.#wait.closed || left <= 0) return null;
        await wake.until(left);
      } finally {
        wake.stop();
      }
    }
  }

  #claim(max: number): TakenBatch | null {
    const rows = immediate(this.#db, () =>
      this.#db.prepare(
        `UPDATE queue_item SET owner = ? WHERE id IN (
           SELECT id FROM queue_item WHERE owner IS NULL ORDER BY id LIMIT ?)
         RETURNING id, payload`,
      ).all(this.#workerId, max));
    if (rows.length === 0) return null;
    // RETURNING has no guaranteed order; ids are the order enqueue accepted them in.
    rows.sort((a, b) => Number(a.id) - Number(b.id));
    const batch: TakenBatch = { messages: rows.map((row) => parseQueued(String(row.payload))) };
    this.#taken.set(batch, rows.map((row) => Number(row.id)));
    return batch;
  }

  /** Deletes exactly the batch's rows. */
  ack(batch: TakenBatch): Promise<void> {
    const ids = this.#taken.get(batch);
    if (!ids) {
      return Promise.reject(
        new TypeError("Cannot acknowledge: the batch was not taken from this queue"),
      );
    }
    if (ids.length === 0) return Promise.resolve();
    return settle(() => {
      this.#db.prepare(
        "DELETE FROM queue_item WHERE owner = ? AND id IN (SELECT value FROM json_each(?))",
      ).run(this.#workerId, JSON.stringify(ids));
      this.#taken.delete(batch);
    });
  }

  renewLease(ttlMs: number): Promise<void> {
    return settle(() => {
      this.#db.prepare(
        `INSERT INTO queue_lease (worker, expires) VALUES (?, ?)
         ON CONFLICT (worker) DO UPDATE SET expires = excluded.expires`,
      ).run(this.#workerId, Date.now() + Math.ceil(ttlMs));
    });
  }

  releaseLease(): Promise<void> {
    return settle(() => {
      this.#db.prepare("DELETE FROM queue_lease WHERE worker = ?").run(this.#workerId);
    });
  }

  /** Rows owned by a worker without a live lease go back to pending, in their id order. */
  reclaimExpired(): Promise<number> {
    return settle(() => {
      const changes = immediate(this.#db, () => {
        this.#db.prepare("DELETE FROM queue_lease WHERE expires <= ?").run(Date.now());
        return Number(
          this.#db.prepare(
            `UPDATE queue_item SET owner = NULL WHERE owner IS NOT NULL
               AND owner NOT IN (SELECT worker FROM queue_lease)`,
          ).run().changes,
        );
      });
      if (changes > 0) this.#wait.notify();
      return changes;
    });
  }

  lastSeq(chatid: string): Promise<number> {
    return settle(() => {
      const row = this.#db.prepare("SELECT seq FROM chat_seq WHERE chatid = ?").get(chatid);
      return Number(row?.seq ?? 0);
    });
  }

  /** Returns this worker's in-flight rows to pending: their ids put them back at the head. */
  recover(): Promise<number> {
    return settle(() => {
      const result = this.#db.prepare("UPDATE queue_item SET owner = NULL WHERE owner = ?")
        .run(this.#workerId);
      if (Number(result.changes) > 0) this.#wait.notify();
      return Number(result.changes);
    });
  }

  /** Pending and in-flight (every worker's) rows. */
  counts(): Promise<QueueCounts> {
    return settle(() => {
      const row = this.#db.prepare(
        `SELECT COALESCE(SUM(owner IS NULL), 0) AS pending,
                COALESCE(SUM(owner IS NOT NULL), 0) AS inFlight FROM queue_item`,
      ).get();
      const parked = this.#db.prepare("SELECT COUNT(*) AS n FROM queue_parked").get();
      return {
        pending: Number(row?.pending ?? 0),
        inFlight: Number(row?.inFlight ?? 0),
        parked: Number(parked?.n ?? 0),
      };
    });
  }

  oldestWaiting(): Promise<number | null> {
    return settle(() => {
      const row = this.#db.prepare("SELECT payload FROM queue_item ORDER BY id LIMIT 1").get();
      return row ? parseQueued(String(row.payload)).time : null;
    });
  }

  parkedReasons(): Promise<ParkedReason[]> {
    return settle(() => {
      const rows = this.#db.prepare(
        "SELECT reason, COUNT(*) AS n FROM queue_parked GROUP BY reason",
      ).all();
      return byCount(new Map(rows.map((row) => [String(row.reason), Number(row.n)])));
    });
  }

  /** Moves every parked row back to the end of the queue in one transaction. */
  retryParked(): Promise<number> {
    return settle(() => {
      const moved = immediate(this.#db, () => {
        const result = this.#db.prepare(
          "INSERT INTO queue_item (payload) SELECT payload FROM queue_parked ORDER BY id",
        ).run();
        this.#db.prepare("DELETE FROM queue_parked").run();
        return Number(result.changes);
      });
      if (moved > 0) this.#wait.notify();
      return moved;
    });
  }

  /** Keeps refused messages in `queue_parked` with the reason. */
  park(messages: ChatMessage[], reason: string): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return settle(() => {
      immediate(this.#db, () => {
        const insert = this.#db.prepare(
          "INSERT INTO queue_parked (payload, reason, parked_at) VALUES (?, ?, ?)",
        );
        const now = Math.floor(Date.now() / 1000);
        for (const message of messages) insert.run(JSON.stringify(message), reason, now);
      });
    });
  }

  /** Interrupts a pending `takeBatch` and closes the wake-up channel. Idempotent. */
  close(): Promise<void> {
    this.#wait.close();
    return Promise.resolve();
  }
}
