/**
 * The search port: the index of archived text messages (filled by the archive in the same
 * batch) and the lookup of candidate messages in the chats a reader may read. The index only
 * narrows; `search_messages.ts` checks each candidate against its text.
 *
 * Contract: `candidates` answers mids newest first, each at most once, only of the scopes
 * given (and, in a scope with `visible`, only within its ranges), only messages that carried
 * every token when last indexed; a recalled message is gone from the index, an edited one is
 * found by its new text.
 *
 * @module
 */
import type { MidRange } from "./archive.ts";

/** A chat the reader may search, and for groups the mids it may read there. */
export interface SearchScope {
  chatid: string;
  /** Groups: the reader's stretches of membership as mid ranges; absent: every message. */
  visible?: MidRange[];
}

/** One lookup in the index. All mid bounds are on message ids (which start with their time). */
export interface CandidateQuery {
  scopes: SearchScope[];
  /** Every token a candidate must have (1..6), see `parseQuery`. */
  tokens: string[];
  /** Only messages of this sender. */
  fromuser?: string;
  /** Only mids below this one (the paging cursor). */
  beforeMid?: string;
  /** Only mids from this one on. */
  sinceMid?: string;
  /** Only mids below this one. */
  untilMid?: string;
  /** Most mids answered, 1..500. */
  limit: number;
}

/** The search index's read side. */
export interface MessageSearch {
  /** Candidate mids, newest first (see the module's contract). */
  candidates(query: CandidateQuery): Promise<string[]>;
  /** The one-to-one chats `accountid` has messages in (sent or received), any order. */
  directChats(accountid: string): Promise<string[]>;
}
