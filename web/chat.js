/// <reference no-default-lib="true" />
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="esnext" />
// @ts-check
/**
 * The chat page: the one WebSocket, the left column and the open conversation, wired together.
 * Plain ES modules, no build step, type-checked by `deno check` (JSDoc types); every piece of
 * user text reaches the DOM as text (dom.js).
 *
 * @module
 */
import { api, chatPath, get, setUnauthorizedHandler } from "./api.js";
import { Attachments } from "./attachments.js";
import { avatar } from "./avatar.js";
import { BroadcastPanel } from "./broadcasts.js";
import { ChatCache } from "./chat_history.js";
import { ChatView } from "./chat_view.js";
import { Composer } from "./composer.js";
import { byId, el } from "./dom.js";
import {
  applyTranslations,
  errorText,
  language,
  onLanguageChange,
  setLanguage,
  t,
} from "./i18n.js";
import { LANGUAGES } from "./i18n_catalog.js";
import { GroupPanel } from "./group_panel.js";
import { GroupBook, isGroupId } from "./groups.js";
import { HistoryDialog } from "./history_dialog.js";
import { moveFocusInList } from "./keyboard.js";
import { LoginForm } from "./login.js";
import { MemberPicker } from "./member_picker.js";
import { MentionCompleter } from "./mentions.js";
import { messagePreview } from "./message_body.js";
import { Notifier } from "./notifier.js";
import { OrgTree } from "./org_tree.js";
import { Outbox } from "./outbox.js";
import { presenceOf, renderContacts, renderSearchResults } from "./sidebar.js";
import { ChatSocket, CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED } from "./socket.js";

/** @typedef {import("./chat_history.js").Say} Say */
/** @typedef {import("./sidebar.js").User} User */
/** @typedef {import("./sidebar.js").Contact} Contact */
/** @typedef {import("./outbox.js").OutboxEntry} OutboxEntry */

/** The server's default `limits.messageChars`; a lower server limit is answered per message. */
const MAX_CHARS = 5000;
/** Recent chats whose newest page is fetched at login (previews; opening them costs nothing). */
const PREFETCH_CHATS = 20;
const PREFETCH_PARALLEL = 3;
/** `unavailable` answers resent automatically before a message shows as failed. */
const UNAVAILABLE_RETRIES = 3;
const SEARCH_DELAY_MS = 200;

const state = {
  /** @type {User | null} */
  me: null,
  /** @type {Map<string, User>} */
  users: new Map(),
  /** @type {Set<string>} */
  online: new Set(),
  /** False while this page has no live socket: others' presence is then unknown. */
  presenceKnown: false,
  /** @type {Map<string, Contact>} */
  contacts: new Map(),
  /** @type {ChatSocket | null} */
  socket: null,
  /** @type {ChatView | null} */
  view: null,
  outbox: new Outbox(),
  cache: new ChatCache((chatid, params) => get(chatPath(chatid, "messages"), params)),
  /** @type {"recent" | "org"} */
  tab: "recent",
  /** @type {User[] | null} people found by the server for the search box; null while asked */
  found: null,
  searchSeq: 0,
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  searchTimer: undefined,
  /** No `say` goes out before this time (the server answered `rate_limited`). */
  holdUntil: 0,
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  resendTimer: undefined,
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  readTimer: undefined,
  renderQueued: false,
  /** @type {() => string} the connection line, redrawn on a language switch */
  connText: () => "",
};

const $ = {
  chatView: byId("chat-view"),
  meAvatar: byId("me-avatar"),
  meName: byId("me-name"),
  conn: byId("conn-status"),
  reconnect: byId("reconnect"),
  lang: /** @type {HTMLSelectElement} */ (byId("lang")),
  loginLang: /** @type {HTMLSelectElement} */ (byId("login-lang")),
  search: /** @type {HTMLInputElement} */ (byId("search")),
  tabRecent: byId("tab-recent"),
  tabOrg: byId("tab-org"),
  totalUnread: byId("total-unread"),
  contactList: byId("contact-list"),
  orgList: byId("org-tree"),
  results: byId("search-results"),
  notice: byId("notice"),
  home: byId("home"),
  chat: byId("chat"),
  back: byId("back"),
  chatAvatar: byId("chat-avatar"),
  chatTitle: byId("chat-title"),
  chatSubtitle: byId("chat-subtitle"),
  chatDetails: byId("chat-details"),
  log: byId("chat-log"),
  messageList: byId("message-list"),
  outboxList: byId("outbox-list"),
  older: /** @type {HTMLButtonElement} */ (byId("load-older")),
  historyStart: byId("history-start"),
  chatMute: byId("chat-mute"),
  chatMembers: byId("chat-members"),
  chatNewGroup: byId("chat-new-group"),
  broadcastUnread: byId("broadcast-unread"),
  composerInput: /** @type {HTMLTextAreaElement} */ (byId("composer-input")),
};

const login = new LoginForm(enter);
const orgTree = new OrgTree($.orgList);
const notifier = new Notifier(
  baseTitle,
  (chatid) => chatid ? openChat(chatid) : broadcasts.open(),
);
const composer = new Composer(
  {
    form: /** @type {HTMLFormElement} */ (byId("composer")),
    input: /** @type {HTMLTextAreaElement} */ (byId("composer-input")),
    error: byId("composer-error"),
    counter: byId("composer-count"),
    sendKey: /** @type {HTMLSelectElement} */ (byId("send-key")),
    emojiButton: /** @type {HTMLButtonElement} */ (byId("emoji-button")),
    emojiPanel: byId("emoji-panel"),
  },
  MAX_CHARS,
  send,
);
/** The notice line's text, redrawn on a language switch. @type {() => string} */
let noticeText = () => "";

const groups = new GroupBook((frame) => state.socket?.send(frame) ?? false, () => {
  scheduleRender();
  if (state.view) showChatHeader(state.view.chatid);
  groupPanel.render();
});
const picker = new MemberPicker(/** @type {HTMLDialogElement} */ (byId("picker-dialog")));
const allUsers = () => [...state.users.values()].filter((u) => u.accountid !== state.me?.accountid);
const groupPanel = new GroupPanel(/** @type {HTMLDialogElement} */ (byId("group-dialog")), {
  get me() {
    return state.me?.accountid ?? "";
  },
  groups,
  picker,
  users: allUsers,
  nameOf,
});
const broadcasts = new BroadcastPanel(
  /** @type {HTMLDialogElement} */ (byId("broadcast-dialog")),
  byId("broadcast-popup"),
  {
    picker,
    users: allUsers,
    nameOf,
    send: (frame) => state.socket?.send(frame) ?? false,
    onCount: showBroadcastCount,
  },
);
const historyDialog = new HistoryDialog(
  /** @type {HTMLDialogElement} */ (byId("history-dialog")),
  nameOf,
);
const attachments = new Attachments(
  {
    chat: byId("chat"),
    input: $.composerInput,
    pictureButton: byId("picture-button"),
    attachButton: byId("attach-button"),
    pictureInput: /** @type {HTMLInputElement} */ (byId("picture-input")),
    attachInput: /** @type {HTMLInputElement} */ (byId("attach-input")),
    note: byId("composer-note"),
    uploadList: byId("upload-list"),
    pictureAreas: [$.log, byId("history-dialog")],
    imageDialog: /** @type {HTMLDialogElement} */ (byId("image-dialog")),
    imageHolder: byId("image-holder"),
    imageDownload: /** @type {HTMLAnchorElement} */ (byId("image-download")),
    imageClose: byId("image-close"),
  },
  () => state.view?.chatid ?? null,
  (chatid, msgType, file) => {
    transmit(state.outbox.add(chatid, "", msgType, file));
    if (state.view?.chatid === chatid) state.view.scrollToBottom();
  },
);
new MentionCompleter($.composerInput, byId("mention-list"), mentionCandidates, () => {});

// ---------------------------------------------------------------- session

async function boot() {
  document.documentElement.lang = language();
  applyTranslations(document);
  wire();
  try {
    const { user } = await api("GET", "/api/me");
    enter(user);
  } catch (error) {
    const { status, code } = /** @type {import("./api.js").ApiError} */ (error);
    login.show(status === 401 ? () => "" : () => errorText(code), code);
  }
}

/** @param {User} user */
function enter(user) {
  state.me = user;
  state.online = new Set([user.accountid]);
  $.chatView.hidden = false;
  showMe();
  state.socket = new ChatSocket(user.accountid, { onFrame, onState: showConnection, shouldRetry });
  state.socket.start();
  loadUsers();
  scheduleRender();
}

/** Back to the login form; `message` says why when it was not the reader's choice. */
function leave(message = () => "") {
  state.socket?.stop();
  state.socket = null;
  state.me = null;
  state.users.clear();
  state.contacts.clear();
  state.outbox.clear();
  state.cache.clear();
  groups.clear();
  for (const dialog of document.querySelectorAll("dialog[open]")) {
    /** @type {HTMLDialogElement} */ (dialog).close();
  }
  closeChat();
  $.chatView.hidden = true;
  showNotice(() => "");
  notifier.seen();
  login.show(message, message() ? "unauthorized" : "");
}

async function logout() {
  try {
    await api("POST", "/api/logout");
  } catch {
    // The session is gone either way for this page.
  }
  leave();
}

async function loadUsers() {
  try {
    const { users } = await get("/api/users", { limit: 5000 });
    state.users = new Map(users.map((/** @type {User} */ u) => [u.accountid, u]));
    showMe();
    scheduleRender();
    if (state.view) showChatHeader(state.view.chatid);
  } catch (error) {
    const { status, code, message } = /** @type {import("./api.js").ApiError} */ (error);
    if (status !== 401) {
      showNotice(() => t("notice.directory", { reason: errorText(code, message) }));
    }
  }
}

function showMe() {
  const me = state.me;
  if (!me) return;
  const name = state.users.get(me.accountid)?.username || me.username || me.accountid;
  $.meName.textContent = name;
  $.meName.title = me.accountid;
  $.meAvatar.replaceChildren(avatar(me.accountid, name));
}

// ---------------------------------------------------------------- socket

/**
 * @param {"connecting" | "online" | "waiting" | "stopped"} status
 * @param {number} [delay]
 */
function showConnection(status, delay) {
  state.connText = () =>
    status === "waiting"
      ? t("conn.waiting", { seconds: Math.ceil((delay ?? 0) / 1000) })
      : t(`conn.${status}`);
  $.conn.textContent = state.connText();
  $.conn.dataset.state = status;
  $.reconnect.hidden = status !== "waiting";
  // Without a socket the page hears no login/logout: what it knew of others is stale.
  const known = status === "online";
  if (!known) {
    groups.dropWaiting();
    // What was on the old socket goes again, in order, on the next one (same cids).
    for (const entry of state.outbox.unsent()) entry.onWire = false;
  }
  if (known !== state.presenceKnown) {
    state.presenceKnown = known;
    scheduleRender();
    if (state.view) showChatHeader(state.view.chatid);
  }
}

/**
 * Decides after an unexpected close whether to reconnect.
 * @param {number} code
 * @param {boolean} wasReady
 */
async function shouldRetry(code, wasReady) {
  if (code === CLOSE_FORBIDDEN) {
    showNotice(() => t("notice.refused"));
    return false;
  }
  if (code === CLOSE_UNAUTHENTICATED || !wasReady) {
    // A refused upgrade looks like any other failure to the page: ask whether the session lives.
    try {
      await api("GET", "/api/me");
    } catch (error) {
      if (/** @type {import("./api.js").ApiError} */ (error).status === 401) {
        leave(() => t("session.ended"));
        return false;
      }
    }
  }
  return true;
}

/** @param {any} frame */
function onFrame(frame) {
  switch (frame.type) {
    case "init":
      return onInit(frame);
    case "say":
      return onSay(frame);
    case "ack":
      if (broadcasts.owns(frame.cid)) return broadcasts.onAck();
      return settle(frame.cid, frame);
    case "error":
      return onError(frame);
    case "login":
    case "logout":
      if (frame.type === "login") state.online.add(frame.clientName);
      else state.online.delete(frame.clientName);
      scheduleRender();
      if (state.view) showChatHeader(state.view.chatid);
      return;
    case "read":
      return clearUnread(frame.chatid);
    case "groupset":
      return onGroupset(frame);
    case "systemNotice":
      groups.onNotice(frame, state.me?.accountid ?? "");
      if (frame.action === "grouptitle") {
        const contact = state.contacts.get(frame.chatid);
        if (contact) contact.title = String(frame.title ?? "");
      }
      return;
    case "broadcast":
      broadcasts.onBroadcast(frame);
      notifier.notify({
        chatid: "",
        from: nameOf(frame.fromuser),
        title: t("broadcast.popup", { name: nameOf(frame.fromuser) }),
        text: frame.title || frame.content,
      });
      return;
  }
}

/**
 * A group was created or its members changed: it shows in the list at once (new members learn
 * of it here), and a removed reader's composer closes.
 * @param {any} frame
 */
function onGroupset(frame) {
  const inside = groups.onGroupset(frame, state.me?.accountid ?? "");
  const contact = touchContact(frame.chatid, inside ? Number(frame.time) || 0 : 0);
  contact.title = String(frame.title ?? "");
  if (state.view?.chatid === frame.chatid) showChatHeader(frame.chatid);
  // A new group has no message to fetch yet: its history starts with the server's line.
  state.cache.get(frame.chatid).catchUp();
  scheduleRender();
}

/** The first frame of every (re)connection: the whole state again. @param {any} init */
function onInit(init) {
  state.me = init.user;
  state.online = new Set(init.online);
  state.contacts = new Map(
    init.contacts.map((/** @type {Contact} */ c) => [
      c.chatid,
      {
        ...c,
        unread: init.unread?.[c.chatid] ?? c.unread,
        mentions: Number(init.mentions?.[c.chatid]) || 0,
      },
    ]),
  );
  for (const c of init.contacts) if (isGroupId(c.chatid)) groups.knowTitle(c.chatid, c.title);
  groups.muted = new Set(Array.isArray(init.muted) ? init.muted : []);
  broadcasts.allowed = init.mayBroadcast !== false;
  broadcasts.setUnread(init.broadcastUnread);
  for (const [chatid, unread] of Object.entries(init.unread ?? {})) {
    if (!state.contacts.has(chatid)) {
      state.contacts.set(chatid, { chatid, time: 0, unread: Number(unread), title: "" });
    }
  }
  // Offline messages are already in the unread counts.
  for (const frame of init.offline ?? []) {
    state.cache.get(frame.chatid).addLive(frame);
    touchContact(frame.chatid, frame.time);
  }
  for (const entry of state.outbox.unsent()) transmit(entry);
  // The open chat and the recent ones catch up from their last seq at once (one request each,
  // however many chats the page holds); any other held chat asks when it is opened again.
  for (const history of state.cache.all()) {
    if (history.open || state.contacts.has(history.chatid)) history.catchUp();
    else history.markStale();
  }
  prefetch([...state.contacts.values()].sort((a, b) => b.time - a.time).slice(0, PREFETCH_CHATS));
  const view = state.view;
  if (view) {
    if (!document.hidden && unreadOf(view.chatid) > 0) markRead(view.chatid);
    // Members may have changed while the page was away.
    if (isGroupId(view.chatid)) groups.load(view.chatid, true);
    showChatHeader(view.chatid);
  }
  scheduleRender();
}

/** Fetches the newest page of chats not held yet, a few at a time. @param {Contact[]} contacts */
async function prefetch(contacts) {
  const queue = contacts.map((c) => state.cache.get(c.chatid)).filter((h) => !h.loaded);
  const worker = async () => {
    for (let history = queue.shift(); history; history = queue.shift()) {
      try {
        await history.loadNewest();
        scheduleRender();
      } catch {
        // Opening the chat asks again and says what failed.
      }
    }
  };
  await Promise.all(Array.from({ length: PREFETCH_PARALLEL }, worker));
}

/** @param {Say} frame */
function onSay(frame) {
  const me = state.me?.accountid;
  const mine = frame.fromuser === me;
  if (mine && frame.cid) settle(frame.cid, frame);
  const added = state.cache.get(frame.chatid).addLive(frame);
  const contact = touchContact(frame.chatid, frame.time);
  // The server's own lines in a group count for nobody.
  if (!mine && added && frame.msgType !== "system") {
    const open = state.view?.chatid === frame.chatid;
    if (open && !document.hidden) scheduleRead(frame.chatid, frame.seq);
    else {
      contact.unread++;
      if (frame.mention) contact.mentions = (contact.mentions ?? 0) + 1;
    }
    // A muted group stays quiet unless it names the reader.
    if (groups.muted.has(frame.chatid) && !frame.mention) {
      scheduleRender();
      return;
    }
    notifier.notify({
      chatid: frame.chatid,
      from: nameOf(frame.fromuser),
      // In a group: who, and where ("Bob in Launch team:").
      title: isGroupId(frame.chatid)
        ? t("notify.inGroup", { name: nameOf(frame.fromuser), group: titleOf(frame.chatid) })
        : undefined,
      text: messagePreview(frame),
    });
  }
  scheduleRender();
}

/**
 * An `ack` (or the sender's own `say`) for an outbox entry: it is now a real message.
 * @param {string} cid
 * @param {any} frame
 */
function settle(cid, frame) {
  const entry = state.outbox.take(cid);
  if (!entry || !state.me) return;
  sendNext(entry.chatid);
  if (state.view?.chatid === entry.chatid) state.view.removePending(cid);
  state.cache.get(entry.chatid).add([{
    type: "say",
    chatid: entry.chatid,
    fromuser: state.me.accountid,
    message: entry.content,
    msgType: entry.msgType,
    file: entry.file ?? undefined,
    time: frame.time,
    mid: frame.mid,
    seq: frame.seq,
    cid,
  }]);
  touchContact(entry.chatid, frame.time);
  scheduleRender();
}

/** @param {{info: string, msg: string, cid?: string, retryAfterMs?: number}} frame */
function onError(frame) {
  if (frame.cid && broadcasts.owns(frame.cid)) return broadcasts.onError(frame);
  // A group frame carries no cid: the oldest one waiting gets the answer.
  if (!frame.cid && groups.onError(frame)) return;
  const entry = frame.cid ? state.outbox.get(frame.cid) : null;
  if (!entry) {
    showNotice(() => errorText(frame.info, frame.msg));
    return;
  }
  if (frame.info === "rate_limited") {
    // Too fast: everything waiting goes out again, in order, with the same cids, after the wait.
    hold(Math.max(100, Number(frame.retryAfterMs) || 1000));
    transmit(entry);
    return;
  }
  if (frame.info === "unavailable" && entry.retries < UNAVAILABLE_RETRIES) {
    entry.retries++;
    hold(1000 * 2 ** entry.retries);
    transmit(entry);
    return;
  }
  entry.state = "failed";
  entry.onWire = false;
  entry.reason = errorText(frame.info, frame.msg);
  showPending(entry);
  sendNext(entry.chatid);
}

/** No `say` goes out for `ms`; then every waiting entry is sent again. @param {number} ms */
function hold(ms) {
  state.holdUntil = Math.max(state.holdUntil, Date.now() + ms);
  clearTimeout(state.resendTimer);
  state.resendTimer = setTimeout(() => {
    for (const entry of state.outbox.unsent()) if (entry.state === "waiting") transmit(entry);
  }, state.holdUntil - Date.now());
}

/**
 * Sends an outbox entry now if it may go, else marks it waiting or queued. One message of a
 * chat is on the wire at a time (the first one not refused): the server gives a chat's
 * messages their `seq` in the order they reach it, and a message held back by `rate_limited`
 * must not be overtaken by the next one, which the refilled budget would let through.
 * @param {OutboxEntry} entry
 */
function transmit(entry) {
  const wait = state.holdUntil - Date.now();
  const first = state.outbox.forChat(entry.chatid)
    .find((e) => e === entry || e.state !== "failed");
  entry.onWire = false;
  if (wait > 0) {
    entry.state = "waiting";
    entry.waitMs = wait;
  } else if (first !== entry) {
    // Goes once the one before it is answered (sendNext), or with it after a reconnect.
    entry.state = state.socket?.ready ? "sending" : "queued";
  } else {
    const sent = state.socket?.send({
      type: "say",
      chatid: entry.chatid,
      content: entry.content,
      msgType: entry.msgType,
      cid: entry.cid,
      ...(entry.file ? { fileId: entry.file.id } : {}),
    });
    entry.state = sent ? "sending" : "queued";
    entry.onWire = !!sent;
  }
  entry.reason = "";
  showPending(entry);
}

/** The chat's next message goes out once the one before it was answered. @param {string} chatid */
function sendNext(chatid) {
  const first = state.outbox.forChat(chatid).find((e) => e.state !== "failed");
  if (first && !first.onWire && first.state === "sending") transmit(first);
}

/** @param {OutboxEntry} entry */
function showPending(entry) {
  if (state.view?.chatid === entry.chatid) state.view.renderPending(entry);
}

// ---------------------------------------------------------------- contacts and unread

/** The contact of a chat, created when missing, moved up to `time`. @param {string} chatid @param {number} time */
function touchContact(chatid, time) {
  let contact = state.contacts.get(chatid);
  if (!contact) {
    contact = { chatid, time, unread: 0, title: "" };
    state.contacts.set(chatid, contact);
  }
  contact.time = Math.max(contact.time, time);
  return contact;
}

/** @param {string} chatid */
function unreadOf(chatid) {
  return state.contacts.get(chatid)?.unread ?? 0;
}

/** @param {string} chatid */
function clearUnread(chatid) {
  const contact = state.contacts.get(chatid);
  if (contact && (contact.unread || contact.mentions)) {
    contact.unread = 0;
    contact.mentions = 0;
    scheduleRender();
  }
}

/** Marks a chat read on the server (HTTP: works while the socket reconnects). @param {string} chatid */
function markRead(chatid) {
  clearUnread(chatid);
  api("POST", chatPath(chatid, "read")).catch(() => {});
}

/**
 * Marks live messages of the open chat read, a moment later: the server counts a message
 * unread only after fanning it out, so an instant `read` could land before that count.
 * @param {string} chatid
 * @param {number} seq
 */
function scheduleRead(chatid, seq) {
  clearTimeout(state.readTimer);
  state.readTimer = setTimeout(() => {
    clearUnread(chatid);
    if (!state.socket?.send({ type: "read", chatid, seq })) markRead(chatid);
  }, 800);
}

/** Takes a chat off the recent list (it comes back with its next message). @param {string} chatid */
async function removeContact(chatid) {
  try {
    await api("DELETE", `/api/contacts/${encodeURIComponent(chatid)}`);
    state.contacts.delete(chatid);
    scheduleRender();
    $.contactList.querySelector("button.item")?.closest("li")?.querySelector("button")?.focus();
  } catch (error) {
    const { code, message } = /** @type {import("./api.js").ApiError} */ (error);
    showNotice(() => t("notice.remove", { reason: errorText(code, message) }));
  }
}

/** The other account of a one-to-one chat (yourself for notes to self), else null. @param {string} chatid */
function otherOf(chatid) {
  const match = /^([A-Za-z0-9_.]+)--([A-Za-z0-9_.]+)$/.exec(chatid);
  if (!match) return null;
  return match[1] === state.me?.accountid ? match[2] : match[1];
}

/** @param {string} accountid */
function nameOf(accountid) {
  return state.users.get(accountid)?.username || accountid;
}

/** @param {string} chatid */
function titleOf(chatid) {
  const other = otherOf(chatid);
  if (other) return other === state.me?.accountid ? t("chat.self") : nameOf(other);
  return groups.get(chatid)?.title || state.contacts.get(chatid)?.title || chatid;
}

/** The one-to-one chat id: both accounts in byte order, joined by `--`. @param {string} accountid */
function chatWith(accountid) {
  const me = state.me?.accountid ?? "";
  return me < accountid ? `${me}--${accountid}` : `${accountid}--${me}`;
}

/** @param {string} chatid */
function previewOf(chatid) {
  const last = state.cache.peek(chatid)?.last;
  return last ? { text: messagePreview(last), mine: last.fromuser === state.me?.accountid } : null;
}

function baseTitle() {
  const total = [...state.contacts.values()].reduce((sum, c) => sum + c.unread, 0);
  return total ? `(${total}) ${t("app.name")}` : t("app.name");
}

/** Redraws the left column once per frame however many events asked for it. */
function scheduleRender() {
  if (state.renderQueued) return;
  state.renderQueued = true;
  requestAnimationFrame(() => {
    state.renderQueued = false;
    if (!state.me) return;
    // Redrawing replaces the focused button: give the focus to its successor.
    const focused = /** @type {HTMLElement | null} */ (document.activeElement)?.dataset?.focusKey;
    /** @type {import("./sidebar.js").SidebarContext} */
    const ctx = {
      me: state.me.accountid,
      online: state.online,
      presenceKnown: state.presenceKnown,
      openChatid: state.view?.chatid ?? null,
      titleOf,
      otherOf,
      previewOf,
      chatWith,
      onOpen: openChat,
      onRemove: removeContact,
      isMuted: (chatid) => groups.muted.has(chatid),
    };
    const contacts = [...state.contacts.values()];
    const query = $.search.value.trim();
    if (query) renderSearchResults($.results, query, contacts, state.found, ctx);
    else if (state.tab === "recent") renderContacts($.contactList, contacts, ctx);
    else orgTree.render([...state.users.values()], ctx);
    if (focused) {
      /** @type {HTMLElement | null} */ (document.querySelector(
        `.side [data-focus-key="${CSS.escape(focused)}"]`,
      ))?.focus();
    }
    const total = contacts.reduce((sum, c) => sum + c.unread, 0);
    $.totalUnread.hidden = total === 0;
    $.totalUnread.textContent = total > 99 ? "99+" : String(total);
    notifier.refreshTitle();
  });
}

/** @param {"recent" | "org"} tab */
function showTab(tab) {
  state.tab = tab;
  const searching = $.search.value.trim() !== "";
  $.contactList.hidden = searching || tab !== "recent";
  $.orgList.hidden = searching || tab !== "org";
  $.results.hidden = !searching;
  $.tabRecent.setAttribute("aria-selected", String(tab === "recent"));
  $.tabOrg.setAttribute("aria-selected", String(tab === "org"));
  scheduleRender();
}

/** Searches chats at once and people on the server, a moment after the last key press. */
function onSearchInput() {
  const query = $.search.value.trim();
  clearTimeout(state.searchTimer);
  state.found = null;
  showTab(state.tab);
  if (!query) return;
  const seq = ++state.searchSeq;
  state.searchTimer = setTimeout(async () => {
    try {
      const { users } = await get("/api/users", { q: query.slice(0, 100), limit: 50 });
      if (seq === state.searchSeq) state.found = users;
    } catch (error) {
      if (seq !== state.searchSeq) return;
      state.found = [];
      const { code, message } = /** @type {import("./api.js").ApiError} */ (error);
      showNotice(() => t("notice.search", { reason: errorText(code, message) }));
    }
    scheduleRender();
  }, SEARCH_DELAY_MS);
}

// ---------------------------------------------------------------- the open chat

/** @param {string} chatid */
async function openChat(chatid) {
  if (!state.me) return;
  $.chatView.dataset.view = "chat";
  if (state.view?.chatid === chatid) {
    composer.focus();
    return;
  }
  state.view?.close();
  const history = state.cache.get(chatid);
  const view = new ChatView({
    history,
    me: state.me.accountid,
    nameOf,
    nodes: {
      log: $.log,
      list: $.messageList,
      outbox: $.outboxList,
      older: $.older,
      start: $.historyStart,
    },
    onRetry: (cid) => {
      const entry = state.outbox.get(cid);
      if (entry) {
        entry.retries = 0;
        transmit(entry);
      }
    },
    onDiscard: (cid) => {
      const entry = state.outbox.take(cid);
      view.removePending(cid);
      if (entry) sendNext(entry.chatid);
    },
    onOlderFailed: (error) =>
      showNotice(() => t("notice.older", { reason: errorText(error.code, error.message) })),
  });
  state.view = view;
  $.home.hidden = true;
  $.chat.hidden = false;
  showNotice(() => "");
  composer.reset();
  showChatHeader(chatid);
  attachments.show(chatid);
  if (isGroupId(chatid)) groups.load(chatid);
  for (const entry of state.outbox.forChat(chatid)) view.renderPending(entry);
  markRead(chatid);
  scheduleRender();
  composer.focus();
  try {
    await view.load();
  } catch (error) {
    const { code, message } = /** @type {import("./api.js").ApiError} */ (error);
    if (!view.closed) showNotice(() => t("notice.history", { reason: errorText(code, message) }));
  }
}

/** Leaves the conversation (logout). */
function closeChat() {
  state.view?.close();
  state.view = null;
  attachments.show(null);
  $.chat.hidden = true;
  $.home.hidden = false;
  $.chatView.dataset.view = "list";
}

/** On a phone-width screen: back from the conversation to the list. */
function showList() {
  $.chatView.dataset.view = "list";
  const chatid = state.view?.chatid;
  const item = chatid
    ? /** @type {HTMLElement | null} */ ($.chatView.querySelector(
      `.side [data-chatid="${CSS.escape(chatid)}"]`,
    ))
    : null;
  (item ?? $.search).focus();
}

/** @param {string} chatid */
function showChatHeader(chatid) {
  const me = state.me;
  if (!me) return;
  const other = otherOf(chatid);
  const title = titleOf(chatid);
  $.chatTitle.textContent = title;
  $.chatAvatar.replaceChildren(avatar(other ?? chatid, title));
  $.chatDetails.replaceChildren();
  const group = other ? null : groups.get(chatid);
  $.chatMute.hidden = $.chatMembers.hidden = !!other;
  $.chatNewGroup.hidden = !other || other === me.accountid;
  const inside = !group || (!group.left);
  $.composerInput.disabled = !inside;
  $.composerInput.placeholder = inside ? t("composer.placeholder") : t("group.notMember");
  if (!other) {
    delete $.chatSubtitle.dataset.presence;
    $.chatSubtitle.textContent = group?.left
      ? t("group.notMember")
      : group?.owner
      ? t("group.summary", { owner: nameOf(group.owner), count: group.members.length })
      : t("chat.group");
    if (group?.members.length) {
      $.chatDetails.replaceChildren(
        el("span", {
          class: "detail members-line",
          text: group.members.map(nameOf).join(", "),
          dataset: { testid: "chat-member-names" },
        }),
      );
    }
    const muted = groups.muted.has(chatid);
    $.chatMute.textContent = muted ? "🔕" : "🔔";
    $.chatMute.setAttribute("aria-pressed", String(muted));
    $.chatMute.title = t(muted ? "group.unmute" : "group.mute");
    $.chatMute.setAttribute("aria-label", $.chatMute.title);
    /** @type {HTMLButtonElement} */ ($.chatMute).disabled = !inside;
    return;
  }
  const presence = other === me.accountid ? "self" : presenceOf(
    { online: state.online, presenceKnown: state.presenceKnown },
    other,
  );
  $.chatSubtitle.dataset.presence = presence;
  $.chatSubtitle.textContent = presence === "self"
    ? t("chat.selfOnly")
    : [other, t(`presence.${presence}`)].join(" · ");
  const user = state.users.get(other);
  if (!user) return;
  const phone = [user.tel, user.mobile].filter(Boolean).join(", ");
  const details = [
    ["chat.dept", (user.deptDetail || user.dept).split(",").join(" / "), "chat-dept"],
    ["chat.email", user.email, "chat-email"],
    ["chat.phone", phone, "chat-phone"],
  ].filter(([, value]) => value);
  $.chatDetails.replaceChildren(
    ...details.map(([label, value, testid]) =>
      el(
        "span",
        { class: "detail", dataset: { testid } },
        el("span", { class: "label", text: t(label) }),
        el("span", { class: "value", text: value }),
      )
    ),
  );
}

/** @param {string} content */
function send(content) {
  const view = state.view;
  if (!view) return;
  transmit(state.outbox.add(view.chatid, content));
  view.scrollToBottom();
}

// ---------------------------------------------------------------- groups, files, broadcasts

/** The open group's members for `@` completion (`@all` for its owner), or null. */
function mentionCandidates() {
  const chatid = state.view?.chatid;
  const group = chatid ? groups.get(chatid) : null;
  const me = state.me?.accountid;
  if (!group || group.left) return null;
  const people = group.members.filter((m) => m !== me).map((accountid) => ({
    accountid,
    name: nameOf(accountid),
  }));
  return group.owner === me ? [{ accountid: "all", name: t("mention.all") }, ...people] : people;
}

/**
 * A new group: members from the picker (with whole departments), a title; `with` starts it
 * from a one-to-one chat (the other person chosen already). Opens the group once created.
 * @param {string[]} [start]
 */
function createGroup(start = []) {
  const me = state.me?.accountid;
  if (!me) return;
  picker.open(allUsers(), {
    heading: t("group.create"),
    confirm: t("group.createButton"),
    withTitle: true,
    onConfirm: async ({ members, title }) => {
      const chatid = `${me}-${Date.now()}`;
      const all = [...new Set([...start, ...members])];
      const failure = await groups.request({ type: "groupset", chatid, title, members: all });
      if (!failure) openChat(chatid);
      return failure;
    },
  });
  for (const accountid of start) {
    /** @type {HTMLInputElement | null} */ (picker.tree.querySelector(
      `[data-testid="picker-person"][data-accountid="${CSS.escape(accountid)}"]`,
    ))?.click();
  }
}

async function toggleMute() {
  const chatid = state.view?.chatid;
  if (!chatid) return;
  const action = groups.muted.has(chatid) ? "opennotice" : "closenotice";
  const failure = await groups.request({ type: "systemNotice", chatid, action, title: "" });
  if (failure) showNotice(() => failure);
}

function showBroadcastCount() {
  const n = broadcasts.unread;
  $.broadcastUnread.hidden = n === 0;
  $.broadcastUnread.textContent = n > 99 ? "99+" : String(n);
}

/** @param {() => string} text */
function showNotice(text) {
  noticeText = text;
  $.notice.textContent = text();
  $.notice.hidden = !$.notice.textContent;
}

/** Everything drawn with words, again (the language changed). */
function redrawAll() {
  $.conn.textContent = state.connText();
  $.notice.textContent = noticeText();
  for (const select of [$.lang, $.loginLang]) select.value = language();
  showMe();
  picker.redraw();
  groupPanel.render();
  broadcasts.render();
  if (historyDialog.dialog.open) historyDialog.labels();
  attachments.redraw();
  if (state.view) {
    state.view.redraw();
    state.view.redrawPending(state.outbox.forChat(state.view.chatid));
    showChatHeader(state.view.chatid);
  }
  scheduleRender();
  notifier.refreshTitle();
}

// ---------------------------------------------------------------- wiring

function wire() {
  setUnauthorizedHandler(() => {
    if (state.me) leave(() => t("session.ended"));
  });
  for (const select of [$.lang, $.loginLang]) {
    select.replaceChildren(
      ...LANGUAGES.map(({ code, name }) => el("option", { value: code, text: name, lang: code })),
    );
    select.value = language();
    select.addEventListener("change", () => setLanguage(/** @type {any} */ (select.value)));
  }
  onLanguageChange(redrawAll);
  byId("logout").addEventListener("click", logout);
  $.reconnect.addEventListener("click", () => state.socket?.reconnectNow());
  $.tabRecent.addEventListener("click", () => showTab("recent"));
  $.tabOrg.addEventListener("click", () => showTab("org"));
  $.search.addEventListener("input", onSearchInput);
  $.search.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && $.search.value) {
      $.search.value = "";
      onSearchInput();
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      moveFocusInList($.chatView.querySelector(".side .list:not([hidden])"), 0);
    } else if (event.key === "Enter") {
      /** @type {HTMLElement | null} */ ($.results.querySelector("button.item"))?.click();
    }
  });
  for (const list of [$.contactList, $.orgList, $.results]) {
    list.addEventListener("keydown", (event) => onListKey(list, event));
  }
  $.older.addEventListener("click", () => state.view?.loadOlder());
  byId("new-group").addEventListener("click", () => createGroup());
  $.chatNewGroup.addEventListener("click", () => {
    const other = state.view ? otherOf(state.view.chatid) : null;
    if (other) createGroup([other]);
  });
  $.chatMembers.addEventListener("click", () => state.view && groupPanel.open(state.view.chatid));
  $.chatMute.addEventListener("click", toggleMute);
  byId("chat-history").addEventListener("click", () => {
    if (state.view) historyDialog.open(state.view.chatid, titleOf(state.view.chatid));
  });
  byId("broadcast-button").addEventListener("click", () => broadcasts.open());
  $.back.addEventListener("click", showList);
  byId("chat").addEventListener("keydown", (event) => {
    // Escape leaves the conversation on a phone-width screen (the emoji panel takes it first).
    if (event.key === "Escape" && !event.defaultPrevented && $.back.offsetParent !== null) {
      showList();
    }
  });
  addEventListener("online", () => state.socket?.reconnectNow());
  // Sound and the notification permission need a gesture of the reader's.
  for (const type of ["pointerdown", "keydown"]) {
    addEventListener(type, () => notifier.unlock(), { capture: true });
  }
  document.addEventListener("visibilitychange", () => {
    const view = state.view;
    if (!document.hidden && view && unreadOf(view.chatid) > 0) markRead(view.chatid);
  });
}

/**
 * Arrow keys move between a list's entries, Home/End to its ends, Delete removes a recent chat.
 * @param {HTMLElement} list
 * @param {KeyboardEvent} event
 */
function onListKey(list, event) {
  const target = /** @type {HTMLElement} */ (event.target);
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    moveFocusInList(list, event.key === "ArrowDown" ? 1 : -1);
  } else if (event.key === "Home" || event.key === "End") {
    event.preventDefault();
    moveFocusInList(list, event.key === "Home" ? "first" : "last");
  } else if (event.key === "Delete" && list === $.contactList && target.dataset.chatid) {
    removeContact(target.dataset.chatid);
  }
}

boot();
