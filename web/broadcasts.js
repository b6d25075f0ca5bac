// @ts-check
/**
 * Broadcasts (通知): the icon with the unread count, the list (newest first, paged with
 * `before`, the unread ones marked until the reader marks them read), a popup when one
 * arrives, and the composer (people and whole departments from the member picker, a subject,
 * the text), offered to those the server says may broadcast (`init.mayBroadcast`); a refusal
 * all the same (the rules changed by a reload) is shown in the composer.
 *
 * @module
 */
import { api, get } from "./api.js";
import { el, newCid } from "./dom.js";
import { errorText, formatFullTime, formatTime, t } from "./i18n.js";
import { renderTextMessage } from "./message_body.js";

/** @typedef {import("./member_picker.js").MemberPicker} MemberPicker */
/** @typedef {import("./sidebar.js").User} User */
/**
 * @typedef {{bid: string, fromuser: string, touserTitle: string, title: string, content: string,
 *   time: number}} Broadcast
 */
/**
 * @typedef {object} BroadcastContext
 * @property {MemberPicker} picker
 * @property {() => User[]} users
 * @property {(accountid: string) => string} nameOf
 * @property {(frame: object) => boolean} send
 * @property {() => void} onCount the unread count changed
 */

const PAGE = 10;
const POPUP_MS = 8000;

export class BroadcastPanel {
  unread = 0;
  /** The server says this account may broadcast (`init.mayBroadcast`). */
  allowed = true;
  /** @type {Broadcast[]} newest first */
  items = [];
  hasMore = false;
  loaded = false;
  /** @type {"list" | "compose"} */
  view = "list";
  /** The composer's recipients and the `cid` of the broadcast being sent. */
  draft = { members: /** @type {string[]} */ ([]), depts: /** @type {string[]} */ ([]), cid: "" };
  error = "";
  sentNote = "";
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #popupTimer;

  /**
   * @param {HTMLDialogElement} dialog
   * @param {HTMLElement} popup
   * @param {BroadcastContext} ctx
   */
  constructor(dialog, popup, ctx) {
    this.dialog = dialog;
    this.popup = popup;
    this.ctx = ctx;
    this.subject = /** @type {HTMLInputElement} */ (el("input", {
      maxLength: 200,
      dataset: { testid: "broadcast-subject" },
    }));
    this.content = /** @type {HTMLTextAreaElement} */ (el("textarea", {
      rows: 5,
      dataset: { testid: "broadcast-content" },
    }));
    popup.addEventListener("click", () => {
      popup.hidden = true;
      this.open();
    });
  }

  /** @param {number} count the server's unread count (`init`) */
  setUnread(count) {
    this.unread = Math.max(0, Number(count) || 0);
    this.ctx.onCount();
    this.render();
  }

  /** Opens the list. */
  async open() {
    this.view = "list";
    this.error = "";
    this.render();
    if (!this.dialog.open) this.dialog.showModal();
    if (!this.loaded) await this.loadMore(true);
  }

  /** @param {boolean} [first] */
  async loadMore(first = false) {
    try {
      const before = first ? undefined : this.items.at(-1)?.bid;
      const page = await get("/api/broadcasts", { limit: PAGE, before });
      const known = new Set(this.items.map((b) => b.bid));
      this.items.push(...page.broadcasts.filter((/** @type {Broadcast} */ b) => !known.has(b.bid)));
      this.hasMore = page.hasMore;
      this.loaded = true;
    } catch (error) {
      const { code, message } = /** @type {import("./api.js").ApiError} */ (error);
      this.error = t("broadcast.loadFailed", { reason: errorText(code, message) });
    }
    this.render();
  }

  async markRead() {
    try {
      await api("POST", "/api/broadcasts/read");
      this.setUnread(0);
    } catch (error) {
      const { code, message } = /** @type {import("./api.js").ApiError} */ (error);
      this.error = errorText(code, message);
      this.render();
    }
  }

  /**
   * A live `broadcast` frame: first in the list, unread, and a popup.
   * @param {Broadcast} frame
   */
  onBroadcast(frame) {
    if (this.items.some((b) => b.bid === frame.bid)) return;
    this.items.unshift(frame);
    this.unread++;
    this.ctx.onCount();
    this.render();
    this.popup.replaceChildren(
      el("strong", { text: t("broadcast.popup", { name: this.ctx.nameOf(frame.fromuser) }) }),
      el("span", { class: "popup-title", text: frame.title || frame.content }),
    );
    this.popup.hidden = false;
    clearTimeout(this.#popupTimer);
    this.#popupTimer = setTimeout(() => (this.popup.hidden = true), POPUP_MS);
  }

  /** Whether `cid` is the broadcast being sent. @param {string} cid */
  owns(cid) {
    return !!cid && cid === this.draft.cid;
  }

  /** The `ack` of the broadcast sent. */
  onAck() {
    this.draft = { members: [], depts: [], cid: "" };
    this.subject.value = "";
    this.content.value = "";
    this.view = "list";
    this.error = "";
    this.sentNote = t("broadcast.sent");
    this.loaded = false; // the sender sees it in the list once archived
    this.render();
    setTimeout(() => this.dialog.open && this.view === "list" && this.loadMore(true), 500);
  }

  /** An `error` for the broadcast sent. @param {{info: string, msg: string}} frame */
  onError(frame) {
    this.draft.cid = "";
    this.error = errorText(frame.info, frame.msg);
    this.render();
  }

  #compose() {
    this.view = "compose";
    this.error = "";
    this.sentNote = "";
    this.render();
    this.subject.focus();
  }

  #chooseRecipients() {
    this.ctx.picker.open(this.ctx.users(), {
      heading: t("broadcast.recipients"),
      confirm: t("broadcast.choose"),
      keepDepts: true,
      onConfirm: ({ members, depts }) => {
        this.draft.members = members;
        this.draft.depts = depts;
        this.render();
        return Promise.resolve(null);
      },
    });
  }

  #send() {
    const { members, depts } = this.draft;
    const content = this.content.value;
    if (!members.length && !depts.length) {
      this.error = t("broadcast.noRecipients");
    } else if (!content.trim()) {
      this.error = t("composer.empty");
    } else {
      const cid = newCid();
      const label = [...depts.map((d) => d.split(",").at(-1)), ...members.map(this.ctx.nameOf)]
        .join(", ").slice(0, 500);
      const sent = this.ctx.send({
        type: "broadcast",
        touser: { member: members, depts, title: label },
        title: this.subject.value.trim(),
        content,
        cid,
      });
      this.error = sent ? "" : t("group.offline");
      if (sent) this.draft.cid = cid;
    }
    this.render();
  }

  render() {
    if (!this.dialog.open) return;
    const body = this.view === "compose" ? this.#composeView() : this.#listView();
    this.dialog.replaceChildren(body);
  }

  #listView() {
    return el(
      "div",
      { class: "dialog-body broadcasts" },
      el("h2", { text: t("broadcast.heading") }),
      this.sentNote
        ? el("p", { class: "note", text: this.sentNote, dataset: { testid: "broadcast-note" } })
        : null,
      el(
        "ol",
        { class: "broadcast-list", dataset: { testid: "broadcast-list" } },
        ...this.items.map((b, i) => this.#item(b, i < this.unread)),
      ),
      this.loaded && !this.items.length
        ? el("p", { class: "empty", text: t("broadcast.none") })
        : null,
      this.hasMore
        ? el("button", {
          type: "button",
          class: "quiet",
          text: t("broadcast.more"),
          dataset: { testid: "broadcast-more" },
          on: { click: () => this.loadMore() },
        })
        : null,
      el("p", {
        class: "form-error",
        text: this.error,
        dataset: { testid: "broadcast-error" },
        attrs: { role: "alert" },
      }),
      el(
        "div",
        { class: "dialog-actions" },
        el("button", {
          type: "button",
          class: "quiet",
          text: t("broadcast.markRead"),
          disabled: this.unread === 0,
          dataset: { testid: "broadcast-mark-read" },
          on: { click: () => this.markRead() },
        }),
        this.allowed
          ? el("button", {
            type: "button",
            text: t("broadcast.compose"),
            dataset: { testid: "broadcast-compose" },
            on: { click: () => this.#compose() },
          })
          : null,
        el("button", {
          type: "button",
          class: "quiet",
          text: t("dialog.close"),
          dataset: { testid: "broadcast-close" },
          on: { click: () => this.dialog.close() },
        }),
      ),
    );
  }

  /** @param {Broadcast} b @param {boolean} unread */
  #item(b, unread) {
    return el(
      "li",
      {
        class: `broadcast${unread ? " unread" : ""}`,
        dataset: { testid: "broadcast-item", bid: b.bid, unread: String(unread) },
      },
      el(
        "div",
        { class: "meta" },
        unread ? el("b", { class: "badge", text: t("broadcast.new") }) : null,
        el("strong", {
          class: "broadcast-title",
          text: b.title || t("broadcast.noSubject"),
          dataset: { testid: "broadcast-title" },
        }),
        el("time", { text: formatTime(b.time), title: formatFullTime(b.time) }),
      ),
      el("div", {
        class: "broadcast-from",
        text: t("broadcast.from", { name: this.ctx.nameOf(b.fromuser), to: b.touserTitle || "" }),
        dataset: { testid: "broadcast-from" },
      }),
      renderTextMessage(b.content),
    );
  }

  #composeView() {
    const { members, depts } = this.draft;
    const chosen = [...depts.map((d) => d.split(",").join(" / ")), ...members.map(this.ctx.nameOf)];
    this.subject.placeholder = t("broadcast.subject");
    this.subject.setAttribute("aria-label", t("broadcast.subject"));
    this.content.placeholder = t("broadcast.content");
    this.content.setAttribute("aria-label", t("broadcast.content"));
    return el(
      "form",
      {
        class: "dialog-body",
        on: {
          submit: (/** @type {Event} */ e) => {
            e.preventDefault();
            this.#send();
          },
        },
      },
      el("h2", { text: t("broadcast.compose") }),
      el(
        "div",
        { class: "field" },
        el("button", {
          type: "button",
          class: "quiet",
          text: t("broadcast.recipients"),
          dataset: { testid: "broadcast-recipients" },
          on: { click: () => this.#chooseRecipients() },
        }),
        el("span", {
          class: "chosen",
          text: chosen.length ? chosen.join(", ") : t("broadcast.noneChosen"),
          dataset: { testid: "broadcast-chosen" },
        }),
      ),
      this.subject,
      this.content,
      el("p", {
        class: "form-error",
        text: this.error,
        dataset: { testid: "broadcast-error" },
        attrs: { role: "alert" },
      }),
      el(
        "div",
        { class: "dialog-actions" },
        el("button", {
          type: "button",
          class: "quiet",
          text: t("dialog.back"),
          on: { click: () => this.open() },
        }),
        el("button", {
          type: "submit",
          text: this.draft.cid ? t("broadcast.sending") : t("broadcast.send"),
          disabled: !!this.draft.cid,
          dataset: { testid: "broadcast-send" },
        }),
      ),
    );
  }
}
