/**
 * Mentions in a group message: `@accountid` names a member (case as typed does not matter; the
 * member's own spelling is recorded), `@all` (the owner only) names every member. An `@` inside
 * a word (`bob@example.com`) is not a mention; a sentence's full stop after a name
 * (`thanks @bob.`) is not part of it unless an account has that name.
 *
 * @module
 */
import { MAX_MENTIONS } from "../queue/archive_sql.ts";

/** What `mentions` holds for `@all`; never an accountid (they have no "@"). */
export const MENTION_ALL = "@all";

const MENTION = /(?<![A-Za-z0-9_.@])@([A-Za-z0-9_.]{1,40})/g;

/**
 * The members `text` mentions, in order of first mention (`[MENTION_ALL]` for the owner's
 * `@all`), or a sentence saying why it may not be sent: a mention of someone who is not a
 * member, `@all` from anybody but the owner, more than {@link MAX_MENTIONS} people.
 */
export function findMentions(
  text: string,
  members: readonly string[],
  owner: string,
  sender: string,
): string[] | string {
  if (!text.includes("@")) return [];
  let byLowerCase: Map<string, string> | undefined;
  const found = new Set<string>();
  for (const [, typed] of text.matchAll(MENTION)) {
    if (typed.toLowerCase() === "all") {
      if (sender !== owner) return "only the owner of the group may mention @all";
      found.add(MENTION_ALL);
      continue;
    }
    byLowerCase ??= new Map(members.map((m) => [m.toLowerCase(), m]));
    const member = byLowerCase.get(typed.toLowerCase()) ??
      byLowerCase.get(typed.replace(/\.+$/, "").toLowerCase());
    if (member === undefined) {
      return `@${typed.replace(/\.+$/, "")} is not a member of this group`;
    }
    found.add(member);
  }
  if (found.has(MENTION_ALL)) return [MENTION_ALL];
  if (found.size > MAX_MENTIONS) return `a message may mention at most ${MAX_MENTIONS} people`;
  return [...found];
}

/** The members a message's `mentions` reach, its sender left out. */
export function mentionedMembers(
  mentions: readonly string[] | undefined,
  members: readonly string[],
  sender: string,
): string[] {
  if (!mentions || mentions.length === 0) return [];
  if (mentions.includes(MENTION_ALL)) return members.filter((m) => m !== sender);
  const inGroup = new Set(members);
  return mentions.filter((m) => m !== sender && inGroup.has(m));
}
