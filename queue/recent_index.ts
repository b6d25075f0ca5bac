/**
 * The recent index port: the hot, rebuildable views the worker maintains after archiving:
 * the last 20 messages of each chat and each account's recent contacts.
 *
 * @module
 */
import type { ChatMessage } from "./message.ts";

/** How many messages of each chat are kept hot. */
export const RECENT_MESSAGES_PER_CHAT = 20;

/** A recent-contacts entry: a chat and the time of its last message. */
export interface RecentContact {
  chatid: string;
  time: number;
}

/** Hot views over archived messages. */
export interface RecentIndex {
  /** Adds archived messages to each chat's last-20 list and to every member's contacts. */
  record(messages: ChatMessage[]): Promise<void>;
  /**
   * Replaces the kept copies of recalled or edited messages (same `mid`) by their new state;
   * messages no longer among their chat's last 20 are left alone.
   */
  amend(messages: ChatMessage[]): Promise<void>;
  /** The chat's newest messages (at most 20), ascending `seq`. */
  lastMessages(chatid: string): Promise<ChatMessage[]>;
  /** An account's chats, newest first. */
  contacts(accountid: string, limit: number): Promise<RecentContact[]>;
  /** Removes a chat from an account's contacts. */
  removeContact(accountid: string, chatid: string): Promise<void>;
}
