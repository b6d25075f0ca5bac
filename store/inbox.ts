/**
 * The inbox port: per-account unread counters, mention counters (group messages that name the
 * account), the broadcast unread counter and the offline list (the newest messages that arrived
 * while the account had no connection).
 *
 * @module
 */

/** How many offline messages are kept per account. */
export const OFFLINE_LIMIT = 50;

/** The accounts a message mentions, and the frame they get instead of the plain one. */
export interface MentionDelivery {
  accountids: string[];
  /** The serialized `say` with `"mention":true`, for their offline lists. */
  frame: string;
}

/** Unread counters and offline lists. */
export interface Inbox {
  /**
   * Records a delivered message for its other participants: +1 unread for each of `readers`,
   * and `frame` (a serialized `say`) on the offline list of each of `offline`; for the accounts
   * of `mention`, +1 mention count too, and `mention.frame` on their offline lists instead.
   */
  deliver(
    chatid: string,
    readers: string[],
    offline: string[],
    frame: string,
    mention?: MentionDelivery,
  ): Promise<void>;
  /** Unread counts by chat (only chats with unread messages). */
  unread(accountid: string): Promise<Record<string, number>>;
  /** Unread mentions by chat (only chats with some). */
  mentions(accountid: string): Promise<Record<string, number>>;
  /** Clears a chat's unread and mention counts. */
  markRead(accountid: string, chatid: string): Promise<void>;
  /** Removes and returns the offline list, oldest first (serialized frames). */
  takeOffline(accountid: string): Promise<string[]>;
  /** Unread broadcasts (the original's counter). */
  broadcastUnread(accountid: string): Promise<number>;
  /** +1 unread broadcast for each account. */
  addBroadcastUnread(accountids: string[]): Promise<void>;
  /** Clears the account's unread broadcasts. */
  clearBroadcastUnread(accountid: string): Promise<void>;
}
