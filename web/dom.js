/**
 * The only way this page builds DOM: user text always goes through `textContent` /
 * `createTextNode`, never through HTML parsing (the original had stored XSS).
 *
 * @module
 */

/**
 * Creates an element. `props` keys: `class`, `text`, `dataset` (object), `attrs` (object,
 * set with setAttribute), `on` (object of listeners); anything else is assigned as a property.
 * Children may be nodes, strings (become text nodes), or null/false (skipped).
 *
 * @param {string} tag
 * @param {Record<string, any>} [props]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "attrs") {
      for (const [name, v] of Object.entries(value)) node.setAttribute(name, String(v));
    } else if (key === "on") {
      for (const [type, listener] of Object.entries(value)) node.addEventListener(type, listener);
    } else node[key] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

/** `#id` lookup that fails loudly when the page and the script disagree. */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`index.html has no #${id}`);
  return node;
}

const pad = (n) => String(n).padStart(2, "0");

/** Unix seconds as `HH:MM` today, `MM-DD HH:MM` this year, else `YYYY-MM-DD HH:MM`. */
export function formatTime(seconds) {
  const d = new Date(seconds * 1000);
  const now = new Date();
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (d.toDateString() === now.toDateString()) return hm;
  const md = `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return d.getFullYear() === now.getFullYear() ? `${md} ${hm}` : `${d.getFullYear()}-${md} ${hm}`;
}

/** Full local date and time, for tooltips. */
export function formatFullTime(seconds) {
  return new Date(seconds * 1000).toLocaleString();
}

/** A random UUID; `crypto.randomUUID` exists only on secure origins (https or localhost). */
export function newCid() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
