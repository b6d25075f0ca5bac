// @ts-check
/**
 * Avatars without pictures: a person's initials on a colour derived from the account, so the
 * same person has the same colour on every screen and in every session.
 *
 * @module
 */
import { el } from "./dom.js";

/**
 * The hue (0–359) of an account: FNV-1a over its UTF-16 code units, which spreads similar
 * names (alice, alicia) far apart.
 * @param {string} accountid
 */
export function accountHue(accountid) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < accountid.length; i++) {
    hash ^= accountid.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 360;
}

/**
 * Up to two letters for a name: the first letters of its first two words, or for a name
 * without spaces (Chinese names, accounts) its first one or two characters.
 * @param {string} name
 */
export function initials(name) {
  // Letters and digits only: a name written with markup or punctuation still gets letters.
  const words = name.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  if (words.length === 0) return "?";
  const chars = (/** @type {string} */ s) => [...s];
  if (words.length > 1) return (chars(words[0])[0] + chars(words[1])[0]).toUpperCase();
  const letters = chars(words[0]);
  // One CJK character reads as a whole name part; Latin gets two letters.
  return /\p{Script=Han}/u.test(letters[0])
    ? letters.slice(-2).join("")
    : letters.slice(0, 2).join("").toUpperCase();
}

/**
 * The avatar of `accountid` labelled with `name` (text only: the name never becomes markup).
 * @param {string} accountid
 * @param {string} name
 * @param {string} [extraClass]
 */
export function avatar(accountid, name, extraClass = "") {
  const node = el("span", {
    class: `avatar ${extraClass}`.trim(),
    text: initials(name || accountid),
    attrs: { "aria-hidden": "true" },
    dataset: { account: accountid },
  });
  node.style.setProperty("--avatar-hue", String(accountHue(accountid)));
  return node;
}
