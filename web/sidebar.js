// @ts-check
/**
 * The left column's lists: recent chats (newest first, with the last message, the unread
 * badge, presence and a button to remove the chat from the list) and search results (chats
 * and people). The organisation tree is in org_tree.js and draws people with {@link userItem}.
 *
 * @module
 */
import { avatar } from "./avatar.js";
import { el, updateChildren } from "./dom.js";
import { formatFullTime, formatTime, t } from "./i18n.js";

/**
 * @typedef {{accountid: string, username: string, dept: string, deptDetail: string,
 *   email: string, tel: string, mobile: string}} User
 * @typedef {{chatid: string, time: number, unread: number, title: string, mentions?: number}} Contact
 */

/**
 * @typedef {object} SidebarContext
 * @property {string} me
 * @property {Set<string>} online
 * @property {boolean} presenceKnown false while this page is offline: nobody shows as online
 * @property {string | null} openChatid
 * @property {(chatid: string) => string} titleOf
 * @property {(chatid: string) => string | null} otherOf the other account of a 1:1 chat
 * @property {(chatid: string) => {text: string, mine: boolean} | null} previewOf
 * @property {(accountid: string) => string} chatWith the 1:1 chat id with someone
 * @property {(chatid: string) => void} onOpen
 * @property {(chatid: string) => void} onRemove
 * @property {(chatid: string) => boolean} isMuted a group the reader muted
 */

/**
 * "online", "offline" or "unknown" for a person.
 * @param {{online: Set<string>, presenceKnown: boolean}} ctx
 * @param {string} accountid
 */
export function presenceOf(ctx, accountid) {
  if (!ctx.presenceKnown) return "unknown";
  return ctx.online.has(accountid) ? "online" : "offline";
}

/**
 * An avatar with a presence dot (none for groups).
 * @param {string} accountid
 * @param {string} name
 * @param {string | null} presence
 */
export function avatarWithPresence(accountid, name, presence) {
  return el(
    "span",
    { class: `avatar-wrap${presence ? ` presence-${presence}` : ""}` },
    avatar(accountid, name),
    presence ? el("span", { class: "dot", attrs: { "aria-hidden": "true" } }) : null,
  );
}

/**
 * Redraws the recent chats, newest first.
 * @param {HTMLElement} list
 * @param {Contact[]} contacts
 * @param {SidebarContext} ctx
 */
export function renderContacts(list, contacts, ctx) {
  const sorted = [...contacts].sort((a, b) => b.time - a.time);
  const rows = sorted.map((contact) => contactRow(contact, ctx, "contact"));
  if (rows.length === 0) rows.push(el("li", { class: "empty", text: t("recent.empty") }));
  updateChildren(list, rows);
}

/**
 * One chat in a list: `kind` names its test ids (`contact-item`, `search-chat-item`).
 * @param {Contact} contact
 * @param {SidebarContext} ctx
 * @param {string} kind
 */
function contactRow(contact, ctx, kind) {
  const chatid = contact.chatid;
  const other = ctx.otherOf(chatid);
  const title = ctx.titleOf(chatid);
  const presence = other && other !== ctx.me ? presenceOf(ctx, other) : null;
  const preview = ctx.previewOf(chatid);
  const muted = ctx.isMuted(chatid);
  const unread = contact.unread > 0
    ? el("b", {
      class: `badge${muted && !contact.mentions ? " muted" : ""}`,
      text: contact.unread > 99 ? "99+" : String(contact.unread),
      dataset: { testid: "unread-badge" },
      attrs: { "aria-label": t("tab.unread", { count: contact.unread }) },
    })
    : null;
  return el(
    "li",
    { class: "row" },
    el(
      "button",
      {
        type: "button",
        class: itemClass(chatid === ctx.openChatid, presence),
        dataset: { testid: `${kind}-item`, chatid, focusKey: `${kind}:${chatid}` },
        on: { click: () => ctx.onOpen(chatid) },
      },
      avatarWithPresence(other ?? chatid, title, presence),
      el(
        "span",
        { class: "name" },
        el("span", { class: "name-text", text: title }),
        muted
          ? el("span", {
            class: "muted-icon",
            text: "🔕",
            title: t("group.muted"),
            dataset: { testid: "muted-icon" },
          })
          : null,
      ),
      contact.time
        ? el("time", {
          class: "when",
          text: formatTime(contact.time),
          title: formatFullTime(contact.time),
        })
        : el("span", { class: "when" }),
      el(
        "span",
        { class: "preview", dataset: { testid: "contact-preview" } },
        contact.mentions
          ? el("span", {
            class: "mention-flag",
            text: t("recent.mentioned"),
            dataset: { testid: "mention-badge" },
          })
          : null,
        preview ? (preview.mine ? t("recent.you") : "") + preview.text : "",
      ),
      unread ?? el("span"),
    ),
    kind === "contact"
      ? el("button", {
        type: "button",
        class: "remove",
        text: "×",
        title: t("recent.remove"),
        dataset: { testid: "contact-remove", chatid },
        attrs: { "aria-label": t("recent.removeNamed", { name: title }) },
        on: { click: () => ctx.onRemove(chatid) },
      })
      : null,
  );
}

/**
 * A person in the tree or in search results; opens the 1:1 chat.
 * @param {User} user
 * @param {SidebarContext} ctx
 * @param {string} kind test id prefix (`user`, `search-user`)
 */
export function userItem(user, ctx, kind) {
  const presence = user.accountid === ctx.me ? null : presenceOf(ctx, user.accountid);
  const chatid = ctx.chatWith(user.accountid);
  const name = user.username || user.accountid;
  return el(
    "li",
    { class: "row" },
    el(
      "button",
      {
        type: "button",
        class: itemClass(chatid === ctx.openChatid, presence),
        dataset: {
          testid: `${kind}-item`,
          accountid: user.accountid,
          presence: presence ?? "self",
          focusKey: `${kind}:${user.accountid}`,
        },
        title: [user.accountid, user.deptDetail || user.dept].filter(Boolean).join(" · "),
        on: { click: () => ctx.onOpen(chatid) },
      },
      avatarWithPresence(user.accountid, name, presence),
      el(
        "span",
        { class: "name" },
        name,
        user.accountid === ctx.me ? t("who.youSuffix") : null,
      ),
      el("span", { class: "when" }),
      el("span", { class: "preview", text: user.dept || user.accountid }),
    ),
  );
}

/**
 * The search results: chats whose title or id matches, then the people the server found.
 * @param {HTMLElement} box
 * @param {string} query
 * @param {Contact[]} contacts
 * @param {User[] | null} people null while the server is asked
 * @param {SidebarContext} ctx
 */
export function renderSearchResults(box, query, contacts, people, ctx) {
  const q = query.trim().toLowerCase();
  const chats = contacts
    .filter((c) =>
      ctx.titleOf(c.chatid).toLowerCase().includes(q) || c.chatid.toLowerCase().includes(q)
    )
    .sort((a, b) => b.time - a.time);
  /** @type {HTMLElement[]} */
  const parts = [];
  if (chats.length) {
    parts.push(
      el("h3", { text: t("search.chats") }),
      el(
        "ul",
        { class: "list-part", dataset: { testid: "search-chats" } },
        ...chats.map((c) => contactRow(c, ctx, "search-chat")),
      ),
    );
  }
  if (people === null) {
    parts.push(el("p", { class: "empty", text: t("search.searching") }));
  } else if (people.length) {
    parts.push(
      el("h3", { text: t("search.people") }),
      el(
        "ul",
        { class: "list-part", dataset: { testid: "search-people" } },
        ...people.map((u) => userItem(u, ctx, "search-user")),
      ),
    );
  }
  if (people !== null && !chats.length && !people.length) {
    parts.push(el("p", { class: "empty", text: t("search.nothing") }));
  }
  box.replaceChildren(...parts);
}

/** @param {boolean} active @param {string | null} presence */
function itemClass(active, presence) {
  return `item${active ? " active" : ""}${presence === "offline" ? " offline" : ""}`;
}
