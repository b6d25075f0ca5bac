/**
 * Recent contacts as clients see them: each chat with its unread count and a title (the other
 * person's name for a one-to-one chat, the group's title for a group). Used by `init` and by
 * `GET /api/contacts`.
 *
 * @module
 */
import type { RecentContact } from "../queue/recent_index.ts";
import type { GroupStore } from "../store/groups.ts";
import type { UserStore } from "../store/users.ts";
import { parseChatId } from "./chat_id.ts";

/** A contact entry of `init.contacts` and `/api/contacts`. */
export interface Contact {
  chatid: string;
  time: number;
  unread: number;
  title: string;
}

/** Adds unread counts and titles to an account's recent chats; each name is looked up once. */
export async function titledContacts(
  users: UserStore,
  groups: GroupStore,
  accountid: string,
  chats: RecentContact[],
  unread: Record<string, number>,
): Promise<Contact[]> {
  const others = new Map<string, string>();
  const groupIds: string[] = [];
  for (const { chatid } of chats) {
    const chat = parseChatId(chatid);
    if (typeof chat === "string") continue;
    if (chat.kind === "group") groupIds.push(chatid);
    else others.set(chatid, chat.members[0] === accountid ? chat.members[1] : chat.members[0]);
  }
  const names = new Map<string, string>();
  const titles = new Map<string, string>();
  await Promise.all([
    ...[...new Set(others.values())].map(async (id) => {
      names.set(id, (await users.find(id))?.username ?? id);
    }),
    ...groupIds.map(async (chatid) => {
      // A group that cannot be read now still shows up, untitled.
      titles.set(chatid, (await groups.find(chatid).catch(() => null))?.title ?? "");
    }),
  ]);
  return chats.map(({ chatid, time }) => ({
    chatid,
    time,
    unread: unread[chatid] ?? 0,
    title: titles.get(chatid) ?? names.get(others.get(chatid) ?? "") ?? "",
  }));
}
