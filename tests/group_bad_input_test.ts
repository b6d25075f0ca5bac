/**
 * Bad input to groups over the real wire, on both backends: each gets a clear error and
 * changes nothing (the group, its history's seq, the mutes and every count stay as they were).
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { bothBackends, type BothHarness } from "./support/both_backends.ts";
import { G, line, people } from "./support/group_steps.ts";
import type { Frame } from "./support/ws_client.ts";

/** Everything a bad frame could have changed. */
async function state(h: BothHarness, tokens: Record<string, string>) {
  const { producer, groups, inbox } = h.server.backend;
  return {
    group: await groups.find(G),
    other: await groups.find("alice-999"),
    seq: await producer.lastSeq(G),
    queued: await producer.counts(),
    muted: await groups.muted("dave"),
    unread: await inbox.unread("carol"),
    mentions: await inbox.mentions("carol"),
    info: (await h.api(tokens.alice, `/api/groups/${G}`)).body,
  };
}

bothBackends("bad group input gets a clear error and changes nothing", async (h) => {
  const { tokens, ws } = await people(h, ["alice", "bob", "carol", "dave", "erin"]);
  const { alice, bob, dave } = ws;
  alice.send({ type: "groupset", chatid: G, title: "team", members: ["bob", "carol"] });
  for (const client of [alice, bob, ws.carol]) await line(client);
  // alice-2: made by alice, who then left it (bob owns it now).
  alice.send({ type: "groupset", chatid: "alice-2", title: "two", members: ["bob"] });
  await bob.next((f) => f.type === "groupset" && f.chatid === "alice-2");
  alice.send({ type: "groupset", chatid: "alice-2", members: ["bob"] });
  await bob.next((f) => f.type === "groupset" && f.chatid === "alice-2" && f.owner === "bob");
  // Its history lines are queued after the frame: wait for the last one, then for the archive.
  await bob.next((f) => f.chatid === "alice-2" && f.message === "BOB now owns the group");
  await h.archived();
  const before = await state(h, tokens);

  const tooMany = Array.from({ length: 10_000 }, (_, i) => `u${i}`);
  const cases: [typeof alice, Frame, string, RegExp][] = [
    // Outsiders: send, rename, mute, change.
    [
      dave,
      { type: "say", chatid: G, content: "let me in", cid: "d1" },
      "forbidden",
      /not a member/,
    ],
    [
      dave,
      { type: "systemNotice", chatid: G, action: "grouptitle", title: "mine" },
      "forbidden",
      /not a member/,
    ],
    [dave, { type: "systemNotice", chatid: G, action: "closenotice" }, "forbidden", /not a member/],
    [
      dave,
      { type: "groupset", chatid: G, members: ["alice", "bob", "carol", "dave"] },
      "forbidden",
      /not a member/,
    ],
    // A member removing others without owning the group.
    [
      bob,
      { type: "groupset", chatid: G, members: ["alice", "bob"] },
      "forbidden",
      /only the owner of the group \(alice\)/,
    ],
    // Creating a group id that names another owner, or one that exists.
    [
      dave,
      { type: "groupset", chatid: "alice-999", members: ["erin"] },
      "forbidden",
      /must start with your own account: dave-<digits>/,
    ],
    [
      alice,
      { type: "groupset", chatid: "alice-2", members: ["bob", "carol"] },
      "forbidden",
      /not a member of alice-2/,
    ],
    // A group of its creator alone; unknown, duplicate and malformed members; 10,000 of them.
    [
      alice,
      { type: "groupset", chatid: "alice-999", members: ["alice"] },
      "bad_request",
      /at least one member besides you/,
    ],
    [
      alice,
      { type: "groupset", chatid: "alice-999", members: [] },
      "bad_request",
      /at least one member besides you/,
    ],
    [
      alice,
      { type: "groupset", chatid: "alice-999", members: ["bob", "zed", "yan"] },
      "bad_request",
      /unknown accounts: zed, yan/,
    ],
    [
      alice,
      { type: "groupset", chatid: G, members: ["alice", "bob", "carol", "zed"] },
      "bad_request",
      /unknown account: zed/,
    ],
    [
      alice,
      { type: "groupset", chatid: "alice-999", members: ["bob", "carol", "bob"] },
      "bad_request",
      /lists bob twice/,
    ],
    [
      alice,
      { type: "groupset", chatid: G, members: ["alice", "bob", "carol", "o'neil"] },
      "bad_request",
      /not an accountid/,
    ],
    [
      alice,
      { type: "groupset", chatid: G, members: "alice,bob" },
      "bad_request",
      /list of accountids/,
    ],
    [
      alice,
      { type: "groupset", chatid: "alice-999", members: tooMany },
      "bad_request",
      /at most 2000 members/,
    ],
    [
      alice,
      { type: "groupset", chatid: G, members: ["alice", ...tooMany] },
      "bad_request",
      /at most 2000 members/,
    ],
    [
      alice,
      { type: "groupset", chatid: "alice--bob", members: ["bob"] },
      "bad_request",
      /group chat id/,
    ],
    [alice, { type: "groupset", chatid: "../etc-1", members: ["bob"] }, "bad_request", /neither/],
    // Titles: empty, blank, over-long, more than one line.
    [
      alice,
      { type: "systemNotice", chatid: G, action: "grouptitle", title: "" },
      "bad_request",
      /must not be empty/,
    ],
    [
      alice,
      { type: "systemNotice", chatid: G, action: "grouptitle" },
      "bad_request",
      /must not be empty/,
    ],
    [
      alice,
      { type: "systemNotice", chatid: G, action: "grouptitle", title: " \t " },
      "bad_request",
      /must not be empty/,
    ],
    [
      alice,
      { type: "systemNotice", chatid: G, action: "grouptitle", title: "x".repeat(101) },
      "bad_request",
      /at most 100/,
    ],
    [
      alice,
      { type: "systemNotice", chatid: G, action: "grouptitle", title: "a\nb" },
      "bad_request",
      /one line/,
    ],
    [
      alice,
      { type: "groupset", chatid: "alice-999", title: "😀".repeat(101), members: ["bob"] },
      "bad_request",
      /at most 100/,
    ],
    [
      alice,
      { type: "systemNotice", chatid: G, action: "shout" },
      "bad_request",
      /action must be one of/,
    ],
    // Mentions of people who are not members; @all from a member who is not the owner.
    [
      bob,
      { type: "say", chatid: G, content: "ask @dave", cid: "b1" },
      "bad_request",
      /@dave is not a member/,
    ],
    [
      bob,
      { type: "say", chatid: G, content: "ask @nobody.", cid: "b2" },
      "bad_request",
      /@nobody is not a member/,
    ],
    [
      bob,
      { type: "say", chatid: G, content: "@all listen", cid: "b3" },
      "bad_request",
      /only the owner/,
    ],
  ];
  for (const [client, frame, info, msg] of cases) {
    client.send(frame);
    const error = await client.next((f) => f.type === "error");
    assertEquals(error.info, info, `${JSON.stringify(frame).slice(0, 120)}: ${error.msg}`);
    assert(msg.test(error.msg), `${JSON.stringify(frame).slice(0, 120)}: ${error.msg}`);
    if (frame.cid) assertEquals(error.cid, frame.cid);
  }
  assertEquals(await state(h, tokens), before);
  assertEquals((await h.connect("dave", tokens.dave)).init.muted, []);
  for (const client of [alice, bob, dave]) {
    assertEquals(
      client.frames.filter((f) => f.type === "groupset" && f.chatid === "alice-999"),
      [],
    );
  }

  // HTML and SQL in a title are text: stored and returned as they were, nothing run.
  const title = `<img src=x onerror=alert(1)> '; DROP TABLE webchat_group; --`;
  alice.send({ type: "systemNotice", chatid: G, action: "grouptitle", title });
  assertEquals((await alice.next((f) => f.type === "systemNotice")).title, title);
  assertEquals((await h.api(tokens.bob, `/api/groups/${G}`)).body.title, title);

  // A group one has left: no reading, marking or info; what it read before stays readable.
  alice.send({ type: "groupset", chatid: G, members: ["alice", "bob"] });
  const carol = ws.carol;
  await carol.next((f) => f.type === "groupset" && f.delMember?.includes("carol"));
  carol.send({ type: "read", chatid: G });
  assertEquals((await carol.next((f) => f.type === "error")).info, "forbidden");
  assertEquals((await h.api(tokens.carol, `/api/chats/${G}/read`, { method: "POST" })).status, 403);
  assertEquals((await h.api(tokens.carol, `/api/groups/${G}`)).status, 403);
  assertEquals((await h.api(tokens.carol, `/api/chats/${G}/messages`)).status, 200);
  assertEquals((await h.api(tokens.dave, `/api/chats/${G}/messages`)).status, 403);
  assertEquals((await h.api(tokens.alice, "/api/groups/alice--bob")).status, 400);
}, {
  // Big enough for a 10,000-member list, so the group's own limit answers.
  configure: (config) => config.limits.frameBytes = 1 << 20,
});
