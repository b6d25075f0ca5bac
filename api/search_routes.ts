/**
 * `GET /api/search`: the asking account's messages across every month of the archive, in the
 * chats it may read (a group from its join time on), newest first, with what matched.
 *
 * @module
 */
import { Hono } from "hono";
import { parseQuery } from "../queue/search_tokens.ts";
import { ACCOUNT_ID } from "../store/users.ts";
import type { AppDeps, AppEnv } from "./app_env.ts";
import { chatAccess, historyFrame } from "./chat_access.ts";
import { badRequest } from "./errors.ts";
import { readableScopes, searchMessages } from "./message_search.ts";
import { intParam } from "./query_params.ts";
import { requireSession } from "./session_middleware.ts";
import { withQuoteState } from "../gateway/reply_quote.ts";

const MAX_TIME = 2 ** 31 - 1;

/** Longest query, in characters. */
export const MAX_QUERY_CHARS = 100;

/**
 * What a query may hold: letters, marks, digits, spaces and a few marks found inside words and
 * sentences. Anything else (`%`, `*`, `[`, `=` …) is refused rather than quietly dropped, so
 * nobody mistakes the search for a pattern or SQL language.
 */
const QUERY_CHARS = /^[\p{L}\p{M}\p{N}\s.,'’\-、，。！？：；·]+$/v;

/** The search route (mounted under `/api`). */
export function searchRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { backend } = deps;
  app.use("*", requireSession(deps));

  app.get("/search", async (c) => {
    const accountid = c.get("accountid");
    const q = (c.req.query("q") ?? "").trim();
    const length = [...q].length;
    if (length < 2 || length > MAX_QUERY_CHARS) {
      throw badRequest(`q must be 2 to ${MAX_QUERY_CHARS} characters`);
    }
    if (!QUERY_CHARS.test(q)) {
      throw badRequest(
        "q may hold only letters, digits, spaces and . , ' - (it is text, not a pattern)",
      );
    }
    const parsed = parseQuery(q);
    if (!parsed) {
      throw badRequest(
        "q needs a word of 2 letters or digits, or 2 Chinese, Japanese or Korean characters",
      );
    }
    const from = c.req.query("from") || undefined;
    if (from !== undefined && !ACCOUNT_ID.test(from)) throw badRequest("from must be an accountid");
    const since = intParam(c, "since", 0, MAX_TIME);
    const until = intParam(c, "until", 0, MAX_TIME);
    if (since !== undefined && until !== undefined && since > until) {
      throw badRequest("since must not be after until");
    }
    const cursor = c.req.query("cursor") || undefined;
    if (cursor !== undefined && !/^[0-9a-f]{24}$/.test(cursor)) {
      throw badRequest("cursor must be the next of an earlier answer");
    }
    const limit = intParam(c, "limit", 1, 50, 20)!;
    const chatid = c.req.query("chatid") || undefined;
    // One chat: 400 for a malformed id, 403 for a chat the asker is not part of (as history).
    const scopes = chatid === undefined
      ? await readableScopes(backend.search, backend.groups, accountid)
      : [await chatAccess(backend.groups, chatid, accountid)].map((a) => ({
        chatid: a.chat.chatid,
        ...(a.visible ? { visible: a.visible } : {}),
      }));
    const page = await searchMessages(backend.search, backend.archive, {
      parsed,
      scopes,
      fromuser: from,
      since,
      until,
      cursor,
      limit,
    });
    const messages = await withQuoteState(backend.archive, page.hits.map((h) => h.message));
    return c.json({
      hits: messages.map((m, i) => ({
        message: historyFrame(m, accountid),
        ranges: page.hits[i].ranges,
      })),
      next: page.next,
    });
  });

  return app;
}
