/**
 * Broadcasts (notices) on their way through the queue: a broadcast is queued as a message of
 * the pseudo chat {@link BROADCAST_CHATID} (so it shares the queue's durability, `cid`
 * idempotency and worker), its `mid` is the broadcast's `bid`, `members` its recipients and
 * `broadcast` its subject and label. The worker archives it apart from chat messages.
 *
 * @module
 */
import type { ChatMessage } from "./message.ts";

/** The chat id broadcasts are queued under; no real chat id can take it (they all have "-"). */
export const BROADCAST_CHATID = "broadcast";

/** A broadcast as it is archived and listed. */
export interface Broadcast {
  bid: string;
  fromuser: string;
  touserTitle: string;
  title: string;
  content: string;
  time: number;
  /** Every recipient (the sender is not one unless listed). */
  recipients: string[];
}

/** True for a queued broadcast (as opposed to a chat message). */
export function isBroadcast(message: ChatMessage): boolean {
  return message.chatid === BROADCAST_CHATID;
}

/** The broadcast a queued message carries. */
export function broadcastOf(message: ChatMessage): Broadcast {
  return {
    bid: message.mid,
    fromuser: message.fromuser,
    touserTitle: message.broadcast?.touserTitle ?? "",
    title: message.broadcast?.title ?? "",
    content: message.message,
    time: message.time,
    recipients: message.members,
  };
}
