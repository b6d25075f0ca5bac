/**
 * The one answer to "does this account take part in this chat?", for questions asked outside
 * the `say` path (who may download a file sent into a chat, who may attach an upload to it). A
 * one-to-one chat's participants are the two names of its id; a group's are its current members,
 * from the group store, and, given the time something was sent into it, also those who were
 * members then: someone who left keeps what they could see. (A member who joined later may
 * download a file sent before, though history does not show them that message: its id is
 * unguessable, and any member could pass the bytes on anyway.)
 *
 * @module
 */
import type { TakesPart } from "../files/file_access.ts";
import type { Backend } from "../store/backend.ts";
import { parseChatId } from "./chat_id.ts";

/** The membership question over a backend's stores. */
export function chatMembership(backend: Pick<Backend, "groups">): TakesPart {
  return async (accountid, chatid, atSeconds) => {
    const chat = parseChatId(chatid);
    if (typeof chat === "string") return false;
    if (chat.kind === "direct") return chat.members.includes(accountid);
    const spans = await backend.groups.spans(chat.chatid, accountid);
    if (spans.some((span) => span.toMs === null)) return true;
    if (atSeconds === undefined) return false;
    // Seconds against milliseconds: a stretch that ends in the second of the send counts.
    const from = atSeconds * 1000, to = from + 999;
    return spans.some((span) => span.fromMs <= to && span.toMs !== null && span.toMs >= from);
  };
}
