/**
 * One client connection: parses every inbound frame at the edge, handles them one after
 * another (so a client's messages keep their order), and never lets an exception escape.
 *
 * @module
 */
import { parseChatId } from "./chat_id.ts";
import { titledContacts } from "./contacts.ts";
import type { GatewayContext } from "./gateway_context.ts";
import {
  type ClientFrame,
  CloseCode,
  ErrorCode,
  errorFrame,
  type FrameError,
  type InitFrame,
  parseClientFrame,
  type SayFrame,
} from "./protocol.ts";
import { LogLimiter } from "./log_limiter.ts";
import { handleBroadcast, mayBroadcast } from "./broadcast_send.ts";
import { handleGroupset } from "./group_set.ts";
import { handleSay } from "./say.ts";
import { handleMessageChange } from "./message_change_send.ts";
import { currentOffline } from "./offline_changes.ts";
import { handleTyping } from "./typing.ts";
import { checkReadSeq, sendReceipt } from "./read_receipts.ts";
import { handleSystemNotice } from "./system_notice.ts";
import type { SendRateLimiter } from "./send_rate.ts";
import type { ChatSocket } from "./socket.ts";

/** After a login with other nodes, when the offline list is looked at again (see #lateOffline). */
const LATE_OFFLINE_MS = 2000;

/** Frames a client may have waiting before it is told to slow down (disconnected). */
const MAX_PENDING_FRAMES = 1000;

/**
 * Characters sent since the socket's backlog was last looked at, beyond which it is looked at
 * before the next send: about 16 chat messages, so a slow client holds at most that much more
 * than `limits.sendBufferBytes`.
 */
const CHECK_AFTER_CHARS = 4096;

/** What a connection knows besides its account, socket and context. */
export interface ConnectionOptions {
  /** The key (token hash, never the token) of the session the socket was opened with. */
  sessionKey?: string;
  /** The node's per-account send budget; without one, sending is not rate limited. */
  sendRate?: SendRateLimiter;
  /**
   * Called once when the connection is closed by either side: a closing socket may linger
   * until its peer answers (a client that stopped reading never does), so the bookkeeping
   * does not wait for the transport.
   */
  released?: (connection: Connection) => void;
}

/** A WebSocket connection of an authenticated account. */
export class Connection {
  /** The key of the session this socket belongs to; it closes (4401) when that ends. */
  readonly sessionKey: string;
  /** The client sent something other than `ping`/`pong` since the last session recheck. */
  usedSinceCheck = false;
  /** Set once the `login` frame was accepted. */
  loggedIn = false;
  /** Milliseconds timestamp of the last frame received. */
  lastSeen = Date.now();
  /** Milliseconds timestamp of the last server ping. */
  lastPing = 0;
  #closed = false;
  #pending = 0;
  /** Characters sent since the backlog was last checked (see CHECK_AFTER_CHARS). */
  #unchecked = Infinity;
  #chain: Promise<void> = Promise.resolve();
  /** Pending second look at the offline list (see #lateOffline). */
  #lateTimer: ReturnType<typeof setTimeout> | undefined;
  /** Frames for this connection while its `init` is being built. */
  #held: string[] | null = null;
  readonly #released: (connection: Connection) => void;
  readonly #sendRate: SendRateLimiter | null;
  readonly #log: LogLimiter;
  /** The shared context with this connection's rate-limited log, for the frame handlers. */
  private readonly ctx: GatewayContext;

  constructor(
    readonly accountid: string,
    private readonly socket: ChatSocket,
    ctx: GatewayContext,
    options: ConnectionOptions = {},
  ) {
    this.sessionKey = options.sessionKey ?? "";
    this.#released = options.released ?? (() => {});
    this.#sendRate = options.sendRate ?? null;
    this.#log = new LogLimiter(ctx.log, `a connection of ${accountid}`);
    this.ctx = { ...ctx, log: (line, level) => this.#log.line(line, level) };
  }

  /** Queues a frame; a client whose backlog is over the limit is disconnected, not buffered. */
  send(text: string): void {
    if (this.#closed) return;
    if (this.#held) {
      this.#held.push(text);
      if (this.#held.length > MAX_PENDING_FRAMES) this.close(CloseCode.tryAgainLater, "slow init");
      return;
    }
    // Asking the socket costs a call into the runtime, a tenth of a send to a big group: it is
    // asked after every CHECK_AFTER_CHARS sent (so a slow client holds at most that much more
    // than the limit), which is before every frame of more than that.
    this.#unchecked += text.length;
    if (this.#unchecked > CHECK_AFTER_CHARS) {
      this.#unchecked = 0;
      if (this.socket.bufferedAmount > this.ctx.config.limits.sendBufferBytes) {
        this.close(CloseCode.tryAgainLater, "slow client: too much unread data");
        return;
      }
    }
    try {
      this.socket.send(text);
      this.ctx.metrics?.framesOut.inc();
    } catch {
      this.close(CloseCode.goingAway, "send failed");
    }
  }

  sendJson(frame: unknown): void {
    this.send(JSON.stringify(frame));
  }

  sendError(error: FrameError): void {
    this.ctx.metrics?.error(error.info, "ws");
    this.send(errorFrame(error));
  }

  /** Closes the connection once; `onClose` does the bookkeeping. */
  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#lateTimer);
    try {
      this.socket.close(code, reason);
    } catch {
      // already closing
    }
    this.#released(this);
  }

  /** Handles one text frame (byte size already checked by the transport). */
  receive(text: string): void {
    this.lastSeen = Date.now();
    if (++this.#pending > MAX_PENDING_FRAMES) {
      this.close(CloseCode.tryAgainLater, "too many frames in flight");
      return;
    }
    this.#chain = this.#chain.then(() => this.#handle(text)).catch((error) => {
      this.ctx.log(
        `gateway: unexpected error for ${this.accountid}: ${error?.stack ?? error}`,
        "error",
      );
      this.sendError({ info: ErrorCode.internal, msg: "internal error" });
    }).finally(() => this.#pending--);
  }

  /** Called by the transport when the socket closed (by either side). */
  async onClose(): Promise<void> {
    clearTimeout(this.#lateTimer);
    if (!this.#closed) {
      this.#closed = true;
      this.#released(this);
    }
    this.#log.flush();
    if (!this.loggedIn) return;
    this.loggedIn = false;
    if (!this.ctx.hub.remove(this)) return;
    await this.#markOffline();
  }

  /**
   * The account's last connection on this node is gone: presence says so, and when it has no
   * connection on another node either, everybody here hears `logout` (the other nodes hear it
   * from their presence).
   */
  async #markOffline(): Promise<void> {
    // The presence port counts this node's own change at once, before the store answers.
    const marking = this.ctx.presence.offline(this.accountid);
    if (!this.ctx.presence.isOnline(this.accountid)) {
      const frame = JSON.stringify({ type: "logout", clientName: this.accountid, time: now() });
      this.ctx.hub.sendToAll(frame);
    }
    try {
      await marking;
    } catch (error) {
      this.ctx.log(`presence: cannot mark ${this.accountid} offline: ${error}`, "warn");
    }
  }

  /** Resolves when every frame received so far has been handled. */
  settled(): Promise<void> {
    return this.#chain;
  }

  async #handle(text: string): Promise<void> {
    if (this.#closed) return;
    const frame = parseClientFrame(text);
    this.ctx.metrics?.framesIn.inc({ type: "info" in frame ? "invalid" : frame.type });
    if ("info" in frame) return this.sendError(frame);
    if (frame.type === "ping") return this.sendJson({ type: "pong" });
    if (frame.type === "pong") return;
    // The upgrade itself extended the session; heartbeats are the client software's doing.
    if (frame.type === "login") return await this.#login(frame.clientName);
    this.usedSinceCheck = true;
    if (!this.loggedIn) {
      return this.sendError({
        info: ErrorCode.unauthorized,
        msg: `send login before ${frame.type}`,
        ...("cid" in frame ? { cid: frame.cid } : {}),
      });
    }
    if (frame.type === "read") return await this.#read(frame);
    // Merged indicators cost nothing; each one forwarded takes from the send budget.
    if (frame.type === "typing") {
      return await handleTyping(this.ctx, this, frame, () => this.#rateLimited(""));
    }
    // Everything else sends something to other people: one message of the send budget each.
    if (this.#rateLimited("cid" in frame ? frame.cid : "")) return;
    switch (frame.type) {
      case "say":
        return await handleSay(this.ctx, this, frame);
      case "groupset":
        return await handleGroupset(this.ctx, this, frame);
      case "systemNotice":
        return await handleSystemNotice(this.ctx, this, frame);
      case "broadcast":
        return await handleBroadcast(this.ctx, this, frame);
      case "recall":
      case "edit":
        return await handleMessageChange(this.ctx, this, frame);
    }
  }

  async #login(clientName: string): Promise<void> {
    if (clientName !== this.accountid) {
      this.sendError({ info: ErrorCode.forbidden, msg: "clientName is not your account" });
      this.close(CloseCode.forbidden, "clientName is not the authenticated account");
      return;
    }
    if (this.loggedIn) {
      return this.sendError({ info: ErrorCode.conflict, msg: "already logged in" });
    }
    // Join the hub before reading the offline list, so a message sent meanwhile is either in
    // that list or delivered live, never neither; live frames wait until `init` is out.
    this.#held = [];
    this.loggedIn = true;
    const first = this.ctx.hub.add(this);
    // Online on every node before the offline list is read, too: a message sent on another
    // node meanwhile comes here live rather than into a list already taken.
    const elsewhere = first && this.ctx.presence.isOnline(this.accountid);
    if (first) {
      await this.ctx.presence.online(this.accountid).catch((error) =>
        this.ctx.log(`presence: cannot mark ${this.accountid} online: ${error}`, "warn")
      );
    }
    const init = await this.#buildInit();
    const held = this.#held;
    this.#held = null;
    if ("info" in init || this.#closed) {
      this.loggedIn = false;
      if (this.ctx.hub.remove(this)) await this.#markOffline();
      if ("info" in init) {
        const { code, ...error } = init;
        this.sendError(error);
        this.close(code, error.msg);
      }
      return;
    }
    this.send(JSON.stringify(init));
    for (const text of held) this.send(text);
    if (first && !elsewhere) {
      const frame = JSON.stringify({ type: "login", clientName: this.accountid, time: now() });
      this.ctx.hub.sendToAll(frame, this.accountid);
    }
    if (first && this.ctx.link) {
      this.#lateTimer = setTimeout(() => void this.#lateOffline(), LATE_OFFLINE_MS);
    }
  }

  /**
   * With other nodes, one that had not yet heard this login may have kept a message in the
   * offline list after `init` took it: a moment later whatever arrived there goes out live to
   * every connection of the account (in `seq` order per chat), rather than wait for the next
   * login. Nothing is taken while the account has no connection here.
   */
  async #lateOffline(): Promise<void> {
    this.#lateTimer = undefined;
    if (this.#closed || !this.loggedIn || !this.ctx.hub.has(this.accountid)) return;
    let frames: string[];
    try {
      frames = await this.ctx.inbox.takeOffline(this.accountid);
    } catch (error) {
      this.ctx.log(`offline: cannot look again for ${this.accountid}: ${error}`);
      return;
    }
    for (const text of frames) {
      const { chatid, seq } = JSON.parse(text) as SayFrame;
      await this.ctx.hub.deliver([this.accountid], text, { key: chatid, seq });
    }
  }

  /** The `init` frame, or the error to answer and close with when it cannot be built. */
  async #buildInit(): Promise<InitFrame | FrameError & { code: number }> {
    const { users, groups, inbox, recent, presence } = this.ctx;
    try {
      const me = this.accountid;
      const [user, online, recentChats, unread, mentions, broadcastUnread, muted] = await Promise
        .all([
          users.find(me),
          presence.list(),
          recent.contacts(me, 50),
          inbox.unread(me),
          inbox.mentions(me),
          inbox.broadcastUnread(me),
          // Mutes live in MySQL: while it is away (degraded mode) the chat goes on without them.
          groups.muted(me).catch((error) => {
            this.ctx.log(`init: mutes of ${me} unavailable: ${error}`);
            return [] as string[];
          }),
        ]);
      if (!user) {
        return {
          info: ErrorCode.forbidden,
          msg: "account no longer exists",
          code: CloseCode.forbidden,
        };
      }
      const offline = await currentOffline(
        this.ctx,
        (await inbox.takeOffline(me)).map((text) => JSON.parse(text) as SayFrame),
      );
      return {
        type: "init",
        user,
        online: [...new Set([...online, me])].sort(),
        contacts: await titledContacts(users, groups, me, recentChats, unread),
        unread,
        mentions,
        broadcastUnread,
        mayBroadcast: mayBroadcast(this.ctx.config.broadcast, user),
        messages: {
          recallSeconds: this.ctx.config.messages.recallSeconds,
          editSeconds: this.ctx.config.messages.editSeconds,
        },
        muted,
        offline,
      };
    } catch (error) {
      this.ctx.log(`init: cannot load state of ${this.accountid}: ${error}`, "warn");
      return {
        info: ErrorCode.unavailable,
        msg: "cannot load your state; retry later",
        code: CloseCode.tryAgainLater,
      };
    }
  }

  /**
   * Takes one message from the account's send budget; when it is empty, answers
   * `rate_limited` (nothing is stored or delivered) and says so.
   */
  #rateLimited(cid: string): boolean {
    const waitMs = this.#sendRate?.take(this.accountid) ?? 0;
    if (waitMs === 0) return false;
    const { perSecond, burst } = this.#sendRate!;
    this.ctx.metrics?.error(ErrorCode.rateLimited, "ws");
    this.send(JSON.stringify({
      type: "error",
      info: ErrorCode.rateLimited,
      msg: `sending too fast: at most ${perSecond} messages a second (bursts of ${burst}); ` +
        `retry in ${waitMs} ms`,
      cid,
      retryAfterMs: waitMs,
    }));
    return true;
  }

  async #read(frame: Extract<ClientFrame, { type: "read" }>): Promise<void> {
    const chat = parseChatId(frame.chatid);
    if (typeof chat === "string") return this.sendError({ info: ErrorCode.badRequest, msg: chat });
    let member: boolean;
    try {
      member = chat.kind === "direct"
        ? chat.members.includes(this.accountid)
        : (await this.ctx.groups.find(chat.chatid))?.members
          .some((m) => m.accountid === this.accountid) ?? false;
    } catch {
      return this.sendError({ info: ErrorCode.unavailable, msg: "cannot mark read; retry" });
    }
    if (!member) {
      return this.sendError({ info: ErrorCode.forbidden, msg: "you are not in this chat" });
    }
    const beyond = await checkReadSeq(this.ctx, chat.chatid, frame.seq);
    if (beyond) return this.sendError(beyond);
    try {
      await this.ctx.inbox.markRead(this.accountid, chat.chatid);
    } catch {
      return this.sendError({ info: ErrorCode.unavailable, msg: "cannot mark read; retry" });
    }
    const echo = JSON.stringify({
      type: "read",
      chatid: chat.chatid,
      ...(frame.seq === null ? {} : { seq: frame.seq }),
    });
    this.ctx.hub.sendTo([this.accountid], echo, this);
    await sendReceipt(this.ctx, this.accountid, chat, frame.seq);
  }
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}
