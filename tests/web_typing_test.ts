/**
 * The page's typing indicators (web/typing.js) without a browser: at most one `typing` frame per
 * chat every 3 s while the reader writes, and who is typing until each one's `expiresMs`.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { SEND_EVERY_MS, Typing } from "../web/typing.js";

Deno.test("typing goes out at most once per chat every 3 s", () => {
  let now = 1_000_000;
  const sent: unknown[] = [];
  const typing = new Typing((frame) => (sent.push(frame), true), () => {}, () => now);
  for (let i = 0; i < 50; i++) typing.composing("a--b");
  typing.composing("a--c");
  assertEquals(sent, [{ type: "typing", chatid: "a--b" }, { type: "typing", chatid: "a--c" }]);
  now += SEND_EVERY_MS - 1;
  typing.composing("a--b");
  assertEquals(sent.length, 2);
  now += 1;
  typing.composing("a--b");
  assertEquals(sent.length, 3);
  // After a send the next key press says so again at once.
  typing.sent("a--b");
  typing.composing("a--b");
  assertEquals(sent.length, 4);
});

Deno.test("no socket: the frame is not counted as sent", () => {
  let open = false;
  const sent: unknown[] = [];
  const typing = new Typing((frame) => open && (sent.push(frame), true), () => {});
  typing.composing("a--b");
  open = true;
  typing.composing("a--b");
  assertEquals(sent.length, 1);
});

Deno.test("an indicator lasts until its expiresMs passes without another", async () => {
  const changes: string[] = [];
  const typing = new Typing(() => true, (chatid) => changes.push(chatid));
  typing.onFrame({ type: "typing", chatid: "a--b", fromuser: "b", expiresMs: 500 });
  typing.onFrame({ type: "typing", chatid: "g-1", fromuser: "c", expiresMs: 500 });
  typing.onFrame({ type: "typing", chatid: "g-1", fromuser: "d", expiresMs: 5000 });
  assertEquals(typing.who("a--b"), ["b"]);
  assertEquals(typing.who("g-1"), ["c", "d"]);
  await new Promise((resolve) => setTimeout(resolve, 300));
  // Another frame from b starts its time again.
  typing.onFrame({ type: "typing", chatid: "a--b", fromuser: "b", expiresMs: 500 });
  await new Promise((resolve) => setTimeout(resolve, 350));
  assertEquals(typing.who("a--b"), ["b"]);
  assertEquals(typing.who("g-1"), ["d"]);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assertEquals(typing.who("a--b"), []);
  // Their message ends it at once; clearing forgets the rest.
  typing.stop("g-1", "d");
  assertEquals(typing.who("g-1"), []);
  typing.onFrame({ type: "typing", chatid: "g-1", fromuser: "e" });
  typing.clear();
  assertEquals(typing.who("g-1"), []);
  assertEquals(changes.filter((c) => c === "a--b").length, 3);
});

Deno.test("a rate_limited answer just after an indicator pauses the indicators", () => {
  let now = 5_000_000;
  const sent: unknown[] = [];
  const typing = new Typing((frame) => (sent.push(frame), true), () => {}, () => now);
  assertEquals(typing.onRateLimited(1000), false, "no indicator went: not its answer");
  typing.composing("a--b");
  now += 100;
  assertEquals(typing.onRateLimited(1500), true);
  now += 1000;
  typing.composing("a--c");
  assertEquals(sent.length, 1, "paused, in every chat");
  now += 500;
  typing.composing("a--c");
  assertEquals(sent, [{ type: "typing", chatid: "a--b" }, { type: "typing", chatid: "a--c" }]);
});
