import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { directChatId, parseChatId } from "./chat_id.ts";

Deno.test("one-to-one ids are sorted pairs; self-chat allowed", () => {
  assertEquals(parseChatId("cuihb--xieyx"), {
    kind: "direct",
    chatid: "cuihb--xieyx",
    members: ["cuihb", "xieyx"],
  });
  assertEquals(parseChatId("me--me"), { kind: "direct", chatid: "me--me", members: ["me", "me"] });
  assertEquals(directChatId("xieyx", "cuihb"), "cuihb--xieyx");
  // Byte order: upper case sorts before lower case.
  assertEquals(directChatId("alice", "Bob"), "Bob--alice");
});

Deno.test("group ids are owner-digits", () => {
  assertEquals(parseChatId("cuihb-1764201600000"), {
    kind: "group",
    chatid: "cuihb-1764201600000",
    owner: "cuihb",
  });
});

Deno.test("everything else is refused with a reason", () => {
  for (
    const bad of [
      "xieyx--cuihb", // not sorted
      "a'--b",
      "../etc--passwd",
      "a--b--c",
      "a-b",
      "",
      "a--",
      "x".repeat(41) + "--y",
      "cuihb-12a",
      42,
      null,
    ]
  ) {
    assert(typeof parseChatId(bad) === "string", `accepted ${JSON.stringify(bad)}`);
  }
});
