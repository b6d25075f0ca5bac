/**
 * The read receipts port: per (chat, account) the highest `seq` the account has read, so a
 * `read` costs one write however many messages it covers, and the account setting that turns
 * sending receipts off. Kept with the source of truth (MySQL, SQLite): a receipt is what the
 * other side was told, and cannot be rebuilt.
 *
 * Tables (same columns in both engines):
 * - `webchat_read_receipt`: chatid, accountid (primary key together), seq, time;
 * - `webchat_receipt_setting`: accountid (primary key), sending (0/1), time.
 *
 * @module
 */

/** Highest read seqs and the "send read receipts" setting. */
export interface ReadReceipts {
  /**
   * Raises the account's highest read seq of the chat to `seq`; true when it rose (a lower or
   * equal `seq` changes nothing).
   */
  mark(chatid: string, accountid: string, seq: number, time: number): Promise<boolean>;
  /**
   * The highest read seq of every account of the chat that has one, leaving out the accounts
   * that turned receipts off.
   */
  of(chatid: string): Promise<Record<string, number>>;
  /** Whether the account sends read receipts (true unless it turned them off). */
  sending(accountid: string): Promise<boolean>;
  /** Turns the account's read receipts on or off. */
  setSending(accountid: string, on: boolean, time: number): Promise<void>;
}
