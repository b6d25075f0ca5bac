// @ts-check
/**
 * Message text as text, with `http(s)` links made clickable and nothing else turned into
 * markup: the text is split into text nodes and `<a>` elements built with `textContent`, and an
 * address becomes a link only when `URL` parses it with the http: or https: scheme (so
 * `javascript:`, `data:` and the like stay text).
 *
 * @module
 */

/** An address starts at `http://` or `https://` and runs to white space or a closing quote. */
const CANDIDATE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
/** Punctuation that usually ends the sentence around a link rather than the link itself. */
const TRAILING = /[.,;:!?)\]}'"。，；：！？）】」]+$/u;

/**
 * Appends `text` to `parent` as text nodes and links.
 * @param {HTMLElement} parent
 * @param {string} text
 */
export function appendLinkified(parent, text) {
  let last = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index ?? 0;
    let address = match[0];
    const trailing = TRAILING.exec(address);
    // A link that ends in ")" keeps it when it holds the matching "(" (Wikipedia addresses).
    if (trailing && !(trailing[0] === ")" && address.includes("("))) {
      address = address.slice(0, -trailing[0].length);
    }
    const href = httpUrl(address);
    if (!href) continue;
    if (start > last) parent.append(document.createTextNode(text.slice(last, start)));
    const link = document.createElement("a");
    link.href = href;
    link.textContent = address;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    parent.append(link);
    last = start + address.length;
  }
  if (last < text.length) parent.append(document.createTextNode(text.slice(last)));
}

/** The normalised address when `text` is an http(s) URL, else null. @param {string} text */
export function httpUrl(text) {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}
