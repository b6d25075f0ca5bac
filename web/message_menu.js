// @ts-check
/**
 * The small menu of a message (⋯): Reply, Edit, Recall, as the reader may. One menu is open at
 * a time; a click elsewhere, Escape or a choice closes it (the focus goes back to ⋯). Labels are
 * text.
 *
 * @module
 */
import { el } from "./dom.js";

/** @typedef {{label: string, testid: string, run: () => void, danger?: boolean}} MenuItem */

/** @type {{node: HTMLElement, anchor: HTMLElement} | null} */
let open = null;

/** Closes the open menu, if any; `refocus` gives the focus back to its button. */
export function closeMenu(refocus = false) {
  if (!open) return;
  const { node, anchor } = open;
  open = null;
  node.remove();
  anchor.setAttribute("aria-expanded", "false");
  document.removeEventListener("pointerdown", onOutside, true);
  if (refocus) anchor.focus();
}

/** @param {Event} event */
function onOutside(event) {
  if (
    open && !open.node.contains(/** @type {Node} */ (event.target)) &&
    event.target !== open.anchor
  ) closeMenu();
}

/**
 * Opens the menu of `items` under `anchor` (a second click on it closes it).
 * @param {HTMLElement} anchor
 * @param {MenuItem[]} items
 */
export function openMenu(anchor, items) {
  const again = open?.anchor === anchor;
  closeMenu();
  if (again || items.length === 0) return;
  const node = el(
    "div",
    {
      class: "msg-menu",
      dataset: { testid: "message-menu" },
      attrs: { role: "menu" },
      on: {
        keydown: (/** @type {KeyboardEvent} */ event) => {
          const buttons = [...node.querySelectorAll("button")];
          const at = buttons.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement));
          if (event.key === "Escape") {
            event.preventDefault();
            closeMenu(true);
          } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
            event.preventDefault();
            const step = event.key === "ArrowDown" ? 1 : -1;
            buttons[(at + step + buttons.length) % buttons.length]?.focus();
          }
        },
      },
    },
    ...items.map((item) =>
      el("button", {
        type: "button",
        class: item.danger ? "danger" : "",
        text: item.label,
        dataset: { testid: item.testid },
        attrs: { role: "menuitem" },
        on: {
          click: () => {
            closeMenu();
            item.run();
          },
        },
      })
    ),
  );
  anchor.after(node);
  anchor.setAttribute("aria-expanded", "true");
  open = { node, anchor };
  document.addEventListener("pointerdown", onOutside, true);
  /** @type {HTMLElement | null} */ (node.querySelector("button"))?.focus();
}
