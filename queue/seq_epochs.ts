/**
 * The seq epoch: the durable number that keeps a chat's `seq` from ever being given twice,
 * even after Redis lost the counters (a restart without persistence, a flush, a failover to a
 * replica that lagged, a restore of an older snapshot).
 *
 * A chat's seq in epoch E runs from E × 2^32 + 1: every seq of an earlier epoch is smaller, as
 * long as a chat gets fewer than 2^32 messages per epoch. The epoch lives where Redis cannot
 * lose it (MySQL); Redis holds a marker naming the current epoch and the Redis process that
 * set it (see `queue_redis.ts`). Epoch 0 is a fresh installation: chats start at 1.
 *
 * @module
 */

/** Seq numbers of one epoch: E × 2^32 + 1 … (E + 1) × 2^32 - 1. */
export const SEQ_EPOCH_SPAN = 2 ** 32;

/** The last epoch whose seq numbers are all safe JavaScript integers (2^21 - 1). */
export const MAX_SEQ_EPOCH = 2 ** 53 / SEQ_EPOCH_SPAN - 1;

/** Where the epoch is kept durably: one counter per installation. */
export interface SeqEpochStore {
  /**
   * Starts a new epoch and answers it: greater than every epoch it answered before on this
   * installation, and at least `atLeast` (the epoch Redis last named, plus one). The first
   * one is 0 on an installation with nothing archived, 1 otherwise (its counters may be lost).
   */
  next(atLeast: number): Promise<number>;
}
