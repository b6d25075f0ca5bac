// @ts-check
/**
 * What tells someone who is looking elsewhere that a message arrived: while the page is
 * hidden, a short chime (made with WebAudio: no sound file), a desktop notification (the
 * permission is asked once; clicking the notification opens the chat), and a title that
 * flashes until the page is seen again.
 *
 * @module
 */
import { t } from "./i18n.js";

const ASKED_KEY = "webchat.notifyAsked";
const FLASH_MS = 1000;
const NOTIFICATION_MS = 5000;

export class Notifier {
  /** @type {AudioContext | null} */
  #audio = null;
  /** @type {ReturnType<typeof setInterval> | 0} */
  #flashTimer = 0;
  #flashOn = false;
  /** @type {Set<Notification>} */
  #shown = new Set();

  /**
   * @param {() => string} baseTitle the title when nothing flashes (with the unread count)
   * @param {(chatid: string) => void} openChat what clicking a notification does
   */
  constructor(baseTitle, openChat) {
    this.baseTitle = baseTitle;
    this.openChat = openChat;
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) this.seen();
    });
    addEventListener("focus", () => this.seen());
    addEventListener("pagehide", () => this.#closeAll());
  }

  /** Whether the reader cannot see the page now. */
  get hidden() {
    return document.visibilityState === "hidden";
  }

  /** The flashing title is on. */
  get flashing() {
    return this.#flashTimer !== 0;
  }

  /**
   * Called on the reader's first click or key press: browsers let a page start sound and ask
   * for notifications only after a gesture. Asks for the permission once, ever.
   */
  unlock() {
    try {
      this.#audio ??= new AudioContext();
      if (this.#audio.state === "suspended") this.#audio.resume().catch(() => {});
    } catch {
      // no WebAudio: no sound
    }
    if (typeof Notification !== "function" || Notification.permission !== "default") return;
    try {
      if (localStorage.getItem(ASKED_KEY)) return;
      localStorage.setItem(ASKED_KEY, "1");
    } catch {
      return; // without storage we could not keep "asked once"
    }
    Notification.requestPermission().catch(() => {});
  }

  /**
   * A message from someone else arrived: tell the reader if the page is hidden. `title` replaces
   * "X says:" (a broadcast); an empty `chatid` is a broadcast's.
   * @param {{chatid: string, from: string, text: string, title?: string}} message
   */
  notify({ chatid, from, text, title }) {
    if (!this.hidden) return;
    this.#chime();
    this.#desktop(chatid || "broadcast", title ?? t("notify.says", { name: from }), text);
    this.#startFlashing();
  }

  /** The reader is back: stop flashing, close the notifications. */
  seen() {
    clearInterval(this.#flashTimer);
    this.#flashTimer = 0;
    this.#flashOn = false;
    this.#closeAll();
    document.title = this.baseTitle();
  }

  /** Sets the title unless it is flashing (then the next tick shows the new base). */
  refreshTitle() {
    if (!this.flashing) document.title = this.baseTitle();
  }

  /** Two short sine notes, quiet: a chime, not an alarm. */
  #chime() {
    const audio = this.#audio;
    if (!audio || audio.state !== "running") return;
    const start = audio.currentTime;
    for (const [offset, frequency] of [[0, 880], [0.12, 1318.5]]) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.3);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.32);
    }
  }

  /** @param {string} chatid @param {string} title @param {string} body */
  #desktop(chatid, title, body) {
    if (typeof Notification !== "function" || Notification.permission !== "granted") return;
    let notification;
    try {
      // One notification per chat: a new message replaces the previous one (tag).
      notification = new Notification(title, { body: body.slice(0, 200), tag: chatid });
    } catch {
      return; // some platforms allow notifications only from a service worker
    }
    this.#shown.add(notification);
    notification.onclick = () => {
      focus();
      this.openChat(chatid === "broadcast" ? "" : chatid);
      notification.close();
    };
    notification.onclose = () => this.#shown.delete(notification);
    setTimeout(() => notification.close(), NOTIFICATION_MS);
  }

  #startFlashing() {
    if (this.#flashTimer) return;
    const tick = () => {
      this.#flashOn = !this.#flashOn;
      document.title = this.#flashOn
        ? `${t("notify.flash")} ${this.baseTitle()}`
        : this.baseTitle();
    };
    tick();
    this.#flashTimer = setInterval(tick, FLASH_MS);
  }

  #closeAll() {
    for (const notification of this.#shown) notification.close();
    this.#shown.clear();
  }
}
