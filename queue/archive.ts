/**
 * The archive port: where every accepted message is kept for ever (MySQL's monthly
 * `webchat_messageYYYYMM` tables in production).
 *
 * Contract: `saveMessages` is all-or-nothing and idempotent (a `mid` already archived is
 * ignored); `history` reads across every month.
 *
 * @module
 */
import type { ChatMessage, MessageChange, MessageTypeCode } from "./message.ts";

/** A history query over one chat. All bounds are exclusive; absent = unbounded. */
export interface HistoryQuery {
  chatid: string;
  /** Page size, 1..100. */
  limit: number;
  /** Only messages with `seq < before`. */
  before?: number;
  /** Only messages with `seq > after` (the page right after it, ascending). */
  after?: number;
  type?: MessageTypeCode;
  /** Words that must all occur in the text (plain substring match, case-insensitive). */
  q?: string;
  /** Only messages with `time >= since`. */
  since?: number;
  /** Only messages with `time <= until`. */
  until?: number;
  /**
   * Group chats: only messages whose `mid` falls in one of these ranges (the reader's
   * stretches of membership); absent = every message, empty = none.
   */
  visible?: MidRange[];
}

/** Mids from `from` (inclusive) to `to` (exclusive; null = no end). */
export interface MidRange {
  from: string;
  to: string | null;
}

/** A page of history in ascending `seq`. */
export interface HistoryPage {
  messages: ChatMessage[];
  /** More messages exist beyond the page in the direction read. */
  hasMore: boolean;
}

/**
 * Thrown by `saveMessages` when the archive refuses a message for good because of its data (a
 * malformed field, a value the column cannot hold), never for the store's state. Retrying the
 * same message cannot succeed; the worker sets it aside instead (see `MessageConsumer.park`).
 */
export class MessageRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MessageRejectedError";
  }
}

/** The permanent message store. */
export interface MessageArchive {
  /**
   * Stores messages; `mid`s already present are skipped. Resolves once committed. Rejects with
   * {@link MessageRejectedError} when a message can never be stored (nothing is stored then).
   */
  saveMessages(messages: ChatMessage[]): Promise<void>;
  /**
   * One page: without `after`, the newest `limit` messages matching (before `before` when
   * given); with `after`, the oldest `limit` messages after it.
   */
  history(query: HistoryQuery): Promise<HistoryPage>;
  /**
   * The archived messages with these `mid`s, whatever their chat, as they are now (recalled or
   * edited). Mids not archived are left out.
   */
  findMessages(mids: string[]): Promise<Map<string, ChatMessage>>;
  /**
   * Applies recalls and edits, in order, to archived messages (see `applyChange`: a recall
   * wins over every edit); answers the changed messages as they are now. A change of a `mid`
   * not archived is skipped. Idempotent: applying the same changes again changes nothing more.
   * Rejects with {@link MessageRejectedError} (nothing applied) when a change is malformed.
   */
  applyChanges(changes: MessageChange[]): Promise<ChatMessage[]>;
}
