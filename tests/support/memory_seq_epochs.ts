/**
 * A {@link SeqEpochStore} in memory, for tests of the Redis queue that have no MySQL: share one
 * instance between the queues that stand for one installation.
 *
 * @module
 */
import type { SeqEpochStore } from "../../queue/seq_epochs.ts";

/** Epochs 0, 1, 2 … (or higher when asked for at least that). */
export class MemorySeqEpochs implements SeqEpochStore {
  #last = -1;
  /** How many epochs were started. */
  started = 0;

  next(atLeast: number): Promise<number> {
    this.#last = Math.max(this.#last + 1, atLeast);
    this.started++;
    return Promise.resolve(this.#last);
  }
}
