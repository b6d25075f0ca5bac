// @ts-check
/**
 * The open conversation on screen: draws a {@link ChatHistory} (avatars, own messages on the
 * right, a separator for every new day, older pages when the reader scrolls up) and the
 * sender's own messages that wait for their `ack` (pending → sent, or failed with retry).
 *
 * @module
 */
import { avatar } from "./avatar.js";
import { el } from "./dom.js";
import { dayKey, formatDay, formatFullTime, formatTime, t } from "./i18n.js";
import { renderMessageBody, renderQuote, renderTextMessage } from "./message_body.js";
import { openMenu } from "./message_menu.js";

/** An outbox entry with a file, drawn as the message it will be. @param {OutboxEntry} entry */
function pendingFrame(entry) {
  return /** @type {Say} */ ({
    chatid: entry.chatid,
    fromuser: "",
    message: entry.content,
    msgType: entry.msgType,
    file: entry.file,
    time: 0,
    mid: "",
    seq: 0,
  });
}

/** @typedef {import("./chat_history.js").ChatHistory} ChatHistory */
/** @typedef {import("./chat_history.js").Say} Say */
/** @typedef {import("./outbox.js").OutboxEntry} OutboxEntry */
/** @typedef {import("./message_menu.js").MenuItem} MenuItem */
/**
 * What an own message shows of its read receipts: "read", "read by 2 of 5" (`onClick` lists
 * who), or null for the plain ✓.
 * @typedef {{text: string, testid: string, onClick?: () => void} | null} ReceiptLabel
 */
/**
 * @typedef {object} ChatViewNodes
 * @property {HTMLElement} log the scrolling area
 * @property {HTMLElement} list confirmed messages
 * @property {HTMLElement} outbox pending messages
 * @property {HTMLButtonElement} older "load older"
 * @property {HTMLElement} start "beginning of the conversation"
 */

/** Scrolled this close to the top, the next older page is fetched. */
const LOAD_OLDER_AT_PX = 150;

export class ChatView {
  /** @type {{seq: number, time: number, el: HTMLElement, frame: Say}[]} ascending seq */
  #items = [];
  /** @type {Map<string, HTMLElement>} */
  #pending = new Map();
  #loadingOlder = false;
  /** @type {() => void} */
  #unsubscribe;
  closed = false;

  /**
   * @param {object} options
   * @param {ChatHistory} options.history
   * @param {string} options.me
   * @param {(accountid: string) => string} options.nameOf
   * @param {ChatViewNodes} options.nodes
   * @param {(cid: string) => void} options.onRetry
   * @param {(cid: string) => void} options.onDiscard
   * @param {(error: any) => void} options.onOlderFailed
   * @param {(frame: Say) => MenuItem[]} [options.menuOf] the actions a message offers now
   * @param {(frame: Say) => ReceiptLabel} [options.receiptOf] an own message's read state
   */
  constructor(
    { history, me, nameOf, nodes, onRetry, onDiscard, onOlderFailed, menuOf, receiptOf },
  ) {
    this.menuOf = menuOf ?? (() => []);
    this.receiptOf = receiptOf ?? (() => null);
    this.history = history;
    this.chatid = history.chatid;
    this.me = me;
    this.nameOf = nameOf;
    this.nodes = nodes;
    this.onRetry = onRetry;
    this.onDiscard = onDiscard;
    this.onOlderFailed = onOlderFailed;
    history.open = true;
    nodes.log.addEventListener("scroll", this.#onScroll, { passive: true });
    this.#unsubscribe = history.subscribe(({ frames, older, changed, receipts }) => {
      if (receipts) this.showReceipts();
      else this.#show(frames, older, changed);
    });
    this.redraw();
  }

  /** Draws everything again (on open, and when the language changes). */
  redraw() {
    this.#items = [];
    this.nodes.list.replaceChildren();
    this.#show(this.history.messages, false);
    this.scrollToBottom();
    this.#showEdge();
  }

  /** Loads the newest page unless the cache holds it, then fills the screen with older ones. */
  async load() {
    if (!this.history.loaded) await this.history.loadNewest();
    else if (this.history.changesMissed) this.history.refresh();
    if (this.closed) return;
    this.#showEdge();
    this.scrollToBottom();
    // A short page on a tall screen leaves nothing to scroll: fetch older pages until it can.
    for (let i = 0; i < 3 && this.history.hasMore && !this.#scrollable(); i++) {
      await this.loadOlder();
      if (this.closed) return;
    }
  }

  /** Fetches the page before the first message shown and keeps the reader's place. */
  async loadOlder() {
    if (this.#loadingOlder || !this.history.hasMore || this.closed) return;
    this.#loadingOlder = true;
    this.nodes.older.disabled = true;
    try {
      await this.history.loadOlder();
    } catch (error) {
      if (!this.closed) this.onOlderFailed(error);
    } finally {
      this.#loadingOlder = false;
      this.nodes.older.disabled = false;
      if (!this.closed) this.#showEdge();
    }
  }

  close() {
    this.closed = true;
    this.#unsubscribe();
    this.nodes.log.removeEventListener("scroll", this.#onScroll);
    this.history.open = false;
    this.history.trim();
  }

  scrollToBottom() {
    this.nodes.log.scrollTop = this.nodes.log.scrollHeight;
  }

  /** Shows (or redraws) one of this chat's unacknowledged messages. @param {OutboxEntry} entry */
  renderPending(entry) {
    const label = entry.state === "failed"
      ? t("pending.failed", { reason: entry.reason })
      : entry.state === "waiting"
      ? t("pending.waiting", { seconds: Math.max(1, Math.ceil(entry.waitMs / 1000)) })
      : entry.state === "queued"
      ? t("pending.queued")
      : t("pending.sending");
    const node = el(
      "li",
      {
        class: `msg mine pending ${entry.state}`,
        dataset: { testid: "pending-message", cid: entry.cid, state: entry.state },
      },
      avatar(this.me, this.nameOf(this.me)),
      el(
        "div",
        { class: "bubble" },
        entry.replyTo ? renderQuote(entry.replyTo, this.nameOf) : null,
        entry.file ? renderMessageBody(pendingFrame(entry)) : renderTextMessage(entry.content),
        el(
          "div",
          { class: "meta" },
          el("span", {
            class: "state",
            text: label,
            dataset: { testid: "pending-state" },
            attrs: { role: entry.state === "failed" ? "alert" : "status" },
          }),
          entry.state === "failed" &&
            el("button", {
              type: "button",
              class: "link",
              text: t("pending.retry"),
              dataset: { testid: "pending-retry" },
              on: { click: () => this.onRetry(entry.cid) },
            }),
          entry.state === "failed" &&
            el("button", {
              type: "button",
              class: "link",
              text: t("pending.discard"),
              dataset: { testid: "pending-discard" },
              on: { click: () => this.onDiscard(entry.cid) },
            }),
        ),
      ),
    );
    const old = this.#pending.get(entry.cid);
    if (old) old.replaceWith(node);
    else this.nodes.outbox.append(node);
    this.#pending.set(entry.cid, node);
  }

  /** @param {string} cid */
  removePending(cid) {
    this.#pending.get(cid)?.remove();
    this.#pending.delete(cid);
  }

  /** Redraws every pending entry (language change). @param {OutboxEntry[]} entries */
  redrawPending(entries) {
    this.nodes.outbox.replaceChildren();
    this.#pending.clear();
    for (const entry of entries) this.renderPending(entry);
  }

  /**
   * Puts new messages at their seq positions; `older` keeps the reader's place, otherwise the
   * view follows the conversation when the reader was at the bottom or sent it.
   * @param {Say[]} frames
   * @param {boolean} older
   * @param {boolean} [changed] the messages were held already and changed in place
   */
  #show(frames, older, changed = false) {
    if (frames.length === 0) return;
    const log = this.nodes.log;
    const fromBottom = log.scrollHeight - log.scrollTop;
    const atBottom = fromBottom - log.clientHeight < 80;
    let mine = false;
    for (const frame of frames) {
      this.#insert(frame, this.#messageElement(frame));
      mine ||= frame.fromuser === this.me && !changed;
    }
    if (changed) return;
    this.#placeDaySeparators();
    if (older) log.scrollTop = log.scrollHeight - fromBottom;
    else if (atBottom || mine) this.scrollToBottom();
  }

  /** @param {Say} frame @param {HTMLElement} node */
  #insert(frame, node) {
    const items = this.#items;
    const same = items.find((item) => item.seq === frame.seq);
    if (same) {
      // A message held already, replaced by a fuller copy or changed (see ChatHistory.add).
      const focused = same.el.contains(document.activeElement);
      same.el.replaceWith(node);
      same.el = node;
      same.frame = frame;
      if (focused) /** @type {HTMLElement | null} */ (node.querySelector(".msg-more"))?.focus();
      return;
    }
    let i = items.length;
    while (i > 0 && items[i - 1].seq > frame.seq) i--;
    if (i === items.length) this.nodes.list.append(node);
    else items[i].el.before(node);
    items.splice(i, 0, { seq: frame.seq, time: frame.time, el: node, frame });
  }

  /** One separator before the first message of every local day (recomputed: pages arrive out of order). */
  #placeDaySeparators() {
    for (const old of this.nodes.list.querySelectorAll(":scope > .day")) old.remove();
    let previous = "";
    for (const item of this.#items) {
      const key = dayKey(item.time);
      if (key === previous) continue;
      previous = key;
      item.el.before(
        el("li", {
          class: "day",
          dataset: { testid: "day-separator" },
          attrs: { role: "separator" },
        }, el("span", { text: formatDay(item.time) })),
      );
    }
  }

  /** @param {Say} frame */
  #messageElement(frame) {
    if (frame.msgType === "system") {
      // The server's own line about the group ("alice added bob"): centred, no bubble.
      return el("li", {
        class: "system-line",
        text: String(frame.message ?? ""),
        title: formatFullTime(frame.time),
        dataset: { testid: "system-line", mid: frame.mid, seq: String(frame.seq) },
      });
    }
    if (frame.recalled) {
      // Its place stays, as a centred line: "Alice recalled a message".
      const by = frame.recalled.by;
      return el("li", {
        class: "system-line recalled-line",
        text: by === this.me ? t("recall.byYou") : t("recall.by", { name: this.nameOf(by) }),
        title: formatFullTime(frame.recalled.time),
        dataset: {
          testid: "recalled-line",
          mid: frame.mid,
          seq: String(frame.seq),
          from: frame.fromuser,
        },
      });
    }
    const mine = frame.fromuser === this.me;
    const name = this.nameOf(frame.fromuser);
    const more = el("button", {
      type: "button",
      class: "msg-more link",
      text: "⋯",
      title: t("message.actions"),
      dataset: { testid: "message-more" },
      attrs: {
        "aria-label": t("message.actions"),
        "aria-haspopup": "menu",
        "aria-expanded": "false",
      },
      on: { click: () => openMenu(more, this.menuOf(frame)) },
    });
    return el(
      "li",
      {
        class: `msg ${mine ? "mine" : "theirs"}${frame.mention ? " mentioned" : ""}`,
        dataset: {
          testid: "message",
          mid: frame.mid,
          seq: String(frame.seq),
          from: frame.fromuser,
          mention: frame.mention ? "true" : "false",
        },
      },
      avatar(frame.fromuser, name),
      el(
        "div",
        { class: "bubble" },
        el(
          "div",
          { class: "meta" },
          el("span", { class: "who", text: mine ? t("who.you") : name }),
          el("time", {
            text: formatTime(frame.time),
            title: formatFullTime(frame.time),
            dateTime: new Date(frame.time * 1000).toISOString(),
          }),
          frame.edited
            ? el("span", {
              class: "edited",
              text: t("message.edited"),
              title: formatFullTime(frame.edited),
              dataset: { testid: "message-edited" },
            })
            : null,
          mine ? this.#receipt(frame) : null,
          more,
        ),
        frame.replyTo ? renderQuote(frame.replyTo, this.nameOf) : null,
        renderMessageBody(frame),
      ),
    );
  }

  /** An own message's ✓, or its read state. @param {Say} frame */
  #receipt(frame) {
    const label = this.receiptOf(frame);
    if (!label) {
      return el("span", {
        class: "sent",
        text: "✓",
        title: t("message.sent"),
        dataset: { testid: "message-sent" },
        attrs: { "aria-label": t("message.sent") },
      });
    }
    if (!label.onClick) {
      return el("span", {
        class: "sent read",
        text: label.text,
        dataset: { testid: label.testid },
      });
    }
    return el("button", {
      type: "button",
      class: "sent read link",
      text: label.text,
      dataset: { testid: label.testid },
      on: { click: label.onClick },
    });
  }

  /** Redraws the read state of every own message (a receipt arrived). */
  showReceipts() {
    for (const item of this.#items) {
      if (item.frame.fromuser !== this.me || item.frame.recalled) continue;
      if (item.frame.msgType === "system") continue;
      const old = item.el.querySelector(".meta > .sent");
      const next = this.#receipt(item.frame);
      if (old && !old.isEqualNode(next)) old.replaceWith(next);
    }
  }

  /** Scrolls to the message `mid` and flashes it (a click on a quote); false when not shown. @param {string} mid */
  reveal(mid) {
    const item = this.#items.find((i) => i.frame.mid === mid);
    if (!item) return false;
    item.el.scrollIntoView({ block: "center" });
    item.el.classList.add("flash");
    setTimeout(() => item.el.classList.remove("flash"), 1200);
    return true;
  }

  /** The "load older" button while there is more, the start marker once there is not. */
  #showEdge() {
    const { hasMore, loaded } = this.history;
    this.nodes.older.hidden = !hasMore;
    this.nodes.start.hidden = hasMore || !loaded || this.#items.length === 0;
  }

  #scrollable() {
    return this.nodes.log.scrollHeight > this.nodes.log.clientHeight + 10;
  }

  #onScroll = () => {
    if (this.nodes.log.scrollTop < LOAD_OLDER_AT_PX && this.history.hasMore) this.loadOlder();
  };
}
