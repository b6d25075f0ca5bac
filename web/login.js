// @ts-check
/**
 * The login form: `POST /api/login`, the answer's error shown in the reader's language by its
 * code (bad credentials, the login rate limit with its wait). The session itself is the
 * HttpOnly cookie the answer sets.
 *
 * @module
 */
import { api } from "./api.js";
import { byId } from "./dom.js";
import { errorText, onLanguageChange, t } from "./i18n.js";

export class LoginForm {
  #view = byId("login-view");
  #form = /** @type {HTMLFormElement} */ (byId("login-form"));
  #error = byId("login-error");
  #submit = /** @type {HTMLButtonElement} */ (byId("login-submit"));
  /** What the error line says, to redraw it in another language. @type {() => string} */
  #message = () => "";

  /** @param {(user: any) => void} onLoggedIn */
  constructor(onLoggedIn) {
    this.onLoggedIn = onLoggedIn;
    this.#form.addEventListener("submit", (event) => this.#send(event));
    onLanguageChange(() => this.#error.textContent = this.#message());
  }

  /**
   * Shows the form; `message` (a function, so a language switch redraws it) says why, `code`
   * is the error code behind it.
   * @param {() => string} [message]
   * @param {string} [code]
   */
  show(message = () => "", code = "") {
    this.#view.hidden = false;
    this.#message = message;
    this.#error.textContent = message();
    this.#error.dataset.code = code;
    /** @type {HTMLInputElement} */ (this.#form.elements.namedItem("accountid")).focus();
  }

  hide() {
    this.#view.hidden = true;
  }

  /** @param {SubmitEvent} event */
  async #send(event) {
    event.preventDefault();
    const data = new FormData(this.#form);
    const accountid = String(data.get("accountid") ?? "").trim();
    const password = String(data.get("password") ?? "");
    if (!accountid || !password) {
      this.show(() => t("login.missing"), "bad_request");
      return;
    }
    this.#submit.disabled = true;
    this.#error.textContent = "";
    try {
      const { user } = await api("POST", "/api/login", { accountid, password });
      this.#form.reset();
      this.hide();
      this.onLoggedIn(user);
    } catch (error) {
      const { code, retryAfter } = /** @type {import("./api.js").ApiError} */ (error);
      this.show(() => {
        const text = errorText(code);
        return code === "rate_limited" && retryAfter
          ? `${text} ${t("login.retryIn", { minutes: Math.ceil(retryAfter / 60) })}`
          : text;
      }, code);
    } finally {
      this.#submit.disabled = false;
    }
  }
}
