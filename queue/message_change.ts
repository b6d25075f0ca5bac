/**
 * Recalls and edits on their way through the queue: a change is queued as a message of the
 * pseudo chat {@link CHANGE_CHATID} (so it shares the queue's durability, order, `cid`
 * idempotency and worker, like broadcasts), its `change` naming the message it changes. The
 * worker applies it to the archived message (whose `mid` and `seq` stay) and to the chat's
 * hot last-20 list, so history follows.
 *
 * @module
 */
import type { ChatMessage, MessageChange } from "./message.ts";

/** The chat id changes are queued under; no real chat id can take it (they all have "-"). */
export const CHANGE_CHATID = "change";

/** True for a queued recall or edit (as opposed to a chat message or a broadcast). */
export function isChange(message: ChatMessage): boolean {
  return message.chatid === CHANGE_CHATID && message.change !== undefined;
}

/**
 * `message` with `change` applied, as the archive keeps it: a recall empties the text and the
 * file and wins over every edit (an edit of a recalled message changes nothing).
 */
export function applyChange(message: ChatMessage, change: MessageChange): ChatMessage {
  if (message.recalled) return message;
  if (change.kind === "recall") {
    return { ...message, message: "", fileId: "", recalled: { by: change.by, time: change.time } };
  }
  return { ...message, message: change.text, edited: change.time };
}
