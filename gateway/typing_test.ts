import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { TYPING_EVERY_MS, TypingGate } from "./typing.ts";

Deno.test("typing indicators: one per chat and person every 3 s, entries forgotten after", () => {
  let now = 1_000_000;
  const gate = new TypingGate(() => now);
  assertEquals(gate.due("alice", "a--b"), true);
  gate.sent("alice", "a--b");
  now += TYPING_EVERY_MS - 1;
  // Within the window: merged. Another chat, or another person, is not.
  assertEquals(
    [gate.due("alice", "a--b"), gate.due("alice", "a--c"), gate.due("bob", "a--b")],
    [false, true, true],
  );
  now += 1;
  assertEquals(gate.due("alice", "a--b"), true);
  // Once past the window the entry is swept: the map holds only recent senders.
  assertEquals(gate.size, 0);
  gate.sent("alice", "a--b");
  assertEquals(gate.size, 1);
});
