/**
 * The message queue port: the durable hand-off between the gateway (producer) and the archive
 * worker (consumer).
 *
 * Contract, for every implementation:
 * - **Durable on ack**: once `enqueue` resolves, the message survives a crash of this process.
 * - **Ordered**: `takeBatch` returns messages in the order `enqueue` accepted them.
 * - **At-least-once**: a taken batch stays in flight until `ack`, which removes exactly the
 *   batch's messages (by identity, never by count). Each consumer has an identity of its own
 *   (unique per process) and holds a lease while it runs; once a consumer's lease has lapsed,
 *   any live consumer's `reclaimExpired` puts its in-flight messages back at the head of the
 *   queue. Consumers must be idempotent (the archive ignores a `mid` it already has): a
 *   consumer that was only slow may find its batch archived twice, never lost.
 * - **Idempotent enqueue**: a draft whose `cid` the same sender already used within 24 h is not
 *   queued again; the earlier message's acknowledgement is returned with `duplicate: true`.
 *   Only what an `ack` carries is remembered for that (never the text).
 * - **A seq is never given twice** for one chat, even after the store lost its counters (a gap
 *   is fine; see `seq_epochs.ts`).
 * - **Blocking**: `takeBatch` waits without polling while the queue is empty.
 *
 * @module
 */
import type { ChatMessage, MessageDraft } from "./message.ts";

/** What an `ack` frame carries: all that the 24 h `cid` record keeps of a message. */
export type MessageAck = Pick<ChatMessage, "mid" | "chatid" | "seq" | "time" | "cid">;

/**
 * What `enqueue` answers: the queued message, or for a `cid` accepted before only the earlier
 * message's acknowledgement (nothing new was queued). `ack` is there in both cases.
 */
export type EnqueueResult =
  | { duplicate: false; ack: MessageAck; message: ChatMessage }
  | { duplicate: true; ack: MessageAck };

/** A batch taken by a worker; pass it back to `ack` once it is safely archived. */
export interface TakenBatch {
  messages: ChatMessage[];
}

/** Queue sizes for `/api/queue/status` and `chat status`. */
export interface QueueCounts {
  /** Waiting to be taken. */
  pending: number;
  /** Taken by a worker and not yet acknowledged. */
  inFlight: number;
  /** Set aside because the archive refused them for good (see `park`). */
  parked: number;
}

/** Producer side: used by the gateway. */
export interface MessageProducer {
  /** Assigns the chat's next `seq` and queues the message durably, atomically. */
  enqueue(draft: MessageDraft): Promise<EnqueueResult>;
  /** Current sizes. */
  counts(): Promise<QueueCounts>;
  /** The last `seq` a chat has been given (0 when none), archived or not. */
  lastSeq(chatid: string): Promise<number>;
  /**
   * The `time` (unix seconds) of the oldest message not yet archived, pending or in flight;
   * null when there is none. How long the archive lags behind.
   */
  oldestWaiting(): Promise<number | null>;
  /** Parked messages counted by the reason the archive gave, most frequent first. */
  parkedReasons(): Promise<ParkedReason[]>;
  /**
   * Puts every parked message back on the queue (after an operator fixed the cause); the
   * worker parks again, with the new reason, what the archive still refuses. Returns how many.
   */
  retryParked(): Promise<number>;
}

/** One reason messages were parked for, and how many. */
export interface ParkedReason {
  reason: string;
  count: number;
}

/** Consumer side: used by one worker. */
export interface MessageConsumer {
  /**
   * Waits up to `timeoutSeconds` (0 = for ever) for the first message, then takes whatever else
   * has arrived, up to `max` in all. Resolves `null` on timeout.
   */
  takeBatch(max: number, timeoutSeconds: number): Promise<TakenBatch | null>;
  /**
   * Forgets exactly the messages of a batch this consumer took (they are safely archived).
   * Throws `TypeError` for a batch it did not take.
   */
  ack(batch: TakenBatch): Promise<void>;
  /** Puts this consumer's unacknowledged messages back on the queue; returns how many. */
  recover(): Promise<number>;
  /**
   * Takes or renews this consumer's lease for `ttlMs`: while it is held, nobody takes back
   * what this consumer has in flight.
   */
  renewLease(ttlMs: number): Promise<void>;
  /** Gives the lease up (a clean stop); call after `recover()`. */
  releaseLease(): Promise<void>;
  /**
   * Puts the in-flight messages of every consumer whose lease has lapsed (a dead process, or
   * one from before leases existed) back at the head of the queue; returns how many.
   */
  reclaimExpired(): Promise<number>;
  /**
   * Sets aside messages of a taken batch that the archive refused for good, with the reason,
   * where an operator finds them (they are never dropped). The batch is still acknowledged as
   * usual afterwards.
   */
  park(messages: ChatMessage[], reason: string): Promise<void>;
}
