/**
 * Who may read and mark which chat: the two people of a one-to-one chat; for a group, its
 * current members (from their join time on) and its former members (what they could read while
 * they were members, nothing after).
 *
 * @module
 */
import type { FileInfo } from "../files/file_info.ts";
import { type ChatId, parseChatId } from "../gateway/chat_id.ts";
import { MENTION_ALL } from "../gateway/mentions.ts";
import type { SayFrame } from "../gateway/protocol.ts";
import { toSayFrame } from "../gateway/say.ts";
import type { MidRange } from "../queue/archive.ts";
import { type ChatMessage, firstMidAt } from "../queue/message.ts";
import type { GroupStore, MemberSpan } from "../store/groups.ts";
import { badRequest, forbidden } from "./errors.ts";

/** What an account may do in a chat. */
export interface ChatAccess {
  chat: ChatId;
  /** A participant now (may mark read, sees new messages). */
  current: boolean;
  /** The mids it may read (groups); undefined: all of them. */
  visible?: MidRange[];
}

/** The asker's access to `chatid`; throws 400 for a malformed id, 403 when it has none. */
export async function chatAccess(
  groups: GroupStore,
  chatid: string,
  accountid: string,
): Promise<ChatAccess> {
  const chat = parseChatId(chatid);
  if (typeof chat === "string") throw badRequest(chat);
  if (chat.kind === "direct") {
    if (!chat.members.includes(accountid)) {
      throw forbidden(`you are not a participant of ${chat.chatid}`);
    }
    return { chat, current: true };
  }
  const spans = await groups.spans(chat.chatid, accountid);
  if (spans.length === 0) throw forbidden(`you are not a member of ${chat.chatid}`);
  return {
    chat,
    current: spans.at(-1)!.toMs === null,
    visible: visibleRanges(spans),
  };
}

/** A group member's stretches as the mid ranges it may read. */
export function visibleRanges(spans: MemberSpan[]): MidRange[] {
  // The line that removed someone is theirs to read: the range ends after its millisecond.
  return spans.map((s) => ({
    from: firstMidAt(s.fromMs),
    to: s.toMs === null ? null : firstMidAt(s.toMs + 1),
  }));
}

/** True when `message` falls in one of `visible`'s ranges (all when undefined). */
export function isVisible(message: ChatMessage, visible: MidRange[] | undefined): boolean {
  if (!visible) return true;
  return visible.some((r) => message.mid >= r.from && (r.to === null || message.mid < r.to));
}

/** The `say` frame as `viewer` reads it in the history: `mention` set when it names them. */
export function historyFrame(message: ChatMessage, viewer: string, file?: FileInfo): SayFrame {
  const frame = toSayFrame(message, file);
  const named = message.mentions?.includes(viewer) || message.mentions?.includes(MENTION_ALL);
  return named && message.fromuser !== viewer ? { ...frame, mention: true } : frame;
}
