/**
 * Messages this page sent that have no `ack` yet, across chats. Each keeps its `cid`, so
 * sending it again after a reconnect is idempotent on the server.
 *
 * @module
 */
import { newCid } from "./dom.js";

/**
 * `state`: "sending" (on the socket), "queued" (waiting for a connection) or "failed"
 * (refused; `reason` says why).
 * @typedef {{cid: string, chatid: string, content: string, state: string, reason: string}} OutboxEntry
 */

export class Outbox {
  /** @type {Map<string, OutboxEntry>} */
  #entries = new Map();

  /** A new entry for `content` in `chatid`, with a fresh cid. */
  add(chatid, content) {
    /** @type {OutboxEntry} */
    const entry = { cid: newCid(), chatid, content, state: "queued", reason: "" };
    this.#entries.set(entry.cid, entry);
    return entry;
  }

  get(cid) {
    return this.#entries.get(cid) ?? null;
  }

  /** Removes and returns an entry (acknowledged or discarded). */
  take(cid) {
    const entry = this.get(cid);
    this.#entries.delete(cid);
    return entry;
  }

  /** The entries of one chat, in sending order. */
  forChat(chatid) {
    return [...this.#entries.values()].filter((entry) => entry.chatid === chatid);
  }

  /** The entries to send again after a reconnect (refused ones wait for the user). */
  unsent() {
    return [...this.#entries.values()].filter((entry) => entry.state !== "failed");
  }

  clear() {
    this.#entries.clear();
  }
}
