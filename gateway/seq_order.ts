/**
 * Keeps a chat's messages in `seq` order on a node that hears them from several places: its own
 * senders (after their enqueue answered) and other nodes (over pub/sub). Two messages of one chat
 * sent on two nodes at once may reach a third in either order; a message whose `seq` is past the
 * next one expected is held a moment for the missing ones, then delivered anyway (a client that
 * sees a gap catches up from history by `seq`).
 *
 * Only a chat heard recently is waited for: one quiet for {@link FRESH_MS} starts again from
 * whatever `seq` comes next (its recipients on this node may simply not have been online).
 *
 * @module
 */

/** How long a message waits for the ones before it. */
export const HOLD_MS = 250;
/**
 * How long a message sent on this node, in a chat with people on other nodes and not heard
 * lately, waits for the one before it (which may be on its way from another node).
 */
export const AWAIT_PREVIOUS_MS = 50;
/** A chat with nothing delivered for this long waits for nothing (see `awaitPreviousMs`). */
export const FRESH_MS = 2000;
/** Chats remembered before the quiet ones are forgotten. */
const SWEEP_AT = 10_000;

interface ChatState {
  /** Highest seq delivered. */
  last: number;
  /** Milliseconds timestamp of the last delivery. */
  at: number;
  held: Map<number, () => void>;
  timer?: ReturnType<typeof setTimeout>;
}

/** Per-chat ordering of deliveries by `seq`. */
export class SeqOrder {
  #chats = new Map<string, ChatState>();

  constructor(private readonly holdMs = HOLD_MS, private readonly freshMs = FRESH_MS) {}

  /**
   * Runs `deliver` once every earlier `seq` of `key` ran, or the hold ran out. With
   * `awaitPreviousMs`, a message of a chat not heard lately (nothing known to wait for) still
   * waits that long for `seq - 1`: a message sent here may be answered by its ack before the
   * one just before it, sent at the same moment on another node, arrives from there.
   */
  run<T>(
    key: string,
    seq: number,
    deliver: () => T | Promise<T>,
    awaitPreviousMs = 0,
  ): Promise<T> {
    const now = Date.now();
    let chat = this.#chats.get(key);
    let hold = this.holdMs;
    if (!chat || (chat.held.size === 0 && now - chat.at > this.freshMs)) {
      if (!chat && this.#chats.size >= SWEEP_AT) this.#sweep(now);
      const waits = awaitPreviousMs > 0 && seq > 1;
      chat = { last: waits ? seq - 2 : seq - 1, at: now, held: new Map() };
      if (waits) hold = awaitPreviousMs;
      this.#chats.set(key, chat);
    }
    if (seq <= chat.last + 1) {
      const result = attempt(deliver);
      this.#delivered(chat, seq);
      return result;
    }
    const state = chat;
    return new Promise<T>((resolve, reject) => {
      state.held.set(seq, () => void attempt(deliver).then(resolve, reject));
      state.timer ??= setTimeout(() => this.#release(state), hold);
    });
  }

  /** Chats with something held (for tests and metrics). */
  get holding(): number {
    let n = 0;
    for (const chat of this.#chats.values()) if (chat.held.size > 0) n++;
    return n;
  }

  #delivered(chat: ChatState, seq: number): void {
    chat.last = Math.max(chat.last, seq);
    chat.at = Date.now();
    for (let next = chat.held.get(chat.last + 1); next; next = chat.held.get(chat.last + 1)) {
      chat.held.delete(chat.last + 1);
      chat.last++;
      next();
    }
    if (chat.held.size === 0 && chat.timer !== undefined) {
      clearTimeout(chat.timer);
      chat.timer = undefined;
    }
  }

  /** The hold ran out: everything held goes, in `seq` order. */
  #release(chat: ChatState): void {
    chat.timer = undefined;
    const seqs = [...chat.held.keys()].sort((a, b) => a - b);
    for (const seq of seqs) {
      const deliver = chat.held.get(seq)!;
      chat.held.delete(seq);
      chat.last = Math.max(chat.last, seq);
      deliver();
    }
    chat.at = Date.now();
  }

  #sweep(now: number): void {
    for (const [key, chat] of this.#chats) {
      if (chat.held.size === 0 && now - chat.at > this.freshMs) this.#chats.delete(key);
    }
  }
}

/** Runs `fn` now; its result or exception as a promise. */
function attempt<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}
