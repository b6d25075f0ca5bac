/**
 * The chat page: the one WebSocket, the sidebar and the open conversation, wired together.
 * Plain ES modules, no build step; every piece of user text reaches the DOM as text (dom.js).
 *
 * @module
 */
import { api, chatPath, get, setUnauthorizedHandler } from "./api.js";
import { ChatView } from "./chat_view.js";
import { byId } from "./dom.js";
import { LoginForm } from "./login.js";
import { Outbox } from "./outbox.js";
import { renderContacts, renderUsers } from "./sidebar.js";
import { ChatSocket, CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED } from "./socket.js";

const MAX_CHARS = 5000;
const SEND_KEY = "webchat.sendKey";
const TITLE = "webChat";
/** Live messages kept per chat for {@link openChat}. */
const LIVE_KEPT = 50;

const state = {
  /** @type {{accountid: string, username: string, dept: string} | null} */
  me: null,
  /** @type {Map<string, any>} accountid → User */
  users: new Map(),
  online: new Set(),
  /** @type {Map<string, {chatid: string, time: number, unread: number, title: string}>} */
  contacts: new Map(),
  /** @type {ChatSocket | null} */
  socket: null,
  /** @type {ChatView | null} */
  view: null,
  outbox: new Outbox(),
  /**
   * The newest live messages of each chat this session, shown at once when the chat opens:
   * history is archived by a worker a moment after delivery and may not hold them yet.
   * @type {Map<string, any[]>}
   */
  live: new Map(),
  readTimer: 0,
  renderQueued: false,
};

const $ = {
  chatView: byId("chat-view"),
  meName: byId("me-name"),
  conn: byId("conn-status"),
  reconnect: byId("reconnect"),
  search: /** @type {HTMLInputElement} */ (byId("search")),
  tabRecent: byId("tab-recent"),
  tabPeople: byId("tab-people"),
  totalUnread: byId("total-unread"),
  contactList: byId("contact-list"),
  userList: byId("user-list"),
  notice: byId("notice"),
  home: byId("home"),
  chat: byId("chat"),
  chatTitle: byId("chat-title"),
  chatSubtitle: byId("chat-subtitle"),
  log: byId("chat-log"),
  messageList: byId("message-list"),
  outboxList: byId("outbox-list"),
  older: /** @type {HTMLButtonElement} */ (byId("load-older")),
  composer: byId("composer"),
  input: /** @type {HTMLTextAreaElement} */ (byId("composer-input")),
  composerError: byId("composer-error"),
  sendKey: /** @type {HTMLSelectElement} */ (byId("send-key")),
};

const login = new LoginForm(enter);

// ---------------------------------------------------------------- session

async function boot() {
  wire();
  try {
    const { user } = await api("GET", "/api/me");
    enter(user);
  } catch (error) {
    login.show(error.status === 401 ? "" : error.message, error.code);
  }
}

function enter(user) {
  state.me = user;
  state.online = new Set([user.accountid]);
  $.chatView.hidden = false;
  $.meName.textContent = user.username || user.accountid;
  $.meName.title = user.accountid;
  state.socket = new ChatSocket(user.accountid, {
    onFrame,
    onState: showConnection,
    shouldRetry,
  });
  state.socket.start();
  loadUsers();
  scheduleRender();
}

/** Back to the login form; `message` says why when it was not the user's choice. */
function leave(message = "") {
  state.socket?.stop();
  state.socket = null;
  state.me = null;
  state.users.clear();
  state.contacts.clear();
  state.outbox.clear();
  state.live.clear();
  state.view?.close();
  state.view = null;
  $.chatView.hidden = true;
  $.chat.hidden = true;
  $.home.hidden = false;
  showNotice("");
  document.title = TITLE;
  login.show(message, message ? "unauthorized" : "");
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
    state.users = new Map(users.map((u) => [u.accountid, u]));
    scheduleRender();
    if (state.view) showChatHeader(state.view.chatid);
  } catch (error) {
    if (error.status !== 401) showNotice(`Cannot load the directory: ${error.message}`);
  }
}

// ---------------------------------------------------------------- socket

function showConnection(status, delay) {
  $.conn.textContent = {
    connecting: "connecting…",
    online: "online",
    waiting: `offline, retrying in ${Math.ceil((delay ?? 0) / 1000)} s`,
    stopped: "disconnected",
  }[status];
  $.conn.dataset.state = status;
  $.reconnect.hidden = status !== "waiting";
}

/** Decides after an unexpected close whether to reconnect. */
async function shouldRetry(code, wasReady) {
  if (code === CLOSE_FORBIDDEN) {
    showNotice("The server refused this connection for your account.");
    return false;
  }
  if (code === CLOSE_UNAUTHENTICATED || !wasReady) {
    // A refused upgrade looks like any other failure to the page: ask whether the session lives.
    try {
      await api("GET", "/api/me");
    } catch (error) {
      if (error.status === 401) {
        leave("Your session has ended; log in again.");
        return false;
      }
    }
  }
  return true;
}

function onFrame(frame) {
  switch (frame.type) {
    case "init":
      return onInit(frame);
    case "say":
      return onSay(frame);
    case "ack":
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
  }
}

/** The first frame of every (re)connection: the whole state again. */
function onInit(init) {
  state.me = init.user;
  state.online = new Set(init.online);
  state.contacts = new Map(
    init.contacts.map((c) => [c.chatid, { ...c, unread: init.unread?.[c.chatid] ?? c.unread }]),
  );
  for (const [chatid, unread] of Object.entries(init.unread ?? {})) {
    if (!state.contacts.has(chatid)) {
      state.contacts.set(chatid, { chatid, time: 0, unread, title: "" });
    }
  }
  // Offline messages are already in the unread counts; only the open chat shows them.
  for (const frame of init.offline ?? []) {
    remember(frame);
    touchContact(frame.chatid, frame.time);
    state.view?.add([frame]);
  }
  for (const entry of state.outbox.unsent()) transmit(entry);
  const view = state.view;
  if (view) {
    view.catchUp();
    if (document.visibilityState === "visible" && unreadOf(view.chatid) > 0) {
      markRead(view.chatid);
    }
    showChatHeader(view.chatid);
  }
  scheduleRender();
}

function onSay(frame) {
  const mine = frame.fromuser === state.me?.accountid;
  remember(frame);
  if (mine && frame.cid) settle(frame.cid, frame);
  const view = state.view?.chatid === frame.chatid ? state.view : null;
  view?.addLive(frame);
  const contact = touchContact(frame.chatid, frame.time);
  if (!mine) {
    if (view && document.visibilityState === "visible") scheduleRead(view.chatid, frame.seq);
    else contact.unread++;
  }
  scheduleRender();
}

/** An `ack` (or the sender's own `say`) for an outbox entry: it is now a real message. */
function settle(cid, frame) {
  const entry = state.outbox.take(cid);
  if (!entry || state.view?.chatid !== entry.chatid) return;
  state.view.removePending(cid);
  state.view.add([{
    type: "say",
    chatid: entry.chatid,
    fromuser: state.me.accountid,
    message: entry.content,
    msgType: "text",
    time: frame.time,
    mid: frame.mid,
    seq: frame.seq,
    cid,
  }]);
}

function onError(frame) {
  const entry = frame.cid ? state.outbox.get(frame.cid) : null;
  if (!entry) {
    showNotice(`${frame.msg} (${frame.info})`);
    return;
  }
  entry.state = "failed";
  entry.reason = frame.msg || frame.info;
  if (state.view?.chatid === entry.chatid) state.view.renderPending(entry);
}

/** Keeps a live message for {@link openChat}. */
function remember(frame) {
  const frames = state.live.get(frame.chatid) ?? [];
  frames.push(frame);
  if (frames.length > LIVE_KEPT) frames.shift();
  state.live.set(frame.chatid, frames);
}

// ---------------------------------------------------------------- contacts and unread

/** The contact of a chat, created when missing, moved up to `time`. */
function touchContact(chatid, time) {
  let contact = state.contacts.get(chatid);
  if (!contact) {
    contact = { chatid, time, unread: 0, title: "" };
    state.contacts.set(chatid, contact);
  }
  contact.time = Math.max(contact.time, time);
  return contact;
}

function unreadOf(chatid) {
  return state.contacts.get(chatid)?.unread ?? 0;
}

function clearUnread(chatid) {
  const contact = state.contacts.get(chatid);
  if (contact && contact.unread) {
    contact.unread = 0;
    scheduleRender();
  }
}

/** Marks a chat read on the server (HTTP: works while the socket reconnects). */
function markRead(chatid) {
  clearUnread(chatid);
  api("POST", chatPath(chatid, "read")).catch(() => {});
}

/**
 * Marks live messages of the open chat read, a moment later: the server counts a message
 * unread only after fanning it out, so an instant `read` could land before that count.
 */
function scheduleRead(chatid, seq) {
  clearTimeout(state.readTimer);
  state.readTimer = setTimeout(() => {
    clearUnread(chatid);
    if (!state.socket?.send({ type: "read", chatid, seq })) markRead(chatid);
  }, 800);
}

/** The other account of a one-to-one chat (yourself for notes to self), else null. */
function otherOf(chatid) {
  const match = /^([A-Za-z0-9_.]+)--([A-Za-z0-9_.]+)$/.exec(chatid);
  if (!match) return null;
  return match[1] === state.me?.accountid ? match[2] : match[1];
}

function nameOf(accountid) {
  return state.users.get(accountid)?.username || accountid;
}

function titleOf(chatid) {
  const other = otherOf(chatid);
  if (other) return other === state.me?.accountid ? "Notes to self" : nameOf(other);
  return state.contacts.get(chatid)?.title || chatid;
}

/** The one-to-one chat id: both accounts in byte order, joined by `--`. */
function chatWith(accountid) {
  const me = state.me.accountid;
  return me < accountid ? `${me}--${accountid}` : `${accountid}--${me}`;
}

/** Redraws the sidebar once per frame however many events asked for it. */
function scheduleRender() {
  if (state.renderQueued) return;
  state.renderQueued = true;
  requestAnimationFrame(() => {
    state.renderQueued = false;
    if (!state.me) return;
    const ctx = {
      me: state.me.accountid,
      online: state.online,
      openChatid: state.view?.chatid ?? null,
      titleOf,
      otherOf,
      onOpen: openChat,
      chatWith,
    };
    renderContacts($.contactList, [...state.contacts.values()], ctx);
    renderUsers($.userList, [...state.users.values()], $.search.value, ctx);
    const total = [...state.contacts.values()].reduce((sum, c) => sum + c.unread, 0);
    $.totalUnread.hidden = total === 0;
    $.totalUnread.textContent = String(total);
    document.title = total ? `(${total}) ${TITLE}` : TITLE;
  });
}

function showTab(tab) {
  $.contactList.hidden = tab !== "recent";
  $.userList.hidden = tab !== "people";
  $.tabRecent.setAttribute("aria-selected", String(tab === "recent"));
  $.tabPeople.setAttribute("aria-selected", String(tab === "people"));
}

// ---------------------------------------------------------------- the open chat

async function openChat(chatid) {
  if (state.view?.chatid === chatid) {
    $.input.focus();
    return;
  }
  state.view?.close();
  const view = new ChatView({
    chatid,
    me: state.me.accountid,
    nameOf,
    nodes: { log: $.log, list: $.messageList, outbox: $.outboxList, older: $.older },
    onRetry: (cid) => {
      const entry = state.outbox.get(cid);
      if (entry) transmit(entry);
    },
    onDiscard: (cid) => {
      state.outbox.take(cid);
      view.removePending(cid);
    },
  });
  state.view = view;
  $.home.hidden = true;
  $.chat.hidden = false;
  showNotice("");
  $.composerError.textContent = "";
  showChatHeader(chatid);
  view.add(state.live.get(chatid) ?? []);
  for (const entry of state.outbox.forChat(chatid)) view.renderPending(entry);
  markRead(chatid);
  scheduleRender();
  $.input.focus();
  try {
    await view.loadNewest();
  } catch (error) {
    if (!view.closed) showNotice(`Cannot load the history: ${error.message}`);
  }
}

function showChatHeader(chatid) {
  const other = otherOf(chatid);
  $.chatTitle.textContent = titleOf(chatid);
  if (!other) {
    $.chatSubtitle.textContent = "group";
    return;
  }
  const online = state.online.has(other);
  $.chatSubtitle.textContent = other === state.me.accountid
    ? "Only you can see these messages"
    : [other, state.users.get(other)?.dept, online ? "online" : "offline"]
      .filter(Boolean).join(" · ");
  $.chatSubtitle.classList.toggle("offline", !online);
}

async function loadOlder() {
  const view = state.view;
  if (!view) return;
  $.older.disabled = true;
  try {
    await view.loadOlder();
  } catch (error) {
    showNotice(`Cannot load older messages: ${error.message}`);
  } finally {
    $.older.disabled = false;
  }
}

function send() {
  const view = state.view;
  if (!view) return;
  const content = $.input.value;
  if (content.trim() === "") return;
  if ([...content].length > MAX_CHARS) {
    $.composerError.textContent = `A message holds at most ${MAX_CHARS} characters.`;
    return;
  }
  $.composerError.textContent = "";
  $.input.value = "";
  transmit(state.outbox.add(view.chatid, content));
  view.scrollToBottom();
}

/** Sends an outbox entry now if the socket is up, else marks it queued for the reconnect. */
function transmit(entry) {
  const sent = state.socket?.send({
    type: "say",
    chatid: entry.chatid,
    content: entry.content,
    msgType: "text",
    cid: entry.cid,
  });
  entry.state = sent ? "sending" : "queued";
  entry.reason = "";
  if (state.view?.chatid === entry.chatid) state.view.renderPending(entry);
}

function onComposerKey(event) {
  // Enter that confirms an input-method candidate (Chinese, Japanese…) is not a send.
  if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) return;
  const ctrl = event.ctrlKey || event.metaKey;
  const sends = $.sendKey.value === "ctrl-enter" ? ctrl : !ctrl && !event.shiftKey;
  if (sends) {
    event.preventDefault();
    send();
  } else if (ctrl && $.sendKey.value === "enter") {
    // Ctrl+Enter inserts a line break in "Enter sends" mode, like Shift+Enter.
    event.preventDefault();
    $.input.setRangeText("\n", $.input.selectionStart, $.input.selectionEnd, "end");
  }
}

function showNotice(text) {
  $.notice.textContent = text;
  $.notice.hidden = !text;
}

// ---------------------------------------------------------------- wiring

function wire() {
  setUnauthorizedHandler(() => {
    if (state.me) leave("Your session has ended; log in again.");
  });
  byId("logout").addEventListener("click", logout);
  $.reconnect.addEventListener("click", () => state.socket?.reconnectNow());
  $.tabRecent.addEventListener("click", () => showTab("recent"));
  $.tabPeople.addEventListener("click", () => showTab("people"));
  $.search.addEventListener("input", () => {
    if ($.search.value) showTab("people");
    scheduleRender();
  });
  $.older.addEventListener("click", loadOlder);
  $.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
    $.input.focus();
  });
  $.input.addEventListener("keydown", onComposerKey);
  $.sendKey.value = localStorage.getItem(SEND_KEY) === "ctrl-enter" ? "ctrl-enter" : "enter";
  $.sendKey.addEventListener("change", () => localStorage.setItem(SEND_KEY, $.sendKey.value));
  addEventListener("online", () => state.socket?.reconnectNow());
  document.addEventListener("visibilitychange", () => {
    const view = state.view;
    if (document.visibilityState === "visible" && view && unreadOf(view.chatid) > 0) {
      markRead(view.chatid);
    }
  });
}

boot();
