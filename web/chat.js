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
import { byId, el, newCid } from "./dom.js";
import { downloadExport, ExportDialog } from "./export_dialog.js";
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
import { openMenu } from "./message_menu.js";
import { Notifier } from "./notifier.js";
import { OrgTree } from "./org_tree.js";
import { Outbox } from "./outbox.js";
import { ReadersDialog, SettingsDialog } from "./receipt_dialogs.js";
import { presenceOf, renderContacts, renderSearchResults } from "./sidebar.js";
import { ChatSocket, CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED } from "./socket.js";
import { Typing } from "./typing.js";

/** @typedef {import("./chat_history.js").Say} Say */
/** @typedef {import("./sidebar.js").User} User */
/** @typedef {import("./sidebar.js").Contact} Contact */
/** @typedef {import("./outbox.js").OutboxEntry} OutboxEntry */
/** @typedef {import("./chat_history.js").Quote} Quote */
/** @typedef {import("./message_menu.js").MenuItem} MenuItem */
/**
 * What the composer's text is for; an edit keeps the reader's unsent `draft` to give back.
 * @typedef {{kind: "reply" | "edit", chatid: string, mid: string, quote: Quote, draft?: string}}
 *   Compose
 */

/** The server's default `limits.messageChars`; a lower server limit is answered per message. */
const MAX_CHARS = 5000;
/** Recent chats whose newest page is fetched at login (previews; opening them costs nothing). */
const PREFETCH_CHATS = 20;
const PREFETCH_PARALLEL = 3;
/** `unavailable` answers resent automatically before a message shows as failed. */
const UNAVAILABLE_RETRIES = 3;
const SEARCH_DELAY_MS = 200;
/** The server's default windows (`messages.recallSeconds`, `editSeconds`) until `init` says. */
const DEFAULT_WINDOWS = { recallSeconds: 120, editSeconds: 900 };
/** Characters of a quoted message the composer and a provisional reply show (the server's 100). */
const QUOTE_CHARS = 100;

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
  /** How long after sending a message may be recalled or edited (from `init.messages`). */
  windows: { ...DEFAULT_WINDOWS },
  /**
   * What the composer's text will be: a reply quoting a message, or the new text of an own
   * message; null for a new message.
   * @type {Compose | null}
   */
  compose: null,
  /** @type {Map<string, "recall" | "edit">} recalls and edits sent, by cid, until answered */
  changes: new Map(),
  /** @type {Map<string, number>} the highest seq this page sent a `read` for, by chat */
  readSent: new Map(),
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
  chatTyping: byId("chat-typing"),
  chatExport: byId("chat-export"),
  context: byId("composer-context"),
  contextLabel: byId("composer-context-label"),
  contextText: byId("composer-context-text"),
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
const typing = new Typing(
  (frame) => state.socket?.send(frame) ?? false,
  (chatid) => {
    if (state.view?.chatid === chatid) showTyping(chatid);
  },
);
const readers = new ReadersDialog(
  /** @type {HTMLDialogElement} */ (byId("readers-dialog")),
  nameOf,
  () => state.me?.accountid ?? "",
);
const settings = new SettingsDialog(/** @type {HTMLDialogElement} */ (byId("settings-dialog")));
const exportDialog = new ExportDialog(/** @type {HTMLDialogElement} */ (byId("export-dialog")));

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
  state.changes.clear();
  state.readSent.clear();
  typing.clear();
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
    typing.clear();
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
      // A recall or an edit: its own frame (to every connection) shows it.
      if (state.changes.delete(frame.cid)) return;
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
    case "recall":
      return onChange(frame.chatid, {
        mid: String(frame.mid),
        recalled: { by: String(frame.by ?? frame.fromuser), time: Number(frame.time) || 0 },
      });
    case "edit":
      return onChange(frame.chatid, {
        mid: String(frame.mid),
        message: String(frame.message ?? ""),
        edited: Number(frame.edited) || 0,
      });
    case "receipt":
      state.cache.peek(frame.chatid)?.setReceipts({ [frame.accountid]: Number(frame.seq) || 0 });
      return;
    case "typing":
      if (frame.fromuser !== state.me?.accountid) typing.onFrame(frame);
      return;
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
  state.windows = {
    recallSeconds: Number(init.messages?.recallSeconds ?? DEFAULT_WINDOWS.recallSeconds),
    editSeconds: Number(init.messages?.editSeconds ?? DEFAULT_WINDOWS.editSeconds),
  };
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
    // Recalls and edits while the socket was down: the open chat asks now, others when opened.
    history.changesMissed = true;
    if (history.open) history.refresh();
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
  typing.stop(frame.chatid, frame.fromuser);
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
    provisional: true,
    ...(entry.replyTo ? { replyTo: entry.replyTo } : {}),
  }]);
  touchContact(entry.chatid, frame.time);
  scheduleRender();
}

/** @param {{info: string, msg: string, cid?: string, retryAfterMs?: number}} frame */
function onError(frame) {
  if (frame.cid && broadcasts.owns(frame.cid)) return broadcasts.onError(frame);
  // A typing indicator held back by the send budget: nothing for the reader to do.
  if (
    !frame.cid && frame.info === "rate_limited" && typing.onRateLimited(frame.retryAfterMs ?? 0)
  ) {
    return;
  }
  // A group frame carries no cid: the oldest one waiting gets the answer.
  if (!frame.cid && groups.onError(frame)) return;
  const change = frame.cid ? state.changes.get(frame.cid) : undefined;
  if (change) {
    state.changes.delete(frame.cid ?? "");
    const reason = errorText(frame.info, frame.msg);
    showNotice(() => t(change === "recall" ? "notice.recall" : "notice.edit", { reason }));
    return;
  }
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
      ...(entry.replyTo ? { replyTo: entry.replyTo.mid } : {}),
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

/**
 * Marks a chat read on the server: with the newest seq held over the socket (that is also the
 * read receipt the senders see), else over HTTP (works while the socket reconnects).
 * @param {string} chatid
 */
function markRead(chatid) {
  clearUnread(chatid);
  if (!sendReadMark(chatid)) api("POST", chatPath(chatid, "read")).catch(() => {});
}

/**
 * A `read` with the newest seq held of `chatid`, unless one went for it already; false when
 * none could go (no seq held, or no socket).
 * @param {string} chatid
 */
function sendReadMark(chatid) {
  const seq = state.cache.peek(chatid)?.lastSeq;
  if (!seq) return false;
  // A group the reader is not (or not known to be) a member of: the quiet HTTP mark, whose
  // refusal shows nowhere, rather than an `error` frame.
  const group = isGroupId(chatid) ? groups.get(chatid) : null;
  if (isGroupId(chatid) && (!group || group.left)) return false;
  if ((state.readSent.get(chatid) ?? 0) >= seq) return true;
  if (!state.socket?.send({ type: "read", chatid, seq })) return false;
  state.readSent.set(chatid, seq);
  return true;
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
    if (state.socket?.send({ type: "read", chatid, seq })) {
      state.readSent.set(chatid, Math.max(seq, state.readSent.get(chatid) ?? 0));
    } else markRead(chatid);
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
    menuOf: (frame) => menuOf(chatid, frame),
    receiptOf: (frame) => receiptOf(chatid, frame),
  });
  state.view = view;
  $.home.hidden = true;
  $.chat.hidden = false;
  showNotice(() => "");
  setCompose(null);
  composer.reset();
  showChatHeader(chatid);
  showTyping(chatid);
  attachments.show(chatid);
  if (isGroupId(chatid)) {
    // A group's read mark goes on the socket once its membership is known (see sendReadMark).
    groups.load(chatid).then(() => {
      if (state.view === view && !document.hidden) sendReadMark(chatid);
    });
  }
  for (const entry of state.outbox.forChat(chatid)) view.renderPending(entry);
  markRead(chatid);
  scheduleRender();
  composer.focus();
  loadReceipts(chatid);
  try {
    await view.load();
    // The newest seq is known now: the read mark becomes the senders' receipt.
    if (!view.closed && !document.hidden) sendReadMark(chatid);
  } catch (error) {
    const { code, message } = /** @type {import("./api.js").ApiError} */ (error);
    if (!view.closed) showNotice(() => t("notice.history", { reason: errorText(code, message) }));
  }
}

/** Leaves the conversation (logout). */
function closeChat() {
  setCompose(null);
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

/** The composer's text: a new message, a reply, or an own message's new text. @param {string} content */
function send(content) {
  const view = state.view;
  if (!view) return;
  const compose = state.compose?.chatid === view.chatid ? state.compose : null;
  setCompose(null);
  typing.sent(view.chatid);
  if (compose?.kind === "edit") {
    // The same text again is no edit (it would only mark the message "edited").
    if (content !== compose.quote.excerpt) {
      sendChange("edit", { type: "edit", chatid: view.chatid, mid: compose.mid, content });
    }
    return;
  }
  transmit(state.outbox.add(view.chatid, content, "text", null, compose?.quote ?? null));
  view.scrollToBottom();
}

// ---------------------------------------------------------------- recall, edit, reply, receipts

/**
 * A recall or an edit on the socket with a fresh cid; its `ack` or `error` comes back with it.
 * @param {"recall" | "edit"} kind
 * @param {Record<string, string>} frame
 */
function sendChange(kind, frame) {
  const cid = newCid();
  if (!state.socket?.send({ ...frame, cid })) {
    showNotice(() =>
      t(kind === "recall" ? "notice.recall" : "notice.edit", {
        reason: t("notice.offline"),
      })
    );
    return;
  }
  state.changes.set(cid, kind);
}

/**
 * A `recall` or `edit` frame: the message changes in the chat's cache (and on screen when the
 * chat is open); a reply or edit being written about it is dropped when it was recalled.
 * @param {string} chatid
 * @param {import("./chat_history.js").MessageChange} change
 */
function onChange(chatid, change) {
  state.cache.peek(chatid)?.change(change);
  if (change.recalled && state.compose?.mid === change.mid) setCompose(null);
  scheduleRender();
}

/**
 * The actions a message offers now: reply (to a chat the reader may write in), edit and recall
 * (own messages within the server's windows; a group's owner recalls any).
 * @param {string} chatid
 * @param {Say} frame
 * @returns {MenuItem[]}
 */
function menuOf(chatid, frame) {
  const me = state.me?.accountid;
  if (!me || frame.recalled || frame.msgType === "system") return [];
  const group = isGroupId(chatid) ? groups.get(chatid) : null;
  if (group?.left) return [];
  const age = Date.now() / 1000 - frame.time;
  const mine = frame.fromuser === me;
  /** @type {MenuItem[]} */
  const items = [{
    label: t("action.reply"),
    testid: "action-reply",
    run: () => startReply(frame),
  }];
  const text = !frame.msgType || frame.msgType === "text";
  if (mine && text && age < state.windows.editSeconds) {
    items.push({ label: t("action.edit"), testid: "action-edit", run: () => startEdit(frame) });
  }
  if ((mine && age < state.windows.recallSeconds) || (group && group.owner === me)) {
    items.push({
      label: t("action.recall"),
      testid: "action-recall",
      danger: true,
      run: () => sendChange("recall", { type: "recall", chatid, mid: frame.mid }),
    });
  }
  return items;
}

/** The composer answers `frame`: its quote above the text. @param {Say} frame */
function startReply(frame) {
  setCompose({
    kind: "reply",
    chatid: frame.chatid,
    mid: frame.mid,
    quote: {
      mid: frame.mid,
      fromuser: frame.fromuser,
      excerpt: [...String(frame.message ?? "")].slice(0, QUOTE_CHARS).join(""),
      msgType: frame.msgType || "text",
    },
  });
  composer.focus();
}

/** The composer holds an own message's text; sending replaces it. @param {Say} frame */
function startEdit(frame) {
  setCompose({
    kind: "edit",
    chatid: frame.chatid,
    mid: frame.mid,
    quote: { mid: frame.mid, fromuser: frame.fromuser, excerpt: frame.message },
    draft: state.compose?.kind === "edit" ? state.compose.draft : $.composerInput.value,
  });
  $.composerInput.value = frame.message;
  $.composerInput.dispatchEvent(new Event("input"));
  composer.focus();
}

/** Shows (or hides) what the composer's text will be. @param {Compose | null} compose */
function setCompose(compose) {
  const was = state.compose;
  state.compose = compose;
  $.context.hidden = !compose;
  $.context.dataset.kind = compose?.kind ?? "";
  if (!compose) {
    $.contextLabel.textContent = $.contextText.textContent = "";
    // Leaving an edit (sent or not): its text goes, the draft written before it comes back.
    if (was?.kind === "edit") {
      composer.reset();
      // Not an `input` event: giving the draft back is no typing.
      if (was.draft) $.composerInput.value = was.draft;
    }
    return;
  }
  $.contextLabel.textContent = compose.kind === "edit"
    ? t("composer.editing")
    : t("composer.replyingTo", { name: nameOf(compose.quote.fromuser) });
  const q = compose.quote;
  $.contextText.textContent = q.msgType === "image" && !q.excerpt
    ? t("message.image")
    : q.msgType === "file" && !q.excerpt
    ? t("message.file")
    : String(q.excerpt ?? "").replace(/\s+/g, " ").trim();
}

/**
 * An own message's read state: "read" in a pair once the partner's mark covers it; "read by
 * N of M" in a group (a click lists who).
 * @param {string} chatid
 * @param {Say} frame
 * @returns {import("./chat_view.js").ReceiptLabel}
 */
function receiptOf(chatid, frame) {
  const history = state.cache.peek(chatid);
  const me = state.me?.accountid;
  if (!history || !me || !frame.seq) return null;
  const other = otherOf(chatid);
  if (other) {
    if (other === me) return null;
    return (history.receipts.get(other) ?? 0) >= frame.seq
      ? { text: t("receipt.read"), testid: "message-read" }
      : null;
  }
  const group = groups.get(chatid);
  const members = (group?.members.length ? group.members : history.members)
    .filter((m) => m !== me);
  const count = members.filter((m) => (history.receipts.get(m) ?? 0) >= frame.seq).length;
  if (count === 0) return null;
  return {
    text: t("receipt.readBy", { count, total: members.length }),
    testid: "message-read-by",
    onClick: () => readers.open(chatid, frame.seq),
  };
}

/** Every participant's read mark of a chat (who has read what), from the server. @param {string} chatid */
async function loadReceipts(chatid) {
  try {
    const answer = await get(chatPath(chatid, "receipts"));
    state.cache.peek(chatid)?.setReceipts(
      answer.receipts ?? {},
      Array.isArray(answer.members) ? answer.members : [],
    );
  } catch {
    // Messages show ✓ without a read state; the next receipt frame brings it.
  }
}

/** "Bob is typing…" in the open chat's header. @param {string} chatid */
function showTyping(chatid) {
  const who = typing.who(chatid).filter((a) => a !== state.me?.accountid);
  $.chatTyping.hidden = who.length === 0;
  $.chatTyping.textContent = who.length === 0
    ? ""
    : who.length === 1
    ? t("typing.one", { name: nameOf(who[0]) })
    : t("typing.many", { names: who.map(nameOf).join(", ") });
}

/** The export menu of the open chat: the whole conversation as HTML or CSV, or a date range. */
function openExportMenu() {
  const chatid = state.view?.chatid;
  if (!chatid) return;
  openMenu($.chatExport, [
    { label: t("export.html"), testid: "export-html", run: () => downloadExport(chatid, "html") },
    { label: t("export.csv"), testid: "export-csv", run: () => downloadExport(chatid, "csv") },
    { label: t("export.range"), testid: "export-range", run: () => exportDialog.open(chatid) },
  ]);
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
  if (settings.dialog.open) settings.labels();
  if (exportDialog.dialog.open) exportDialog.labels();
  setCompose(state.compose);
  if (state.view) {
    showTyping(state.view.chatid);
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
  byId("settings-button").addEventListener("click", () => settings.open());
  $.chatExport.addEventListener("click", openExportMenu);
  byId("composer-context-cancel").addEventListener("click", () => {
    setCompose(null);
    composer.focus();
  });
  $.composerInput.addEventListener("input", () => {
    const chatid = state.view?.chatid;
    if (chatid && $.composerInput.value.trim() && state.compose?.kind !== "edit") {
      typing.composing(chatid);
    }
  });
  $.composerInput.addEventListener("keydown", (event) => {
    // Escape drops the quote or the edit (the mention list and the emoji panel take it first).
    if (event.key === "Escape" && state.compose && !event.defaultPrevented) {
      event.preventDefault();
      setCompose(null);
    }
  });
  $.log.addEventListener("click", (event) => {
    const quote = /** @type {HTMLElement} */ (event.target).closest?.("[data-quote-mid]");
    const mid = quote instanceof HTMLElement ? quote.dataset.quoteMid : "";
    if (mid) state.view?.reveal(mid);
  });
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
