/**
 * Chats of the asking account: history, read marks, contacts, unread counts. Group members read
 * a group's history from their join time on; former members what they could read before.
 *
 * @module
 */
import { Hono } from "hono";
import { parseChatId } from "../gateway/chat_id.ts";
import { titledContacts } from "../gateway/contacts.ts";
import type { HistoryPage, HistoryQuery } from "../queue/archive.ts";
import {
  type ChatMessage,
  MessageType,
  type MessageTypeName,
  messageTypeNames,
} from "../queue/message.ts";
import { toFileInfo } from "../files/file_info.ts";
import { withQuoteState } from "../gateway/reply_quote.ts";
import type { AppDeps, AppEnv } from "./app_env.ts";
import { chatAccess, historyFrame, isVisible } from "./chat_access.ts";
import { badRequest, forbidden } from "./errors.ts";
import { intParam } from "./query_params.ts";
import { requireSession } from "./session_middleware.ts";

const MAX_TIME = 2 ** 31 - 1;

/** The chat routes (mounted under `/api`). */
export function chatRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { backend } = deps;
  app.use("*", requireSession(deps));

  app.get("/chats/:chatid/messages", async (c) => {
    const accountid = c.get("accountid");
    const access = await chatAccess(backend.groups, c.req.param("chatid"), accountid);
    const { chat } = access;
    const typeName = c.req.query("type");
    if (typeName && !messageTypeNames.includes(typeName as MessageTypeName)) {
      throw badRequest(`type must be one of ${messageTypeNames.join(", ")}`);
    }
    const q = c.req.query("q") ?? "";
    if (q.length > 200) throw badRequest("q must be at most 200 characters");
    const query: HistoryQuery = {
      chatid: chat.chatid,
      limit: intParam(c, "limit", 1, 100, 20)!,
      before: intParam(c, "before", 0, Number.MAX_SAFE_INTEGER),
      after: intParam(c, "after", 0, Number.MAX_SAFE_INTEGER),
      type: typeName ? MessageType[typeName as MessageTypeName] : undefined,
      q: q.trim() || undefined,
      since: intParam(c, "since", 0, MAX_TIME),
      until: intParam(c, "until", 0, MAX_TIME),
      ...(access.visible ? { visible: access.visible } : {}),
    };
    const page = await newestFromRecent(query) ?? await backend.archive.history(query);
    let hasMore = page.hasMore;
    const unfiltered = [query.type, query.q, query.until].every((v) => v === undefined);
    // A former member will never see what comes after its last stretch.
    if (query.after !== undefined && !hasMore && unfiltered && access.current) {
      // Accepted messages reach the archive a moment after their ack (or, while MySQL is away,
      // much later): a catch-up that ends before the chat's last seq is told to ask again.
      const last = page.messages.at(-1)?.seq ?? query.after;
      hasMore = await backend.producer.lastSeq(chat.chatid) > last;
    }
    return c.json({ messages: await sayFrames(page.messages, accountid), hasMore });
  });

  /** History's `say` frames as `viewer` reads them, images and files with their `File`. */
  async function sayFrames(stored: ChatMessage[], viewer: string) {
    const messages = await withQuoteState(backend.archive, stored);
    const ids = messages.filter((m) => m.type !== MessageType.text && m.fileId).map((m) =>
      m.fileId
    );
    const files = await backend.files.findFiles(ids);
    return messages.map((m) => {
      const file = files.get(m.fileId);
      return historyFrame(m, viewer, file ? toFileInfo(file) : undefined);
    });
  }

  /** The plain newest page straight from the hot last-20 list, when it holds enough. */
  async function newestFromRecent(query: HistoryQuery): Promise<HistoryPage | null> {
    const { before, after, type, q, since, until, limit } = query;
    if ([before, after, type, q, since, until].some((v) => v !== undefined)) return null;
    const recent = await backend.recent.lastMessages(query.chatid);
    const page = recent.slice(-limit);
    if (page.length === 0 || (page.length < limit && page[0].seq > 1)) return null;
    // A group member who may not read all of them gets the page from the archive's filter.
    if (!page.every((m) => isVisible(m, query.visible))) return null;
    return { messages: page, hasMore: page[0].seq > 1 };
  }

  app.post("/chats/:chatid/read", async (c) => {
    const accountid = c.get("accountid");
    const { chat, current } = await chatAccess(backend.groups, c.req.param("chatid"), accountid);
    if (!current) throw forbidden(`you are no longer a member of ${chat.chatid}`);
    await backend.inbox.markRead(accountid, chat.chatid);
    deps.gateway.ctx.hub.sendTo([accountid], JSON.stringify({ type: "read", chatid: chat.chatid }));
    return c.body(null, 204);
  });

  app.get("/contacts", async (c) => {
    const accountid = c.get("accountid");
    const limit = intParam(c, "limit", 1, 200, 20)!;
    const [recent, unread] = await Promise.all([
      backend.recent.contacts(accountid, limit),
      backend.inbox.unread(accountid),
    ]);
    const contacts = await titledContacts(backend.users, backend.groups, accountid, recent, unread);
    return c.json({ contacts });
  });

  app.delete("/contacts/:chatid", async (c) => {
    const chat = parseChatId(c.req.param("chatid"));
    if (typeof chat === "string") throw badRequest(chat);
    await backend.recent.removeContact(c.get("accountid"), chat.chatid);
    return c.body(null, 204);
  });

  app.get("/unread", async (c) => {
    const accountid = c.get("accountid");
    const [unread, mentions, broadcast] = await Promise.all([
      backend.inbox.unread(accountid),
      backend.inbox.mentions(accountid),
      backend.inbox.broadcastUnread(accountid),
    ]);
    return c.json({ unread, mentions, broadcast });
  });

  app.get("/online", async (c) => c.json({ online: await backend.presence.list() }));

  return app;
}
