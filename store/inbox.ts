/**
 * The inbox port: per-account unread counters and the offline list (the newest messages that
 * arrived while the account had no connection).
 *
 * @module
 */

/** How many offline messages are kept per account. */
export const OFFLINE_LIMIT = 50;

/** Unread counters and offline lists. */
export interface Inbox {
  /**
   * Records a delivered message for its other participants: +1 unread for each of `readers`,
   * and `frame` (a serialized `say`) on the offline list of each of `offline`.
   */
  deliver(chatid: string, readers: string[], offline: string[], frame: string): Promise<void>;
  /** Unread counts by chat (only chats with unread messages). */
  unread(accountid: string): Promise<Record<string, number>>;
  /** Clears a chat's unread count. */
  markRead(accountid: string, chatid: string): Promise<void>;
  /** Removes and returns the offline list, oldest first (serialized frames). */
  takeOffline(accountid: string): Promise<string[]>;
  /** Unread broadcasts (kept for the original's key; broadcasts come later). */
  broadcastUnread(accountid: string): Promise<number>;
}
