// @ts-check
/**
 * Messages this page sent that have no `ack` yet, across chats. Each keeps its `cid`, so
 * sending it again (after a reconnect, a `rate_limited` or `unavailable` answer, or the
 * reader's "retry") is idempotent on the server: it is stored once.
 *
 * @module
 */
import { newCid } from "./dom.js";

/**
 * `state`: "sending" (on the socket), "queued" (waiting for a connection), "waiting" (the
 * server asked to slow down: sent again after `waitMs`) or "failed" (refused; `reason` says
 * why, and only the reader's retry sends it again). `retries` counts automatic resends.
 * `msgType` is "text", "image" or "file"; the last two carry the uploaded `file` (the server's
 * `File`, its `id` sent as `fileId`). `onWire`: sent on the current socket and not answered yet.
 * `replyTo`: the quote of the message it answers (its `mid` is sent as `replyTo`), or null.
 * @typedef {{cid: string, chatid: string, content: string, state: string, reason: string,
 *   waitMs: number, retries: number, msgType: string, file: any, onWire: boolean,
 *   replyTo: import("./chat_history.js").Quote | null}} OutboxEntry
 */

export class Outbox {
  /** @type {Map<string, OutboxEntry>} in sending order */
  #entries = new Map();

  /**
   * A new entry for `content` in `chatid`, with a fresh cid.
   * @param {string} chatid
   * @param {string} content
   * @param {string} [msgType]
   * @param {any} [file]
   * @param {import("./chat_history.js").Quote | null} [replyTo]
   */
  add(chatid, content, msgType = "text", file = null, replyTo = null) {
    /** @type {OutboxEntry} */
    const entry = {
      cid: newCid(),
      chatid,
      content,
      state: "queued",
      reason: "",
      waitMs: 0,
      retries: 0,
      msgType,
      file,
      onWire: false,
      replyTo,
    };
    this.#entries.set(entry.cid, entry);
    return entry;
  }

  /** @param {string} cid */
  get(cid) {
    return this.#entries.get(cid) ?? null;
  }

  /** Removes and returns an entry (acknowledged or discarded). @param {string} cid */
  take(cid) {
    const entry = this.get(cid);
    this.#entries.delete(cid);
    return entry;
  }

  /** The entries of one chat, in sending order. @param {string} chatid */
  forChat(chatid) {
    return [...this.#entries.values()].filter((entry) => entry.chatid === chatid);
  }

  /** The entries to send again after a reconnect (refused ones wait for the reader). */
  unsent() {
    return [...this.#entries.values()].filter((entry) => entry.state !== "failed");
  }

  clear() {
    this.#entries.clear();
  }
}
