/**
 * What the MySQL and SQLite broadcast archives share: the checks before a write, the rows of
 * the recipients table, and a row read back.
 *
 * @module
 */
import { MessageRejectedError } from "./archive.ts";
import type { Broadcast } from "./broadcast.ts";
import {
  type ListedBroadcast,
  MAX_BROADCAST_LABEL,
  MAX_BROADCAST_TITLE,
} from "./broadcast_archive.ts";

/** The broadcast table's columns (both engines). */
export const BROADCAST_COLUMNS = "bid, fromuser, touserTitle, title, content, time, recipients";

/** A broadcast's values in {@link BROADCAST_COLUMNS} order. */
export function broadcastRow(b: Broadcast): (string | number)[] {
  return [b.bid, b.fromuser, b.touserTitle, b.title, b.content, b.time, b.recipients.length];
}

/** The `(accountid, bid, time)` rows of one broadcast: every recipient, and the sender. */
export function recipientRows(b: Broadcast): [string, string, number][] {
  return [...new Set([b.fromuser, ...b.recipients])].map((account) => [account, b.bid, b.time]);
}

const utf8 = new TextDecoder();

/** A row of {@link BROADCAST_COLUMNS}; text may come back as bytes (SQLite, see its archive). */
export function listedFromRow(row: Record<string, unknown>): ListedBroadcast {
  const text = (v: unknown) => v instanceof Uint8Array ? utf8.decode(v) : String(v ?? "");
  return {
    bid: String(row.bid),
    fromuser: String(row.fromuser),
    touserTitle: text(row.touserTitle),
    title: text(row.title),
    content: text(row.content),
    time: Number(row.time),
    recipients: Number(row.recipients),
  };
}

/** Refuses, with {@link MessageRejectedError}, a broadcast that no archive can store. */
export function checkBroadcast(b: Broadcast): void {
  const reason = problem(b);
  if (reason) {
    throw new MessageRejectedError(`Cannot archive broadcast ${String(b?.bid)}: ${reason}`);
  }
}

function problem(b: Broadcast): string | null {
  const text = [b?.bid, b?.fromuser, b?.touserTitle, b?.title, b?.content];
  if (text.some((v) => typeof v !== "string")) return "a text field is missing";
  if (!/^[0-9a-f]{24}$/.test(b.bid)) return "bid is not 24 hex digits";
  if (!/^[A-Za-z0-9_.]{1,40}$/.test(b.fromuser)) return "fromuser is not an accountid";
  if (!Array.isArray(b.recipients) || b.recipients.length === 0) return "it has no recipients";
  if (!b.recipients.every((id) => typeof id === "string" && /^[A-Za-z0-9_.]{1,40}$/.test(id))) {
    return "a recipient is not an accountid";
  }
  if (!Number.isSafeInteger(b.time) || b.time < 0 || b.time > 0x7fffffff) {
    return `time ${b.time} is not a unix time`;
  }
  if ([...b.title].length > MAX_BROADCAST_TITLE) return "title is too long";
  if ([...b.touserTitle].length > MAX_BROADCAST_LABEL) return "touserTitle is too long";
  if (!text.every((v) => (v as string).isWellFormed())) return "text is not valid Unicode";
  return null;
}

/** Throws `RangeError` on a page size outside 1..50 or a cursor that is not a bid. */
export function checkListQuery(before: string | null, limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > 50) {
    throw new RangeError(`Cannot list broadcasts: limit must be 1..50, got ${limit}`);
  }
  if (before !== null && !/^[0-9a-f]{24}$/.test(before)) {
    throw new RangeError("Cannot list broadcasts: before must be a bid");
  }
}
