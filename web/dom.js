// @ts-check
/**
 * The only way this page builds DOM: user text always goes through `textContent` /
 * `createTextNode`, never through HTML parsing (the original had stored XSS).
 *
 * @module
 */

/** @typedef {Node | string | null | undefined | false} Child */

/**
 * Creates an element. `props` keys: `class`, `text`, `dataset` (object), `attrs` (object,
 * set with setAttribute), `on` (object of listeners); anything else is assigned as a property.
 * Children may be nodes, strings (become text nodes), or null/false (skipped).
 *
 * @param {string} tag
 * @param {Record<string, any>} [props]
 * @param {...Child} children
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
    } else Reflect.set(node, key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

/**
 * `#id` lookup that fails loudly when the page and the script disagree.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`index.html has no #${id}`);
  return node;
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

/**
 * Makes `parent`'s children `next`, keeping each old child that is equal (`isEqualNode`) to
 * the new one at its place: a redraw that changes nothing there leaves the node under the
 * reader's pointer alone, so a click in progress is not lost.
 * @param {HTMLElement} parent
 * @param {Element[]} next
 */
export function updateChildren(parent, next) {
  for (let i = 0; i < next.length; i++) {
    const old = parent.children[i];
    if (!old) parent.append(next[i]);
    else if (!old.isEqualNode(next[i])) old.replaceWith(next[i]);
  }
  while (parent.children.length > next.length) parent.lastElementChild?.remove();
}
