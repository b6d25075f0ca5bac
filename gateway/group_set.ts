/**
 * The `groupset` handler: creates a group or replaces its member list (rules in
 * `group_rules.ts`), stores the change in the group directory (all or nothing, against the
 * version it was planned on), then tells every connection of the old and the new members at
 * once (`groupset` frame) and writes the change into the group's history as system lines.
 *
 * @module
 */
import type { Group } from "../store/groups.ts";
import type { ClientFrame, FrameError, GroupsetFrame } from "./protocol.ts";
import { ErrorCode } from "./protocol.ts";
import { parseChatId } from "./chat_id.ts";
import type { Connection } from "./connection.ts";
import type { GatewayContext } from "./gateway_context.ts";
import { type GroupPlan, planGroupset } from "./group_rules.ts";
import { displayName, nameList, postSystemLine } from "./system_lines.ts";

type GroupsetRequest = Extract<ClientFrame, { type: "groupset" }>;

/** Plans read against a version that moved on meanwhile are made again this often. */
const ATTEMPTS = 3;

/** Handles one `groupset` frame of a logged-in connection. */
export async function handleGroupset(
  ctx: GatewayContext,
  connection: Connection,
  frame: GroupsetRequest,
): Promise<void> {
  const fail = (error: FrameError) => connection.sendError(error);
  const actor = connection.accountid;
  const chat = parseChatId(frame.chatid);
  if (typeof chat === "string") return fail({ info: ErrorCode.badRequest, msg: chat });
  if (chat.kind !== "group") {
    return fail({
      info: ErrorCode.badRequest,
      msg: "groupset needs a group chat id (owner-digits)",
    });
  }
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const before = await ctx.groups.find(chat.chatid);
      const plan = planGroupset(before, {
        chatid: chat.chatid,
        idOwner: chat.owner,
        actor,
        members: frame.members,
        title: frame.title,
        maxMembers: ctx.config.groups.maxMembers,
      });
      if ("info" in plan) return fail(plan);
      if (plan.kind === "none") {
        // Nothing to change: the asker gets the group as it is.
        return connection.sendJson(groupsetFrame(before!, actor, [], []));
      }
      const newcomers = plan.kind === "create" ? plan.members.slice(1) : plan.add;
      const unknown = await unknownAccounts(ctx, newcomers);
      if (unknown) return fail({ info: ErrorCode.badRequest, msg: unknown });
      const atMs = Date.now();
      const after = plan.kind === "create"
        ? await ctx.groups.create({
          chatid: chat.chatid,
          title: plan.title || await defaultTitle(ctx, plan.members),
          owner: actor,
          members: plan.members,
          atMs,
        })
        : await ctx.groups.change(chat.chatid, before!.version, { ...plan, atMs });
      if (after) return await announce(ctx, actor, before, after, plan, atMs);
    }
  } catch (error) {
    ctx.log(`groupset ${chat.chatid}: ${error}`);
    return fail({
      info: ErrorCode.unavailable,
      msg: "the group could not be changed; retry later",
    });
  }
  fail({ info: ErrorCode.conflict, msg: "the group kept changing meanwhile; try again" });
}

/** Why some of `accountids` cannot join (they do not exist), or null. */
async function unknownAccounts(ctx: GatewayContext, accountids: string[]): Promise<string | null> {
  if (accountids.length === 0) return null;
  const existing = await ctx.users.existing(accountids);
  const unknown = accountids.filter((id) => !existing.has(id));
  if (unknown.length === 0) return null;
  const more = unknown.length > 5 ? ` and ${unknown.length - 5} more` : "";
  return `unknown account${unknown.length > 1 ? "s" : ""}: ${
    unknown.slice(0, 5).join(", ")
  }${more}`;
}

/** The first three members' names, as the original's page titled new groups. */
async function defaultTitle(ctx: GatewayContext, members: string[]): Promise<string> {
  const names = await Promise.all(members.slice(0, 3).map((id) => displayName(ctx.users, id)));
  const title = names.join(", ") + (members.length > 3 ? ", …" : "");
  return [...title].slice(0, 100).join("");
}

/** Every connection of the old and new members hears of the change; then the history lines. */
async function announce(
  ctx: GatewayContext,
  actor: string,
  before: Group | null,
  after: Group,
  plan: Exclude<GroupPlan, { kind: "none" }>,
  atMs: number,
): Promise<void> {
  const added = plan.kind === "create" ? plan.members.slice(1) : plan.add;
  const removed = plan.kind === "create" ? [] : plan.remove;
  const old = before?.members.map((m) => m.accountid) ?? [];
  const now = after.members.map((m) => m.accountid);
  const concerned = [...new Set([...old, ...now])];
  const frame = JSON.stringify(groupsetFrame(after, actor, added, removed));
  await ctx.hub.deliver(concerned, frame, { key: after.chatid });
  // Whoever is out has nothing left to read there.
  await Promise.all(removed.map((id) => ctx.inbox.markRead(id, after.chatid))).catch((error) =>
    ctx.log(`groupset ${after.chatid}: unread counts of removed members kept: ${error}`)
  );
  for (const line of await historyLines(ctx, actor, plan)) {
    await postSystemLine(ctx, after.chatid, actor, line, concerned, atMs);
  }
}

/** The system lines of a change, in the order things happened. */
async function historyLines(
  ctx: GatewayContext,
  actor: string,
  plan: Exclude<GroupPlan, { kind: "none" }>,
): Promise<string[]> {
  const me = await displayName(ctx.users, actor);
  if (plan.kind === "create") {
    return [`${me} created the group with ${await nameList(ctx.users, plan.members.slice(1))}`];
  }
  const lines: string[] = [];
  if (plan.add.length > 0) lines.push(`${me} added ${await nameList(ctx.users, plan.add)}`);
  const others = plan.remove.filter((id) => id !== actor);
  if (others.length > 0) lines.push(`${me} removed ${await nameList(ctx.users, others)}`);
  if (plan.title !== undefined) lines.push(`${me} renamed the group to “${plan.title}”`);
  if (plan.remove.includes(actor)) lines.push(`${me} left`);
  if (plan.owner !== undefined) {
    lines.push(`${await displayName(ctx.users, plan.owner)} now owns the group`);
  }
  return lines;
}

/** The `groupset` frame of a group's state after a change by `actor`. */
export function groupsetFrame(
  group: Group,
  actor: string,
  added: string[],
  removed: string[],
): GroupsetFrame {
  return {
    type: "groupset",
    chatid: group.chatid,
    fromuser: actor,
    title: group.title,
    owner: group.owner,
    members: group.members.map((m) => m.accountid),
    addMember: added,
    delMember: removed,
    time: Math.floor(Date.now() / 1000),
  };
}
