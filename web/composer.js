// @ts-check
/**
 * The message composer: a multi-line text box, Enter or Ctrl+Enter to send (the reader's
 * choice, kept in localStorage), the emoji picker, and an answer to an empty or over-long
 * message that goes away as soon as the text is fixed.
 *
 * @module
 */
import { EmojiPicker } from "./emoji_picker.js";
import { onLanguageChange, t } from "./i18n.js";

const SEND_KEY = "webchat.sendKey";
/** The character count shows from this share of the limit on. */
const COUNT_FROM = 0.9;

/**
 * @typedef {object} ComposerNodes
 * @property {HTMLFormElement} form
 * @property {HTMLTextAreaElement} input
 * @property {HTMLElement} error
 * @property {HTMLElement} counter
 * @property {HTMLSelectElement} sendKey
 * @property {HTMLButtonElement} emojiButton
 * @property {HTMLElement} emojiPanel
 */

export class Composer {
  /** The problem shown now ("empty", "tooLong") or "". */
  #problem = "";

  /**
   * @param {ComposerNodes} nodes
   * @param {number} maxChars the server's limit (code points)
   * @param {(content: string) => void} onSend
   */
  constructor(nodes, maxChars, onSend) {
    this.nodes = nodes;
    this.maxChars = maxChars;
    this.onSend = onSend;
    this.emoji = new EmojiPicker(
      nodes.emojiButton,
      nodes.emojiPanel,
      nodes.input,
      () => this.#recheck(),
    );
    nodes.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
      nodes.input.focus();
    });
    nodes.input.addEventListener("keydown", (event) => this.#onKey(event));
    nodes.input.addEventListener("input", () => this.#recheck());
    nodes.sendKey.value = readSendKey();
    nodes.sendKey.addEventListener("change", () => {
      try {
        localStorage.setItem(SEND_KEY, nodes.sendKey.value);
      } catch {
        // kept for this page only
      }
    });
    onLanguageChange(() => {
      this.#showProblem(nodes.input.value);
      this.#showCount(nodes.input.value);
    });
  }

  /** Sends the text when it can be sent; otherwise says why and keeps it. */
  send() {
    const content = this.nodes.input.value;
    this.#problem = problemOf(content, this.maxChars);
    this.#showProblem(content);
    if (this.#problem) return false;
    this.nodes.input.value = "";
    this.#showCount("");
    this.emoji.close(false);
    this.onSend(content);
    return true;
  }

  /** Empties the box and its messages (another chat was opened). */
  reset() {
    this.nodes.input.value = "";
    this.#problem = "";
    this.#showProblem("");
    this.#showCount("");
    this.emoji.close(false);
  }

  focus() {
    this.nodes.input.focus();
  }

  /** After each change of the text: a shown problem clears once fixed; the count follows. */
  #recheck() {
    const content = this.nodes.input.value;
    if (this.#problem) {
      this.#problem = problemOf(content, this.maxChars);
      // An emptied box after "too long" is not an error yet: the reader is rewriting.
      if (this.#problem === "empty") this.#problem = "";
    } else if (problemOf(content, this.maxChars) === "tooLong") {
      this.#problem = "tooLong"; // say so while typing, not only at send time
    }
    this.#showProblem(content);
    this.#showCount(content);
  }

  /** @param {string} content */
  #showProblem(content) {
    const error = this.nodes.error;
    error.dataset.problem = this.#problem;
    error.textContent = this.#problem === "empty"
      ? t("composer.empty")
      : this.#problem === "tooLong"
      ? t("composer.tooLong", { max: this.maxChars, count: [...content].length })
      : "";
    this.nodes.input.setAttribute("aria-invalid", String(this.#problem !== ""));
  }

  /** @param {string} content */
  #showCount(content) {
    const count = [...content].length;
    const counter = this.nodes.counter;
    counter.hidden = count < this.maxChars * COUNT_FROM;
    counter.textContent = t("composer.count", { count, max: this.maxChars });
    counter.classList.toggle("over", count > this.maxChars);
  }

  /** @param {KeyboardEvent} event */
  #onKey(event) {
    // Enter that confirms an input-method candidate (Chinese, Japanese…) is not a send.
    if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) return;
    const ctrl = event.ctrlKey || event.metaKey;
    const ctrlMode = this.nodes.sendKey.value === "ctrl-enter";
    const sends = ctrlMode ? ctrl : !ctrl && !event.shiftKey;
    const input = this.nodes.input;
    if (sends) {
      event.preventDefault();
      this.send();
    } else if (ctrl && !ctrlMode) {
      // Ctrl+Enter inserts a line break in "Enter sends" mode, like Shift+Enter.
      event.preventDefault();
      input.setRangeText("\n", input.selectionStart, input.selectionEnd, "end");
      this.#recheck();
    }
  }
}

/** "empty", "tooLong" or "" for a text. @param {string} content @param {number} max */
export function problemOf(content, max) {
  if (content.trim() === "") return "empty";
  if ([...content].length > max) return "tooLong";
  return "";
}

function readSendKey() {
  try {
    return localStorage.getItem(SEND_KEY) === "ctrl-enter" ? "ctrl-enter" : "enter";
  } catch {
    return "enter";
  }
}
