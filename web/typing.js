// @ts-check
/**
 * Typing indicators both ways. Out: a `typing` frame while the reader writes in a chat, at
 * most one per chat every {@link SEND_EVERY_MS} (the server merges more anyway, and each one it
 * forwards costs from the send budget). In: who is typing in which chat, each until the frame's
 * `expiresMs` passes without another (or until their message arrives).
 *
 * @module
 */

/** The least time between two `typing` frames of one chat. */
export const SEND_EVERY_MS = 3000;
/** The expiry when a frame names none. */
const DEFAULT_EXPIRES_MS = 6000;

export class Typing {
  /** @type {Map<string, number>} chatid → when the last frame went out */
  #sent = new Map();
  /** @type {Map<string, Map<string, ReturnType<typeof setTimeout>>>} chatid → who → expiry */
  #typing = new Map();
  /** When the last frame of any chat went out. */
  #lastSent = -Infinity;
  /** No frame goes out before this (the server said the send budget is empty). */
  #pausedUntil = -Infinity;

  /**
   * @param {(frame: object) => boolean} send puts a frame on the socket (false: none open)
   * @param {(chatid: string) => void} onChange who is typing in `chatid` changed
   * @param {() => number} [now]
   */
  constructor(send, onChange, now = Date.now) {
    this.send = send;
    this.onChange = onChange;
    this.now = now;
  }

  /** The reader changed the text of `chatid`'s composer. @param {string} chatid */
  composing(chatid) {
    const last = this.#sent.get(chatid);
    const now = this.now();
    if (now < this.#pausedUntil) return;
    if (last !== undefined && now - last < SEND_EVERY_MS) return;
    if (this.send({ type: "typing", chatid })) {
      this.#sent.set(chatid, now);
      this.#lastSent = now;
    }
  }

  /**
   * A `rate_limited` answer without a `cid` came: when an indicator went out just before, it
   * is most likely its answer (indicators take from the send budget). Then no indicator goes
   * for `retryAfterMs`, and the answer is the indicator's (true): nothing to show the reader.
   * @param {number} retryAfterMs
   */
  onRateLimited(retryAfterMs) {
    const now = this.now();
    if (now - this.#lastSent > 2000) return false;
    this.#pausedUntil = now + Math.max(0, Number(retryAfterMs) || 1000);
    return true;
  }

  /** The reader sent the message: the next key press says "typing" again. @param {string} chatid */
  sent(chatid) {
    this.#sent.delete(chatid);
  }

  /** A `typing` frame: `fromuser` writes in `chatid` for `expiresMs`. @param {any} frame */
  onFrame(frame) {
    const chatid = String(frame.chatid ?? "");
    const who = String(frame.fromuser ?? "");
    if (!chatid || !who) return;
    const ms = Math.min(60_000, Math.max(500, Number(frame.expiresMs) || DEFAULT_EXPIRES_MS));
    let people = this.#typing.get(chatid);
    if (!people) this.#typing.set(chatid, people = new Map());
    clearTimeout(people.get(who));
    people.set(who, setTimeout(() => this.stop(chatid, who), ms));
    this.onChange(chatid);
  }

  /** `who` no longer types in `chatid` (expired, or their message came). @param {string} chatid @param {string} who */
  stop(chatid, who) {
    const people = this.#typing.get(chatid);
    if (!people?.has(who)) return;
    clearTimeout(people.get(who));
    people.delete(who);
    if (people.size === 0) this.#typing.delete(chatid);
    this.onChange(chatid);
  }

  /** Who types in `chatid` now, in the order they started. @param {string} chatid */
  who(chatid) {
    return [...(this.#typing.get(chatid)?.keys() ?? [])];
  }

  /** Forgets everything (logout, or the socket went: nobody is known to be typing). */
  clear() {
    const chats = [...this.#typing.keys()];
    for (const people of this.#typing.values()) {
      for (const timer of people.values()) clearTimeout(timer);
    }
    this.#typing.clear();
    this.#sent.clear();
    for (const chatid of chats) this.onChange(chatid);
  }
}
