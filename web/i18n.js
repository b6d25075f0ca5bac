// @ts-check
/**
 * The page's language: chosen from the browser's preferences on the first visit, switchable,
 * remembered in localStorage. `t()` looks a key up in the catalogue of the current language;
 * dates and times are formatted by `Intl` in the reader's locale.
 *
 * Static text in index.html carries `data-i18n` (text), `data-i18n-placeholder`,
 * `data-i18n-label` (aria-label) and `data-i18n-title` attributes naming its keys;
 * {@link applyTranslations} fills them in.
 *
 * @module
 */
import { CATALOG } from "./i18n_catalog.js";

/** @typedef {import("./i18n_catalog.js").Language} Language */

const STORAGE_KEY = "webchat.lang";

/** @type {Language} */
let current = initialLanguage();
/** @type {Set<() => void>} */
const listeners = new Set();

/** The language a visitor gets: the remembered choice, else the browser's first match. */
function initialLanguage() {
  const saved = readSaved();
  if (saved) return saved;
  for (const tag of navigator.languages?.length ? navigator.languages : [navigator.language]) {
    const lower = String(tag).toLowerCase();
    if (lower.startsWith("zh")) return "zh-CN";
    if (lower.startsWith("en")) return "en";
  }
  return "en";
}

/** @returns {Language | null} */
function readSaved() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    return saved === "en" || saved === "zh-CN" ? saved : null;
  } catch {
    return null; // storage disabled: choose from the browser every time
  }
}

/** The current language. */
export function language() {
  return current;
}

/**
 * Switches the language, remembers it, and tells every listener (who redraw their text).
 * @param {Language} next
 */
export function setLanguage(next) {
  if (!(next in CATALOG)) return;
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // not remembered, still switched
  }
  document.documentElement.lang = next;
  applyTranslations(document);
  for (const listener of listeners) listener();
}

/** @param {() => void} listener called after every switch */
export function onLanguageChange(listener) {
  listeners.add(listener);
}

/**
 * The text of `key` in the current language, `{name}` placeholders filled from `params`.
 * A key missing from the catalogue shows as itself, so a mistake is visible, not blank.
 * @param {string} key
 * @param {Record<string, string | number>} [params]
 */
export function t(key, params = {}) {
  const text = CATALOG[current][key] ?? CATALOG.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => name in params ? String(params[name]) : whole);
}

/**
 * An error in the reader's language, from the server's machine-readable code; `detail` (the
 * server's own sentence, in English) is added after it when it says more than the code.
 * @param {string} code
 * @param {string} [detail]
 */
export function errorText(code, detail = "") {
  const key = `error.${code}`;
  const known = key in CATALOG.en;
  const text = known ? t(key) : t("error.unknown");
  if (!detail || code === "bad_credentials" || code === "network") return text;
  const separator = current === "zh-CN" ? "：" : ": ";
  return `${text}${separator}${detail}`;
}

/** Fills every `data-i18n*` attribute under `root` (see the module comment). */
export function applyTranslations(/** @type {ParentNode} */ root) {
  for (const node of root.querySelectorAll("[data-i18n]")) {
    node.textContent = t(/** @type {HTMLElement} */ (node).dataset.i18n ?? "");
  }
  for (const node of root.querySelectorAll("[data-i18n-placeholder]")) {
    const input = /** @type {HTMLInputElement} */ (node);
    input.placeholder = t(input.dataset.i18nPlaceholder ?? "");
  }
  for (const node of root.querySelectorAll("[data-i18n-label]")) {
    node.setAttribute("aria-label", t(/** @type {HTMLElement} */ (node).dataset.i18nLabel ?? ""));
  }
  for (const node of root.querySelectorAll("[data-i18n-title]")) {
    /** @type {HTMLElement} */ (node).title = t(
      /** @type {HTMLElement} */ (node).dataset.i18nTitle ?? "",
    );
  }
}

/**
 * The locale for dates and numbers: the browser's own when it is a variant of the chosen
 * language (en-GB keeps its 24-hour clock), else the language itself.
 */
export function locale() {
  const browser = navigator.language || "";
  const base = current === "zh-CN" ? "zh" : "en";
  return browser.toLowerCase().startsWith(base) ? browser : current;
}

/** @param {Date} a @param {Date} b */
const sameDay = (a, b) => a.toDateString() === b.toDateString();

/**
 * A message's time: the clock time today, the date and time this year, else the full date.
 * @param {number} seconds unix seconds
 */
export function formatTime(seconds) {
  const d = new Date(seconds * 1000);
  const now = new Date();
  /** @type {Intl.DateTimeFormatOptions} */
  const options = { hour: "2-digit", minute: "2-digit" };
  if (!sameDay(d, now)) {
    options.month = "short";
    options.day = "numeric";
    if (d.getFullYear() !== now.getFullYear()) options.year = "numeric";
  }
  return new Intl.DateTimeFormat(locale(), options).format(d);
}

/** Full date and time, for tooltips. @param {number} seconds */
export function formatFullTime(seconds) {
  return new Intl.DateTimeFormat(locale(), { dateStyle: "full", timeStyle: "medium" })
    .format(new Date(seconds * 1000));
}

/** The label of a date separator: today, yesterday, else the date with its weekday. */
export function formatDay(/** @type {number} */ seconds) {
  const d = new Date(seconds * 1000);
  const now = new Date();
  if (sameDay(d, now)) return t("day.today");
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (sameDay(d, yesterday)) return t("day.yesterday");
  /** @type {Intl.DateTimeFormatOptions} */
  const options = { weekday: "long", month: "long", day: "numeric" };
  if (d.getFullYear() !== now.getFullYear()) options.year = "numeric";
  return new Intl.DateTimeFormat(locale(), options).format(d);
}

/** A local calendar day's key (for grouping messages under separators). */
export function dayKey(/** @type {number} */ seconds) {
  return new Date(seconds * 1000).toDateString();
}
