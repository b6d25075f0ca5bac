/**
 * The login form: `POST /api/login`, the server's error message (bad credentials, rate limit)
 * shown as text. The session itself is the HttpOnly cookie the answer sets.
 *
 * @module
 */
import { api } from "./api.js";
import { byId } from "./dom.js";

export class LoginForm {
  #view = byId("login-view");
  #form = /** @type {HTMLFormElement} */ (byId("login-form"));
  #error = byId("login-error");
  #submit = /** @type {HTMLButtonElement} */ (byId("login-submit"));

  /** @param {(user: any) => void} onLoggedIn */
  constructor(onLoggedIn) {
    this.onLoggedIn = onLoggedIn;
    this.#form.addEventListener("submit", (event) => this.#send(event));
  }

  /** Shows the form; `message` (with its error `code`) says why when there is a reason. */
  show(message = "", code = "") {
    this.#view.hidden = false;
    this.#error.textContent = message;
    this.#error.dataset.code = code;
    /** @type {HTMLInputElement} */ (this.#form.elements.namedItem("accountid")).focus();
  }

  hide() {
    this.#view.hidden = true;
  }

  async #send(event) {
    event.preventDefault();
    const data = new FormData(this.#form);
    const accountid = String(data.get("accountid") ?? "").trim();
    const password = String(data.get("password") ?? "");
    if (!accountid || !password) {
      this.show("Enter your account and password.", "bad_request");
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
      const wait = error.code === "rate_limited" && error.retryAfter
        ? ` (try again in about ${Math.ceil(error.retryAfter / 60)} min)`
        : "";
      this.show(error.message + wait, error.code);
    } finally {
      this.#submit.disabled = false;
    }
  }
}
