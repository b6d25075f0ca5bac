/**
 * The one answer to "does this account take part in this chat?", for questions asked outside
 * the `say` path (who may download a file sent into a chat). A one-to-one chat's participants
 * are the two names of its id; a group's are its members, which the groups work answers here
 * from the group store (until then nobody is a member of a group).
 *
 * @module
 */
import type { TakesPart } from "../files/file_access.ts";
import type { Backend } from "../store/backend.ts";
import { parseChatId } from "./chat_id.ts";

/** The membership question over a backend's stores. */
export function chatMembership(_backend: Backend): TakesPart {
  return (accountid, chatid) => {
    const chat = parseChatId(chatid);
    if (typeof chat === "string") return Promise.resolve(false);
    if (chat.kind === "direct") return Promise.resolve(chat.members.includes(accountid));
    // Groups: answered from the group's members once groups exist.
    return Promise.resolve(false);
  };
}
