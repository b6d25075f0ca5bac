// @ts-check
/**
 * A Unicode emoji picker for the composer (the original had 105 GIF smileys; Unicode needs no
 * images and stays text in the message). A grid of buttons: arrow keys move between them,
 * Enter or a click inserts at the caret, Escape closes and gives the caret back.
 *
 * @module
 */
import { el } from "./dom.js";
import { t } from "./i18n.js";

/** Common faces, hands, hearts and objects, in the order people look for them. */
export const EMOJI = [
  ..."😀😃😄😁😆😅😂🤣😊😇🙂🙃😉😌😍🥰😘😋😛😜🤪🤨🧐🤓😎🥳😏😒😞😔😟😕🙁😣😖😫😩🥺😢😭😤😠😡🤯😳😱😨😰😥😓🤗🤔🤭🤫😶😐😑😬🙄😯😴🤤😷🤒🤕🤢🤮🤧",
  ..."👍👎👌✌🤞🤝🙏👏🙌👋💪👀",
  ..."❤🧡💛💚💙💜💔💯✨🔥🎉🎂🎁☕🍵🍺🌹🌞🌙⭐⚡☔⏰📅📌📎✅❌❓❗",
];

const COLUMNS = 8;

export class EmojiPicker {
  #open = false;

  /**
   * @param {HTMLButtonElement} button toggles the panel
   * @param {HTMLElement} panel where the grid is drawn
   * @param {HTMLTextAreaElement} input receives the emoji
   * @param {() => void} onInsert after an insertion (re-validate the text)
   */
  constructor(button, panel, input, onInsert) {
    this.button = button;
    this.panel = panel;
    this.input = input;
    this.onInsert = onInsert;
    button.setAttribute("aria-haspopup", "true");
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", () => this.#open ? this.close(true) : this.show());
    panel.addEventListener("keydown", (event) => this.#onKey(event));
    document.addEventListener("pointerdown", (event) => {
      const target = /** @type {Node} */ (event.target);
      if (this.#open && !panel.contains(target) && !button.contains(target)) this.close(false);
    });
  }

  show() {
    this.panel.replaceChildren(
      ...EMOJI.map((emoji, i) =>
        el("button", {
          type: "button",
          class: "emoji",
          text: emoji,
          tabIndex: i === 0 ? 0 : -1,
          attrs: { "aria-label": emoji },
          dataset: { testid: "emoji" },
          on: { click: () => this.#insert(emoji) },
        })
      ),
    );
    this.panel.setAttribute("aria-label", t("composer.emojiPanel"));
    this.panel.hidden = false;
    this.#open = true;
    this.button.setAttribute("aria-expanded", "true");
    /** @type {HTMLElement | null} */ (this.panel.firstElementChild)?.focus();
  }

  /** @param {boolean} refocus give the caret back to the composer */
  close(refocus) {
    if (!this.#open) return;
    this.#open = false;
    this.panel.hidden = true;
    this.button.setAttribute("aria-expanded", "false");
    if (refocus) this.input.focus();
  }

  /** @param {string} emoji */
  #insert(emoji) {
    const input = this.input;
    input.focus();
    input.setRangeText(emoji, input.selectionStart, input.selectionEnd, "end");
    this.onInsert();
    this.close(true);
  }

  /** @param {KeyboardEvent} event */
  #onKey(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      this.close(true);
      return;
    }
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS }[
      event.key
    ];
    if (!step) return;
    event.preventDefault();
    const buttons = [...this.panel.querySelectorAll("button")];
    const at = buttons.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement));
    const next = buttons[Math.min(buttons.length - 1, Math.max(0, at + step))];
    for (const b of buttons) b.tabIndex = b === next ? 0 : -1;
    next?.focus();
  }
}
