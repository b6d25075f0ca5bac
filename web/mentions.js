// @ts-check
/**
 * `@` completion in a group's composer: typing `@` and the start of an account or a name
 * lists the group's members (and `@all` for the owner); arrow keys choose, Enter or Tab
 * inserts `@accountid ` (what the server recognises), Escape closes. The keys are taken before
 * the composer sees them, so Enter picks a name instead of sending.
 *
 * @module
 */
import { avatar } from "./avatar.js";
import { el } from "./dom.js";
import { t } from "./i18n.js";

/** @typedef {{accountid: string, name: string}} Candidate */

const SHOWN = 8;

export class MentionCompleter {
  /** @type {Candidate[]} */
  #shown = [];
  #chosen = 0;
  /** Where the `@` being completed starts, or -1. */
  #at = -1;

  /**
   * @param {HTMLTextAreaElement} input
   * @param {HTMLElement} list
   * @param {() => Candidate[] | null} candidates the open group's members, null outside groups
   * @param {() => void} onInsert after a name went in
   */
  constructor(input, list, candidates, onInsert) {
    this.input = input;
    this.list = list;
    this.candidates = candidates;
    this.onInsert = onInsert;
    input.addEventListener("input", () => this.#update());
    input.addEventListener("keydown", (event) => this.#onKey(event), { capture: true });
    input.addEventListener("blur", () => setTimeout(() => this.close(), 150));
  }

  close() {
    this.#at = -1;
    this.#shown = [];
    this.list.hidden = true;
    this.list.replaceChildren();
  }

  #update() {
    const all = this.candidates();
    const { value, selectionStart } = this.input;
    const before = value.slice(0, selectionStart);
    const match = /(^|[^A-Za-z0-9_.])@([A-Za-z0-9_.]*)$/.exec(before);
    if (!all || !match) return this.close();
    this.#at = before.length - match[2].length - 1;
    const q = match[2].toLowerCase();
    this.#shown = all.filter((c) =>
      c.accountid.toLowerCase().startsWith(q) || c.name.toLowerCase().includes(q)
    ).slice(0, SHOWN);
    if (!this.#shown.length) return this.close();
    this.#chosen = Math.min(this.#chosen, this.#shown.length - 1);
    this.#draw();
  }

  #draw() {
    this.list.hidden = false;
    this.list.setAttribute("aria-label", t("mention.label"));
    this.list.replaceChildren(
      ...this.#shown.map((c, i) =>
        el(
          "li",
          {
            class: `mention-option${i === this.#chosen ? " chosen" : ""}`,
            dataset: { testid: "mention-option", accountid: c.accountid },
            attrs: { role: "option", "aria-selected": String(i === this.#chosen) },
            on: {
              mousedown: (/** @type {Event} */ e) => {
                e.preventDefault(); // keep the focus in the text box
                this.#insert(c);
              },
            },
          },
          c.accountid === "all"
            ? el("span", { class: "avatar", text: "@" })
            : avatar(c.accountid, c.name),
          el("span", { class: "name", text: c.name }),
          el("span", { class: "preview", text: `@${c.accountid}` }),
        )
      ),
    );
  }

  /** @param {KeyboardEvent} event */
  #onKey(event) {
    if (this.list.hidden || !this.#shown.length) return;
    const keys = ["ArrowDown", "ArrowUp", "Enter", "Tab", "Escape"];
    if (!keys.includes(event.key) || event.isComposing) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    if (event.key === "Escape") return this.close();
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const n = this.#shown.length;
      this.#chosen = (this.#chosen + (event.key === "ArrowDown" ? 1 : n - 1)) % n;
      return this.#draw();
    }
    this.#insert(this.#shown[this.#chosen]);
  }

  /** @param {Candidate} candidate */
  #insert(candidate) {
    if (this.#at < 0) return;
    const input = this.input;
    input.setRangeText(`@${candidate.accountid} `, this.#at, input.selectionStart, "end");
    this.close();
    input.focus();
    this.onInsert();
  }
}
