/**
 * Search over the whole archive for one reader: which chats it may search (its one-to-one
 * chats and, from their join time on, its groups), the index's candidates newest first, and
 * each candidate checked against its text as it is now, with the offsets of what matched.
 *
 * @module
 */
import type { MessageArchive } from "../queue/archive.ts";
import { type ChatMessage, firstMidAt, MessageType } from "../queue/message.ts";
import type { MessageSearch, SearchScope } from "../queue/search.ts";
import { matchRanges, type ParsedQuery } from "../queue/search_tokens.ts";
import type { GroupStore } from "../store/groups.ts";
import { isVisible, visibleRanges } from "./chat_access.ts";

/** What one search asks (checked by the route). */
export interface MessageSearchQuery {
  parsed: ParsedQuery;
  scopes: SearchScope[];
  fromuser?: string;
  /** Unix seconds, inclusive. */
  since?: number;
  until?: number;
  /** The `next` of the page before. */
  cursor?: string;
  /** Page size, 1..50. */
  limit: number;
}

/** A found message and where its text matched (`[start, end)` UTF-16 offsets). */
export interface SearchHit {
  message: ChatMessage;
  ranges: [number, number][];
}

/** A page of hits, newest first; `next` continues it (null: nothing older matches). */
export interface SearchPage {
  hits: SearchHit[];
  next: string | null;
}

/** Rounds of candidates one page may read before answering a short page with `next`. */
const MAX_ROUNDS = 4;

/** Every chat `accountid` may search: its one-to-one chats, and its groups as it may read them. */
export async function readableScopes(
  search: MessageSearch,
  groups: GroupStore,
  accountid: string,
): Promise<SearchScope[]> {
  const [direct, memberships] = await Promise.all([
    search.directChats(accountid),
    groups.memberships(accountid),
  ]);
  return [
    ...direct.map((chatid) => ({ chatid })),
    ...[...memberships].map(([chatid, spans]) => ({ chatid, visible: visibleRanges(spans) })),
  ];
}

/**
 * One page. The index answers candidates; each is read from the archive and kept only when it
 * is a text message, not recalled, in a scope the reader may read, in the time bounds, and its
 * text has every term (so an index row left behind by a crash, or a bigram pair that is not
 * adjacent in the text, never shows).
 */
export async function searchMessages(
  search: MessageSearch,
  archive: MessageArchive,
  query: MessageSearchQuery,
): Promise<SearchPage> {
  const scopes = new Map(query.scopes.map((s) => [s.chatid, s]));
  const hits: SearchHit[] = [];
  let before = query.cursor;
  const batch = Math.min(500, query.limit * 2);
  const sinceMid = query.since === undefined ? undefined : firstMidAt(query.since * 1000);
  const untilMid = query.until === undefined ? undefined : firstMidAt((query.until + 1) * 1000);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const mids = await search.candidates({
      scopes: query.scopes,
      tokens: query.parsed.tokens,
      fromuser: query.fromuser,
      beforeMid: before,
      sinceMid,
      untilMid,
      limit: batch,
    });
    const found = await archive.findMessages(mids);
    for (const mid of mids) {
      before = mid;
      const message = found.get(mid);
      const ranges = message && readable(message, query, scopes.get(message.chatid))
        ? matchRanges(message.message, query.parsed.terms)
        : null;
      if (message && ranges) hits.push({ message, ranges });
      if (hits.length === query.limit) {
        return { hits, next: mid === mids.at(-1) && mids.length < batch ? null : mid };
      }
    }
    if (mids.length < batch) return { hits, next: null };
  }
  return { hits, next: before ?? null };
}

function readable(m: ChatMessage, q: MessageSearchQuery, scope: SearchScope | undefined): boolean {
  return scope !== undefined && isVisible(m, scope.visible) && m.type === MessageType.text &&
    !m.recalled && (q.fromuser === undefined || m.fromuser === q.fromuser) &&
    (q.since === undefined || m.time >= q.since) && (q.until === undefined || m.time <= q.until);
}
