/**
 * The broadcast archive port: where every broadcast is kept for ever (MySQL's yearly
 * `webchat_broadcastYYYY` tables plus `webchat_broadcast_recipient` in production), written by
 * the archive worker and read by `GET /api/broadcasts`.
 *
 * Contract: `saveBroadcasts` is all-or-nothing and idempotent (a `bid` already archived is
 * ignored); `list` and `find` show a broadcast to its sender and its recipients only, newest
 * first, by an index on the account (never a scan of every broadcast).
 *
 * @module
 */
import type { Broadcast } from "./broadcast.ts";

/** Longest subject and recipients' label, in characters (the MySQL columns' widths). */
export const MAX_BROADCAST_TITLE = 200;
/** See {@link MAX_BROADCAST_TITLE}. */
export const MAX_BROADCAST_LABEL = 500;

/** A broadcast as listed: the `broadcast` frame's fields and how many it went to. */
export interface ListedBroadcast {
  bid: string;
  fromuser: string;
  touserTitle: string;
  title: string;
  content: string;
  time: number;
  /** How many recipients it had. */
  recipients: number;
}

/** A page of broadcasts, newest first. */
export interface BroadcastPage {
  broadcasts: ListedBroadcast[];
  /** Older ones exist. */
  hasMore: boolean;
}

/** The permanent broadcast store. */
export interface BroadcastArchive {
  /**
   * Stores broadcasts with their recipients; `bid`s already present are skipped. Rejects with
   * `MessageRejectedError` (nothing stored) when one can never be stored.
   */
  saveBroadcasts(broadcasts: Broadcast[]): Promise<void>;
  /** The account's broadcasts (sent or received), newest first, older than `before` when given. */
  list(accountid: string, before: string | null, limit: number): Promise<BroadcastPage>;
  /** One broadcast, when the account sent or received it; else null. */
  find(bid: string, accountid: string): Promise<ListedBroadcast | null>;
}
