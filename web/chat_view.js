/**
 * The open conversation: messages kept in `seq` order without duplicates (by `mid`), the
 * history cursors (newest page, "load older", catch-up after a gap), and the sender's own
 * messages that wait for their `ack`.
 *
 * @module
 */
import { chatPath, get } from "./api.js";
import { el, formatFullTime, formatTime } from "./dom.js";

/** @typedef {import("./outbox.js").OutboxEntry} OutboxEntry */

const PAGE = 30;
const CATCH_UP_PAGE = 100;

export class ChatView {
  /** @type {{seq: number, el: HTMLElement}[]} ascending seq */
  #items = [];
  #mids = new Set();
  /** @type {Map<string, HTMLElement>} */
  #pending = new Map();
  /** The newest page of history has arrived (before that, gaps mean nothing). */
  loaded = false;
  hasMore = false;
  /** Set when another chat was opened: late answers are dropped. */
  closed = false;
  #catchingUp = false;
  #catchUpAgain = false;
  /**
   * Up to here, gaps are known to stay: the server had nothing more to send for them after
   * every retry (messages lost with a Redis that kept no data, parked ones, or the jump to a
   * new seq epoch). They no longer count as "missed something".
   */
  #settledSeq = 0;

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
      if (item.seq > seq + 1 && item.seq > this.#settledSeq) break;
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

  close() {
    this.closed = true;
  }

  /** Loads the newest page of history (throws the {@link ApiError} of a failure). */
  async loadNewest() {
    const page = await get(chatPath(this.chatid, "messages"), { limit: PAGE });
    if (this.closed) return;
    this.add(page.messages);
    // An empty page while live messages show: the archive lags; seq 1 is the first message.
    this.setHasMore(page.messages.length ? page.hasMore : (this.firstSeq ?? 1) > 1);
    this.loaded = true;
    this.scrollToBottom();
    if (this.hasGap) this.catchUp();
  }

  /** Puts the page before the first message shown above it. */
  async loadOlder() {
    if (this.firstSeq === null) return;
    const page = await get(chatPath(this.chatid, "messages"), {
      before: this.firstSeq,
      limit: PAGE,
    });
    if (this.closed) return;
    this.add(page.messages, { older: true });
    this.setHasMore(page.hasMore);
  }

  /**
   * Fetches what this chat missed (after a reconnect, or when a `seq` gap shows). History is
   * archived by a worker a moment after delivery, so a gap that remains is asked again shortly.
   */
  async catchUp(attempt = 0) {
    if (!this.loaded) return;
    if (this.#catchingUp) {
      this.#catchUpAgain = true;
      return;
    }
    this.#catchingUp = true;
    // The cursor moves on with every page: a gap that stays (nothing can fill it) must not
    // make the same page come back again and again.
    let after = this.contiguousSeq ?? 0;
    let complete = false;
    try {
      let hasMore = true;
      while (hasMore && !this.closed) {
        const page = await get(chatPath(this.chatid, "messages"), {
          after,
          limit: CATCH_UP_PAGE,
        });
        this.add(page.messages);
        after = Math.max(after, page.messages.at(-1)?.seq ?? after);
        hasMore = page.hasMore && page.messages.length > 0;
        complete = !page.hasMore;
      }
    } catch {
      // The next reconnect or gap tries again.
    } finally {
      this.#catchingUp = false;
    }
    if (this.closed) return;
    if (this.#catchUpAgain || (this.hasGap && attempt < 5)) {
      this.#catchUpAgain = false;
      setTimeout(() => this.catchUp(attempt + 1), this.hasGap ? 500 * 2 ** attempt : 0);
    } else if (this.hasGap && complete) {
      // Retried for about 15 s and the server says there is nothing more: those seqs are gone.
      this.#settledSeq = Math.max(this.#settledSeq, after);
    }
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
      if (this.closed || frame?.chatid !== this.chatid || this.#mids.has(frame.mid)) continue;
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

  /** A live `say`: shown at its place; a `seq` gap before it starts a catch-up. */
  addLive(frame) {
    const gap = this.loaded && this.lastSeq !== null && frame.seq > this.lastSeq + 1;
    this.add([frame]);
    if (gap) this.catchUp();
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
