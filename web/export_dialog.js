// @ts-check
/**
 * Exporting a date range of the open conversation: from one day to another (the reader's local
 * days), as HTML or CSV, downloaded from `GET /api/chats/:chatid/export` with `since`/`until`.
 * The whole conversation is one click in the header's export menu; this dialog is for a part.
 *
 * @module
 */
import { chatPath } from "./api.js";
import { el } from "./dom.js";
import { t } from "./i18n.js";

/** A local day (`YYYY-MM-DD`) as unix seconds of its first moment. @param {string} day */
function dayStart(day) {
  return Math.floor(new Date(`${day}T00:00:00`).getTime() / 1000);
}

/**
 * Downloads the export of `chatid` (a link the browser follows: the session cookie goes with it,
 * and the server's `Content-Disposition` names the file).
 * @param {string} chatid
 * @param {"html" | "csv"} format
 * @param {{since?: number, until?: number}} [range]
 */
export function downloadExport(chatid, format, range = {}) {
  const query = new URLSearchParams({ format });
  if (range.since !== undefined) query.set("since", String(range.since));
  if (range.until !== undefined) query.set("until", String(range.until));
  const link = el("a", {
    href: `${chatPath(chatid, "export")}?${query}`,
    download: `chat-${chatid}.${format}`,
  });
  document.body.append(link);
  link.click();
  link.remove();
}

export class ExportDialog {
  /** @type {string | null} */
  chatid = null;

  /** @param {HTMLDialogElement} dialog */
  constructor(dialog) {
    this.dialog = dialog;
    this.heading = el("h2");
    const day = (
      /** @type {string} */ testid,
    ) => /** @type {HTMLInputElement} */ (el("input", { type: "date", dataset: { testid } }));
    this.from = day("export-from");
    this.to = day("export-to");
    this.format = /** @type {HTMLSelectElement} */ (el("select", {
      dataset: { testid: "export-format" },
    }));
    this.fromLabel = el("span");
    this.toLabel = el("span");
    this.formatLabel = el("span");
    this.error = el("p", {
      class: "form-error",
      dataset: { testid: "export-error" },
      attrs: { role: "alert" },
    });
    this.submit = el("button", { type: "submit", dataset: { testid: "export-download" } });
    this.close = el("button", {
      type: "button",
      class: "quiet",
      on: { click: () => dialog.close() },
    });
    dialog.replaceChildren(
      el(
        "form",
        {
          class: "dialog-body",
          on: {
            submit: (/** @type {Event} */ event) => {
              event.preventDefault();
              this.#download();
            },
          },
        },
        this.heading,
        el("label", { class: "field" }, this.fromLabel, this.from),
        el("label", { class: "field" }, this.toLabel, this.to),
        el("label", { class: "field" }, this.formatLabel, this.format),
        this.error,
        el("div", { class: "dialog-actions" }, this.submit, this.close),
      ),
    );
  }

  /** @param {string} chatid */
  open(chatid) {
    this.chatid = chatid;
    this.error.textContent = "";
    this.labels();
    this.dialog.showModal();
    this.from.focus();
  }

  labels() {
    this.heading.textContent = t("export.rangeHeading");
    this.fromLabel.textContent = t("export.from");
    this.toLabel.textContent = t("export.to");
    this.formatLabel.textContent = t("export.format");
    const value = this.format.value || "html";
    this.format.replaceChildren(
      el("option", { value: "html", text: t("export.html") }),
      el("option", { value: "csv", text: t("export.csv") }),
    );
    this.format.value = value;
    this.submit.textContent = t("export.download");
    this.close.textContent = t("dialog.close");
  }

  #download() {
    if (!this.chatid) return;
    const since = this.from.value ? dayStart(this.from.value) : undefined;
    const until = this.to.value ? dayStart(this.to.value) + 86_399 : undefined;
    if (since !== undefined && until !== undefined && since > until) {
      this.error.textContent = t("export.badRange");
      return;
    }
    this.error.textContent = "";
    downloadExport(this.chatid, this.format.value === "csv" ? "csv" : "html", { since, until });
    this.dialog.close();
  }
}
