/**
 * The server's own lines in a group's history ("alice added bob and carol", "alice left"): each
 * one a message of type `system` from the actor, queued like any other (so it has its `seq` and
 * reaches the archive, and members who were offline read it in the history), delivered to the
 * members it concerns, and counted unread for nobody.
 *
 * @module
 */
import { MessageType, newMid } from "../queue/message.ts";
import type { UserStore } from "../store/users.ts";
import type { GatewayContext } from "./gateway_context.ts";
import { deliverMessage } from "./say.ts";

/** Names listed in one line before "and N others". */
const NAMES_SHOWN = 10;

/**
 * Queues and delivers one line of `actor` in `chatid` to `members` (every account the change
 * concerns, removed ones included, so they see it). A line that cannot be queued is logged: the
 * change itself is stored already.
 */
export async function postSystemLine(
  ctx: GatewayContext,
  chatid: string,
  actor: string,
  text: string,
  members: string[],
  atMs: number,
): Promise<void> {
  try {
    const result = await ctx.producer.enqueue({
      mid: newMid(atMs),
      chatid,
      fromuser: actor,
      message: text,
      type: MessageType.system,
      fileId: "",
      time: Math.floor(atMs / 1000),
      cid: "",
      members,
    });
    if (!result.duplicate) await deliverMessage(ctx, result.message, { unread: false });
  } catch (error) {
    ctx.log(`group ${chatid}: the history line "${text.slice(0, 80)}" was not queued: ${error}`);
  }
}

/** "Bob", "Bob and Carol", "Bob, Carol and Dave", "… and 1,990 others": display names. */
export async function nameList(users: UserStore, accountids: string[]): Promise<string> {
  const shown = await Promise.all(
    accountids.slice(0, NAMES_SHOWN).map((id) => displayName(users, id)),
  );
  const rest = accountids.length - shown.length;
  if (rest > 0) return `${shown.join(", ")} and ${rest.toLocaleString("en")} others`;
  return shown.length <= 1
    ? shown.join("")
    : `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}`;
}

/** The account's name, or its id when it cannot be looked up. */
export async function displayName(users: UserStore, accountid: string): Promise<string> {
  try {
    return (await users.find(accountid))?.username || accountid;
  } catch {
    return accountid;
  }
}
