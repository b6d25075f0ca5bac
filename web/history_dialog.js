// @ts-check
/**
 * The history dialog (聊天记录) of the open chat: all messages, images or files only, a day
 * to jump to, and words to search for, over every month of the archive (the server's `type`,
 * `since`/`until` and `q` filters of `GET /api/chats/:chatid/messages`). Results come newest
 * page first; "older" pages back with `before`.
 *
 * @module
 */
import { chatPath, get } from "./api.js";
import { el } from "./dom.js";
import { errorText, formatFullTime, t } from "./i18n.js";
import { renderMessageBody, renderQuote } from "./message_body.js";

/** @typedef {import("./chat_history.js").Say} Say */

const PAGE = 50;

export class HistoryDialog {
  /** @type {string | null} */
  chatid = null;
  /** @type {Say[]} ascending seq */
  results = [];
  hasMore = false;
  error = "";
  #ask = 0;

  /**
   * @param {HTMLDialogElement} dialog
   * @param {(accountid: string) => string} nameOf
   */
  constructor(dialog, nameOf) {
    this.dialog = dialog;
    this.nameOf = nameOf;
    this.type = /** @type {HTMLSelectElement} */ (el("select", {
      dataset: { testid: "history-type" },
      on: { change: () => this.search() },
    }));
    this.day = /** @type {HTMLInputElement} */ (el("input", {
      type: "date",
      dataset: { testid: "history-date" },
      on: { change: () => this.search() },
    }));
    this.words = /** @type {HTMLInputElement} */ (el("input", {
      type: "search",
      maxLength: 200,
      dataset: { testid: "history-query" },
    }));
    this.list = el("ol", { class: "history-results", dataset: { testid: "history-results" } });
    this.status = el("p", { class: "empty", dataset: { testid: "history-status" } });
    this.older = el("button", {
      type: "button",
      class: "quiet",
      dataset: { testid: "history-older" },
      on: { click: () => this.search(true) },
    });
    this.form = el(
      "form",
      {
        class: "history-filters",
        on: {
          submit: (/** @type {Event} */ e) => {
            e.preventDefault();
            this.search();
          },
        },
      },
      this.type,
      this.day,
      this.words,
    );
    this.submit = el("button", { type: "submit", dataset: { testid: "history-search" } });
    this.form.append(this.submit);
    this.heading = el("h2");
    this.close = el("button", {
      type: "button",
      class: "quiet",
      on: { click: () => dialog.close() },
    });
    dialog.replaceChildren(
      el(
        "div",
        { class: "dialog-body history" },
        this.heading,
        this.form,
        this.older,
        this.list,
        this.status,
        el("div", { class: "dialog-actions" }, this.close),
      ),
    );
  }

  /** @param {string} chatid @param {string} title */
  open(chatid, title) {
    this.chatid = chatid;
    this.title = title;
    this.type.value = "";
    this.day.value = "";
    this.words.value = "";
    this.labels();
    this.dialog.showModal();
    this.search();
    this.words.focus();
  }

  labels() {
    this.heading.textContent = t("historyDialog.heading", { title: this.title ?? "" });
    const value = this.type.value;
    this.type.replaceChildren(
      ...[["", "historyDialog.all"], ["image", "historyDialog.images"], [
        "file",
        "historyDialog.files",
      ]].map(([v, key]) => el("option", { value: v, text: t(key) })),
    );
    this.type.value = value;
    this.type.setAttribute("aria-label", t("historyDialog.type"));
    this.day.setAttribute("aria-label", t("historyDialog.date"));
    this.words.placeholder = t("historyDialog.query");
    this.words.setAttribute("aria-label", t("historyDialog.query"));
    this.submit.textContent = t("historyDialog.search");
    this.older.textContent = t("history.older");
    this.close.textContent = t("dialog.close");
    this.#draw();
  }

  /** Asks the server with the filters; `older`: the page before the results shown. */
  async search(older = false) {
    const chatid = this.chatid;
    if (!chatid) return;
    const ask = ++this.#ask;
    /** @type {Record<string, string | number | undefined>} */
    const params = { limit: PAGE };
    if (this.type.value) params.type = this.type.value;
    const words = this.words.value.trim();
    if (words) params.q = words.slice(0, 200);
    if (this.day.value) {
      const start = new Date(`${this.day.value}T00:00:00`);
      params.since = Math.floor(start.getTime() / 1000);
      params.until = params.since + 86_399;
    }
    if (older && this.results[0]) params.before = this.results[0].seq;
    this.error = "";
    this.status.textContent = t("history.loading");
    try {
      const page = await get(chatPath(chatid, "messages"), params);
      if (ask !== this.#ask) return;
      this.results = older ? [...page.messages, ...this.results] : page.messages;
      this.hasMore = page.hasMore;
    } catch (error) {
      if (ask !== this.#ask) return;
      const { code, message } = /** @type {import("./api.js").ApiError} */ (error);
      this.error = errorText(code, message);
      if (!older) this.results = [];
      this.hasMore = false;
    }
    this.#draw();
  }

  #draw() {
    this.older.hidden = !this.hasMore;
    this.list.replaceChildren(
      ...this.results.map((frame) =>
        el(
          "li",
          {
            class: `history-item${frame.msgType === "system" ? " system" : ""}`,
            dataset: { testid: "history-item", seq: String(frame.seq) },
          },
          el(
            "div",
            { class: "meta" },
            el("span", { class: "who", text: this.nameOf(frame.fromuser) }),
            el("time", { text: formatFullTime(frame.time) }),
            frame.edited ? el("span", { class: "edited", text: t("message.edited") }) : null,
          ),
          frame.replyTo ? renderQuote(frame.replyTo, this.nameOf) : null,
          renderMessageBody(frame),
        )
      ),
    );
    this.status.textContent = this.error ||
      (this.results.length ? "" : t("historyDialog.nothing"));
    this.status.setAttribute("role", this.error ? "alert" : "status");
  }
}
