/**
 * Chat ids: one-to-one `a--b` (sorted byte order, `me--me` allowed) and group
 * `<owner>-<digits>`. Anything else is invalid.
 *
 * @module
 */
import { ACCOUNT_ID } from "../store/users.ts";

/** A parsed chat id. */
export type ChatId =
  | { kind: "direct"; chatid: string; members: [string, string] }
  | { kind: "group"; chatid: string; owner: string };

const ACCOUNT = ACCOUNT_ID.source.slice(1, -1);
const DIRECT = new RegExp(`^(${ACCOUNT})--(${ACCOUNT})$`);
const GROUP = new RegExp(`^(${ACCOUNT})-(\\d{1,20})$`);

/** Parses a chat id, or returns a sentence saying why it is not one. */
export function parseChatId(chatid: unknown): ChatId | string {
  if (typeof chatid !== "string" || chatid === "") return "chatid must be a non-empty string";
  const direct = DIRECT.exec(chatid);
  if (direct) {
    const [, a, b] = direct;
    if (a > b) return `chatid "${chatid}" must list its accounts in sorted order: ${b}--${a}`;
    return { kind: "direct", chatid, members: [a, b] };
  }
  const group = GROUP.exec(chatid);
  if (group) return { kind: "group", chatid, owner: group[1] };
  return `chatid ${JSON.stringify(chatid.slice(0, 100))} is neither "a--b" nor "owner-digits"`;
}

/** The one-to-one chat id of two accounts. */
export function directChatId(a: string, b: string): string {
  return a < b ? `${a}--${b}` : `${b}--${a}`;
}
