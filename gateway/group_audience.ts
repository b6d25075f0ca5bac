/**
 * Who a `say` into a group goes to: the group's current members, if the sender is one (checked
 * against the cached member list, which every change invalidates), and whom it mentions.
 *
 * @module
 */
import type { GatewayContext } from "./gateway_context.ts";
import { findMentions } from "./mentions.ts";
import { ErrorCode, type FrameError } from "./protocol.ts";

/** The members a group message goes to and its mentions, or the error to answer. */
export async function groupAudience(
  ctx: GatewayContext,
  chatid: string,
  sender: string,
  content: string,
): Promise<{ members: string[]; mentions?: string[] } | FrameError> {
  let group;
  try {
    group = await ctx.groups.find(chatid);
  } catch (error) {
    ctx.log(`say: group lookup failed: ${error}`);
    return { info: ErrorCode.unavailable, msg: "the group directory is unavailable; retry later" };
  }
  const members = group?.members.map((m) => m.accountid) ?? [];
  // The same answer whether the group does not exist or you are not in it.
  if (!group || !members.includes(sender)) {
    return { info: ErrorCode.forbidden, msg: `you are not a member of ${chatid}` };
  }
  const mentions = findMentions(content, members, group.owner, sender);
  if (typeof mentions === "string") return { info: ErrorCode.badRequest, msg: mentions };
  return mentions.length > 0 ? { members, mentions } : { members };
}
