/**
 * Who may download a file: its uploader, and whoever takes part in a chat it was sent into.
 * "Takes part" is the chat's own question ({@link TakesPart}): for a one-to-one chat the two
 * names of its id; for a group its members (see `gateway/chat_membership.ts`).
 *
 * @module
 */
import type { FileTable, StoredFile } from "./file_table.ts";

/**
 * Whether `accountid` takes part in `chatid` now or, given `atSeconds`, took part when something
 * was sent into it (a member who left keeps what they could see).
 */
export type TakesPart = (accountid: string, chatid: string, atSeconds?: number) => Promise<boolean>;

/** Chats of a file looked at for one download (a file forwarded more widely is rare). */
const MAX_CHATS_CHECKED = 1000;

/** Whether `accountid` may read `file`. */
export async function mayReadFile(
  file: StoredFile,
  accountid: string,
  files: FileTable,
  takesPart: TakesPart,
): Promise<boolean> {
  if (file.owner === accountid) return true;
  for (const { chatid, time } of await files.chatsOf(file.id, MAX_CHATS_CHECKED)) {
    if (await takesPart(accountid, chatid, time)) return true;
  }
  return false;
}
