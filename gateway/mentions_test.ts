import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { findMentions, MENTION_ALL, mentionedMembers } from "./mentions.ts";

const members = ["alice", "Bob", "carol.c", "dave"];

Deno.test("mentions name members in their own spelling, once, in order", () => {
  assertEquals(findMentions("no mention here", members, "alice", "dave"), []);
  assertEquals(findMentions("@bob and @carol.c, then @BOB again", members, "alice", "dave"), [
    "Bob",
    "carol.c",
  ]);
  assertEquals(findMentions("thanks @dave.", members, "alice", "bob"), ["dave"]);
  assertEquals(findMentions("(@alice)\n@carol.c!", members, "alice", "dave"), ["alice", "carol.c"]);
  assertEquals(findMentions("mail bob@example.com, @@dave", members, "alice", "dave"), []);
  assertEquals(findMentions("@All hands", members, "alice", "alice"), [MENTION_ALL]);
  assertEquals(findMentions("@all and @bob", members, "alice", "alice"), [MENTION_ALL]);
});

Deno.test("a mention of a non-member, @all from a member, or too many are refused", () => {
  assertEquals(
    findMentions("hi @zed", members, "alice", "dave"),
    "@zed is not a member of this group",
  );
  assertEquals(
    findMentions("hi @zed.", members, "alice", "dave"),
    "@zed is not a member of this group",
  );
  assertEquals(
    findMentions("@all look", members, "alice", "dave"),
    "only the owner of the group may mention @all",
  );
  const many = Array.from({ length: 51 }, (_, i) => `u${i}`);
  assertEquals(
    findMentions(many.map((m) => `@${m}`).join(" "), many, "u0", "u0"),
    "a message may mention at most 50 people",
  );
});

Deno.test("who a mention reaches: never its sender", () => {
  assertEquals(mentionedMembers(undefined, members, "alice"), []);
  assertEquals(mentionedMembers(["Bob", "alice", "gone"], members, "alice"), ["Bob"]);
  assertEquals(mentionedMembers([MENTION_ALL], members, "alice"), ["Bob", "carol.c", "dave"]);
});
