/**
 * The rules of `groupset`, as a pure function of the group as it is and what was asked: who may
 * create a group, who may add, remove and leave, and who owns it after the owner left. Whether
 * accounts exist is checked by the caller (it needs the user directory).
 *
 * @module
 */
import { ACCOUNT_ID } from "../store/users.ts";
import { type Group, MAX_GROUP_TITLE } from "../store/groups.ts";
import { ErrorCode, type FrameError } from "./protocol.ts";

/** What a `groupset` comes to. */
export type GroupPlan =
  | { kind: "create"; members: string[]; title: string }
  | { kind: "change"; add: string[]; remove: string[]; owner?: string; title?: string }
  /** Nothing would change. */
  | { kind: "none" };

/** What was asked. */
export interface GroupsetRequest {
  chatid: string;
  /** The owner named by the chat id (`<owner>-<digits>`). */
  idOwner: string;
  actor: string;
  /** The complete new member list. */
  members: string[];
  /** A new title, or "" for none. */
  title: string;
  maxMembers: number;
}

/**
 * The plan for `request` against `group` (null: no such group yet), or the error to answer: a
 * malformed list or title (`bad_request`), or a change the actor may not make (`forbidden`).
 */
export function planGroupset(
  group: Group | null,
  request: GroupsetRequest,
): GroupPlan | FrameError {
  const { actor, members, maxMembers } = request;
  const malformed = members.find((id) => !ACCOUNT_ID.test(id));
  if (malformed !== undefined) {
    return bad(`members: ${JSON.stringify(malformed.slice(0, 50))} is not an accountid`);
  }
  const twice = members.find((id, i) => members.indexOf(id) !== i);
  if (twice !== undefined) return bad(`members lists ${twice} twice`);
  const titleProblem = request.title === "" ? null : checkTitle(request.title);
  if (titleProblem) return bad(titleProblem);

  if (!group) {
    if (request.idOwner !== actor) {
      return forbidden(
        `a new group's id must start with your own account: ${actor}-<digits>, not ${request.chatid}`,
      );
    }
    const all = [actor, ...members.filter((id) => id !== actor)];
    if (all.length < 2) return bad("a group needs at least one member besides you");
    if (all.length > maxMembers) return bad(`a group has at most ${maxMembers} members`);
    return { kind: "create", members: all, title: request.title };
  }

  const current = group.members.map((m) => m.accountid);
  if (!current.includes(actor)) return forbidden(`you are not a member of ${group.chatid}`);
  const wanted = new Set(members);
  const remove = current.filter((id) => !wanted.has(id));
  const kept = new Set(current);
  const add = members.filter((id) => !kept.has(id));
  const others = remove.filter((id) => id !== actor);
  if (others.length > 0 && actor !== group.owner) {
    return forbidden(`only the owner of the group (${group.owner}) may remove other members`);
  }
  if (members.length > maxMembers) return bad(`a group has at most ${maxMembers} members`);
  const title = request.title !== "" && request.title !== group.title ? request.title : undefined;
  if (add.length === 0 && remove.length === 0 && title === undefined) return { kind: "none" };
  // The owner left: the longest-standing member who stays takes over (else the first added).
  let owner: string | undefined;
  if (remove.includes(group.owner)) {
    owner = current.find((id) => wanted.has(id)) ?? add[0];
  }
  return {
    kind: "change",
    add,
    remove,
    ...(owner !== undefined ? { owner } : {}),
    ...(title !== undefined ? { title } : {}),
  };
}

/** Why `title` cannot name a group (1..100 characters of one line of text), or null. */
export function checkTitle(title: string): string | null {
  if (!title.isWellFormed()) return "title must be valid Unicode text";
  if (title.trim() === "") return "title must not be empty";
  if ([...title].length > MAX_GROUP_TITLE) {
    return `title must be at most ${MAX_GROUP_TITLE} characters`;
  }
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f\u2028\u2029]/.test(title)) return "title must be one line of text";
  return null;
}

function bad(msg: string): FrameError {
  return { info: ErrorCode.badRequest, msg };
}

function forbidden(msg: string): FrameError {
  return { info: ErrorCode.forbidden, msg };
}
