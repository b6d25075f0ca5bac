/**
 * The open conversation: messages kept in `seq` order without duplicates (by `mid`), the
 * "load older" cursor, and the sender's own messages that wait for their `ack`.
 *
 * @module
 */
import { el, formatFullTime, formatTime } from "./dom.js";

/** A sent message waiting for its `ack`: `state` is "sending", "queued" or "failed". */
/** @typedef {{cid: string, chatid: string, content: string, state: string, reason: string}} OutboxEntry */

export class ChatView {
  /** @type {{seq: number, el: HTMLElement}[]} ascending seq */
  #items = [];
  #mids = new Set();
  /** @type {Map<string, HTMLElement>} */
  #pending = new Map();
  /** The newest page of history has arrived (before that, gaps mean nothing). */
  loaded = false;
  hasMore = false;

  /**
   * @param {object} options
   * @param {string} options.chatid
   * @param {string} options.me
   * @param {(accountid: string) => string} options.nameOf
   * @param {{log: HTMLElement, list: HTMLElement, outbox: HTMLElement, older: HTMLButtonElement}} options.nodes
   * @param {(cid: string) => void} options.onRetry
   * @param {(cid: string) => void} options.onDiscard
   */
  constructor({ chatid, me, nameOf, nodes, onRetry, onDiscard }) {
    this.chatid = chatid;
    this.me = me;
    this.nameOf = nameOf;
    this.nodes = nodes;
    this.onRetry = onRetry;
    this.onDiscard = onDiscard;
    nodes.list.replaceChildren();
    nodes.outbox.replaceChildren();
    nodes.older.hidden = true;
  }

  /** Lowest seq shown (the `before` cursor), or null. */
  get firstSeq() {
    return this.#items[0]?.seq ?? null;
  }

  /** Highest seq shown, or null. */
  get lastSeq() {
    return this.#items.at(-1)?.seq ?? null;
  }

  /** The highest seq up to which nothing is missing: the `after` cursor for a catch-up. */
  get contiguousSeq() {
    let seq = this.firstSeq;
    if (seq === null) return null;
    for (const item of this.#items) {
      if (item.seq > seq + 1) break;
      seq = item.seq;
    }
    return seq;
  }

  /** True when some seq between the first and the last one shown is missing. */
  get hasGap() {
    return this.contiguousSeq !== this.lastSeq;
  }

  setHasMore(hasMore) {
    this.hasMore = hasMore;
    this.nodes.older.hidden = !hasMore;
  }

  /**
   * Inserts messages not shown yet at their seq position; returns how many were new.
   * `older` keeps the reader's place when a page is put above what they see.
   */
  add(frames, { older = false } = {}) {
    const log = this.nodes.log;
    const fromBottom = log.scrollHeight - log.scrollTop;
    const atBottom = fromBottom - log.clientHeight < 80;
    let added = 0;
    let mine = false;
    for (const frame of frames) {
      if (frame?.chatid !== this.chatid || this.#mids.has(frame.mid)) continue;
      this.#mids.add(frame.mid);
      this.#insert(frame.seq, this.#messageElement(frame));
      added++;
      mine ||= frame.fromuser === this.me;
    }
    if (added === 0) return 0;
    if (older) log.scrollTop = log.scrollHeight - fromBottom;
    else if (atBottom || mine) this.scrollToBottom();
    return added;
  }

  scrollToBottom() {
    this.nodes.log.scrollTop = this.nodes.log.scrollHeight;
  }

  /** Shows (or redraws) one of this chat's unacknowledged messages. */
  renderPending(/** @type {OutboxEntry} */ entry) {
    const label = entry.state === "failed"
      ? `not sent: ${entry.reason}`
      : entry.state === "queued"
      ? "waiting for connection…"
      : "sending…";
    const node = el(
      "li",
      {
        class: `msg mine pending ${entry.state}`,
        dataset: { testid: "pending-message", cid: entry.cid, state: entry.state },
      },
      el("div", { class: "text", text: entry.content }),
      el(
        "div",
        { class: "meta" },
        el("span", { class: "state", text: label, dataset: { testid: "pending-state" } }),
        entry.state === "failed" &&
          el("button", {
            type: "button",
            text: "Retry",
            on: { click: () => this.onRetry(entry.cid) },
          }),
        entry.state === "failed" &&
          el("button", {
            type: "button",
            text: "Discard",
            on: { click: () => this.onDiscard(entry.cid) },
          }),
      ),
    );
    const old = this.#pending.get(entry.cid);
    if (old) old.replaceWith(node);
    else this.nodes.outbox.append(node);
    this.#pending.set(entry.cid, node);
  }

  removePending(cid) {
    this.#pending.get(cid)?.remove();
    this.#pending.delete(cid);
  }

  #insert(seq, node) {
    const items = this.#items;
    let i = items.length;
    while (i > 0 && items[i - 1].seq > seq) i--;
    if (i === items.length) this.nodes.list.append(node);
    else items[i].el.before(node);
    items.splice(i, 0, { seq, el: node });
  }

  #messageElement(frame) {
    const mine = frame.fromuser === this.me;
    return el(
      "li",
      {
        class: `msg ${mine ? "mine" : "theirs"}`,
        dataset: {
          testid: "message",
          mid: frame.mid,
          seq: String(frame.seq),
          from: frame.fromuser,
        },
      },
      el(
        "div",
        { class: "meta" },
        el("span", { class: "who", text: mine ? "You" : this.nameOf(frame.fromuser) }),
        el("time", { text: formatTime(frame.time), title: formatFullTime(frame.time) }),
      ),
      messageBody(frame),
    );
  }
}

/** Text as text; images and files only from this server's `/files/` paths. */
function messageBody(frame) {
  const file = frame.file;
  const safeUrl = typeof file?.url === "string" && file.url.startsWith("/files/") ? file.url : null;
  if (frame.msgType === "image" && safeUrl) {
    return el(
      "div",
      { class: "text" },
      el("img", { src: safeUrl, alt: String(file.name ?? "image"), class: "picture" }),
      frame.message ? el("div", { text: frame.message }) : null,
    );
  }
  if (frame.msgType === "file" && safeUrl) {
    return el(
      "div",
      { class: "text" },
      el("a", { href: safeUrl, download: String(file.name ?? ""), text: fileLabel(file) }),
      frame.message ? el("div", { text: frame.message }) : null,
    );
  }
  return el("div", { class: "text", text: frame.message, dataset: { testid: "message-text" } });
}

function fileLabel(file) {
  const size = Number(file.size) || 0;
  const human = size >= 1 << 20
    ? `${(size / (1 << 20)).toFixed(1)} MB`
    : `${Math.max(1, Math.round(size / 1024))} KB`;
  return `📎 ${file.name ?? "file"} (${human})`;
}
