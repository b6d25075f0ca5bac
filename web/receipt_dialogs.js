// @ts-check
/**
 * The two dialogs of read receipts: who has read a group message ("read by 2 of 5", from
 * `GET /api/chats/:chatid/receipts?seq=N`), and the reader's own setting that stops sending
 * receipts (`GET`/`PUT /api/me/settings`). Names are text.
 *
 * @module
 */
import { api, chatPath, get } from "./api.js";
import { el } from "./dom.js";
import { errorText, t } from "./i18n.js";

/** @param {unknown} error */
function reasonOf(error) {
  const { code, message } = /** @type {import("./api.js").ApiError} */ (error);
  return errorText(code, message);
}

/** Who has read one message of a group, and who not yet. */
export class ReadersDialog {
  #ask = 0;

  /**
   * @param {HTMLDialogElement} dialog
   * @param {(accountid: string) => string} nameOf
   * @param {() => string} me
   */
  constructor(dialog, nameOf, me) {
    this.dialog = dialog;
    this.nameOf = nameOf;
    this.me = me;
    this.heading = el("h2");
    this.read = el("ul", { class: "readers", dataset: { testid: "readers-read" } });
    this.unread = el("ul", { class: "readers", dataset: { testid: "readers-unread" } });
    this.readHead = el("h3");
    this.unreadHead = el("h3");
    this.status = el("p", { class: "empty", dataset: { testid: "readers-status" } });
    this.close = el("button", {
      type: "button",
      class: "quiet",
      dataset: { testid: "readers-close" },
      on: { click: () => dialog.close() },
    });
    dialog.replaceChildren(
      el(
        "div",
        { class: "dialog-body" },
        this.heading,
        this.status,
        this.readHead,
        this.read,
        this.unreadHead,
        this.unread,
        el("div", { class: "dialog-actions" }, this.close),
      ),
    );
  }

  /** @param {string} chatid @param {number} seq */
  async open(chatid, seq) {
    const ask = ++this.#ask;
    this.#labels(null);
    this.status.textContent = t("history.loading");
    this.read.replaceChildren();
    this.unread.replaceChildren();
    if (!this.dialog.open) this.dialog.showModal();
    try {
      const answer = await get(chatPath(chatid, "receipts"), { seq });
      if (ask !== this.#ask) return;
      const readBy = new Set(Array.isArray(answer.readBy) ? answer.readBy.map(String) : []);
      /** @type {string[]} */
      const members = Array.isArray(answer.members) ? answer.members.map(String) : [];
      const others = members.filter((m) => m !== this.me());
      const line = (/** @type {string} */ accountid) =>
        el("li", { text: this.nameOf(accountid), dataset: { testid: "reader", accountid } });
      this.read.replaceChildren(...others.filter((m) => readBy.has(m)).map(line));
      this.unread.replaceChildren(...others.filter((m) => !readBy.has(m)).map(line));
      this.status.textContent = "";
      this.#labels({ read: this.read.children.length, total: others.length });
    } catch (error) {
      if (ask === this.#ask) this.status.textContent = reasonOf(error);
    }
  }

  /** @param {{read: number, total: number} | null} counts */
  #labels(counts) {
    this.heading.textContent = counts
      ? t("receipt.readBy", { count: counts.read, total: counts.total })
      : t("receipt.readers");
    this.readHead.textContent = t("receipt.readList");
    this.unreadHead.textContent = t("receipt.unreadList");
    this.readHead.hidden = this.unreadHead.hidden = !counts;
    this.close.textContent = t("dialog.close");
  }
}

/** The reader's settings: whether the page's reads are sent as read receipts. */
export class SettingsDialog {
  /** @param {HTMLDialogElement} dialog */
  constructor(dialog) {
    this.dialog = dialog;
    this.heading = el("h2");
    this.box = /** @type {HTMLInputElement} */ (el("input", {
      type: "checkbox",
      dataset: { testid: "settings-receipts" },
      on: { change: () => this.#save() },
    }));
    this.label = el("span");
    this.hint = el("p", { class: "hint" });
    this.status = el("p", {
      class: "form-error",
      dataset: { testid: "settings-status" },
      attrs: { role: "status" },
    });
    this.close = el("button", {
      type: "button",
      class: "quiet",
      dataset: { testid: "settings-close" },
      on: { click: () => dialog.close() },
    });
    dialog.replaceChildren(
      el(
        "div",
        { class: "dialog-body" },
        this.heading,
        el("label", { class: "check" }, this.box, this.label),
        this.hint,
        this.status,
        el("div", { class: "dialog-actions" }, this.close),
      ),
    );
  }

  async open() {
    this.labels();
    this.status.textContent = "";
    this.box.disabled = true;
    this.dialog.showModal();
    try {
      const settings = await api("GET", "/api/me/settings");
      this.box.checked = settings.readReceipts !== false;
      this.box.disabled = false;
    } catch (error) {
      this.status.textContent = reasonOf(error);
    }
  }

  labels() {
    this.heading.textContent = t("settings.heading");
    this.label.textContent = t("settings.readReceipts");
    this.hint.textContent = t("settings.readReceiptsHint");
    this.close.textContent = t("dialog.close");
  }

  async #save() {
    const wanted = this.box.checked;
    this.box.disabled = true;
    this.status.textContent = "";
    try {
      const settings = await api("PUT", "/api/me/settings", { readReceipts: wanted });
      this.box.checked = settings.readReceipts !== false;
      this.status.textContent = t("settings.saved");
    } catch (error) {
      this.box.checked = !wanted;
      this.status.textContent = reasonOf(error);
    } finally {
      this.box.disabled = false;
    }
  }
}
