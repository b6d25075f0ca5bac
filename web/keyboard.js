// @ts-check
/**
 * Moving through the left column's lists with the keyboard alone: the arrow keys go from one
 * entry (a chat, a person, a department heading) to the next visible one, so nobody has to
 * tab through every "remove" button on the way.
 *
 * @module
 */

/** What counts as an entry of a list. */
const ENTRY = "button.item, summary";

/**
 * Focuses an entry of `list`: `step` entries from the focused one (±1), or the first or last;
 * 0 focuses the first entry.
 * @param {Element | null} list
 * @param {number | "first" | "last"} step
 */
export function moveFocusInList(list, step) {
  if (!list) return;
  // Entries inside a folded department are not rendered: offsetParent is null.
  const entries = /** @type {HTMLElement[]} */ ([...list.querySelectorAll(ENTRY)])
    .filter((node) => node.offsetParent !== null);
  if (entries.length === 0) return;
  const at = entries.indexOf(/** @type {HTMLElement} */ (document.activeElement));
  let next;
  if (step === "first" || step === 0 || at === -1) next = entries[0];
  else if (step === "last") next = entries.at(-1);
  else next = entries[Math.min(entries.length - 1, Math.max(0, at + step))];
  next?.focus();
  next?.scrollIntoView({ block: "nearest" });
}
