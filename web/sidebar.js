/**
 * The left column: recent contacts with unread badges, and the user directory with presence.
 *
 * @module
 */
import { el, formatTime } from "./dom.js";

/**
 * @typedef {object} SidebarContext
 * @property {string} me
 * @property {Set<string>} online
 * @property {string | null} openChatid
 * @property {(chatid: string) => string} titleOf
 * @property {(chatid: string) => string | null} otherOf the other account of a 1:1 chat
 * @property {(chatid: string) => void} onOpen
 */

/**
 * Redraws the recent contacts, newest first.
 * @param {HTMLElement} list
 * @param {{chatid: string, time: number, unread: number}[]} contacts
 * @param {SidebarContext} ctx
 */
export function renderContacts(list, contacts, ctx) {
  const sorted = [...contacts].sort((a, b) => b.time - a.time);
  list.replaceChildren(
    ...sorted.map((contact) => {
      const other = ctx.otherOf(contact.chatid);
      const offline = other !== null && other !== ctx.me && !ctx.online.has(other);
      return el(
        "li",
        {},
        el(
          "button",
          {
            type: "button",
            class: itemClass(contact.chatid === ctx.openChatid, offline),
            dataset: { testid: "contact-item", chatid: contact.chatid },
            on: { click: () => ctx.onOpen(contact.chatid) },
          },
          el("span", { class: "dot", attrs: { "aria-hidden": "true" } }),
          el("span", { class: "name", text: ctx.titleOf(contact.chatid) }),
          contact.time ? el("span", { class: "when", text: formatTime(contact.time) }) : null,
          contact.unread > 0
            ? el("b", {
              class: "badge",
              text: contact.unread > 99 ? "99+" : String(contact.unread),
              dataset: { testid: "unread-badge" },
              attrs: { "aria-label": `${contact.unread} unread` },
            })
            : null,
        ),
      );
    }),
  );
  if (sorted.length === 0) {
    list.append(
      el("li", { class: "empty", text: "No conversations yet: pick someone in People." }),
    );
  }
}

/**
 * Redraws the directory, filtered by `query` (account, name or department).
 * @param {HTMLElement} list
 * @param {{accountid: string, username: string, dept: string, deptDetail: string}[]} users
 * @param {string} query
 * @param {SidebarContext & {chatWith: (accountid: string) => string}} ctx
 */
export function renderUsers(list, users, query, ctx) {
  const q = query.trim().toLowerCase();
  const shown = users.filter((u) =>
    !q || [u.accountid, u.username, u.dept, u.deptDetail].some((s) => s?.toLowerCase().includes(q))
  ).sort((a, b) =>
    Number(ctx.online.has(b.accountid)) - Number(ctx.online.has(a.accountid)) ||
    a.username.localeCompare(b.username)
  );
  list.replaceChildren(
    ...shown.map((user) =>
      el(
        "li",
        {},
        el(
          "button",
          {
            type: "button",
            class: itemClass(
              ctx.chatWith(user.accountid) === ctx.openChatid,
              !ctx.online.has(user.accountid),
            ),
            dataset: { testid: "user-item", accountid: user.accountid },
            title: user.deptDetail || user.dept || user.accountid,
            on: { click: () => ctx.onOpen(ctx.chatWith(user.accountid)) },
          },
          el("span", { class: "dot", attrs: { "aria-hidden": "true" } }),
          el(
            "span",
            { class: "name" },
            user.username || user.accountid,
            user.accountid === ctx.me ? " (you)" : null,
          ),
          el("span", { class: "dept", text: user.dept || user.accountid }),
        ),
      )
    ),
  );
  if (shown.length === 0) list.append(el("li", { class: "empty", text: "Nobody matches." }));
}

function itemClass(active, offline) {
  return `item${active ? " active" : ""}${offline ? " offline" : ""}`;
}
