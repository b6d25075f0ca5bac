/**
 * Recall and edit end to end over real WebSockets, on both backends: every connection of every
 * participant is told, history (the hot newest page and the archive) and `q` follow through the
 * queue, an offline participant's `init.offline` shows the message as it is now, a group's owner
 * may recall anyone's message, and every bad request gets a clear error and changes nothing.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { CHANGE_CHATID } from "../queue/message_change.ts";
import { MessageType, newMid } from "../queue/message.ts";
import { bothBackends, type BothHarness, type LoggedIn } from "./support/both_backends.ts";
import { G, line, people } from "./support/group_steps.ts";
import type { Frame } from "./support/ws_client.ts";

const AB = "alice--bob";

/** Sends a text and answers its ack. */
async function say(client: LoggedIn, chatid: string, content: string, cid: string) {
  client.send({ type: "say", chatid, content, cid });
  return await client.next((f) => f.cid === cid && (f.type === "ack" || f.type === "error"));
}

/** The chat's history as `token` reads it, once the queue is empty. */
async function messages(h: BothHarness, token: string, chatid: string, query = "") {
  await h.archived();
  const { status, body } = await h.api(token, `/api/chats/${chatid}/messages?limit=100${query}`);
  assertEquals(status, 200, JSON.stringify(body));
  return body.messages as Frame[];
}

bothBackends("an edit and a recall reach every connection and history follows", async (h) => {
  const { tokens, ws } = await people(h, ["alice", "bob"]);
  const { alice, bob } = ws;
  // The page offers recall and edit within the windows its `init` names.
  assertEquals(alice.init.messages, { recallSeconds: 120, editSeconds: 900 });
  const bob2 = await h.connect("bob", tokens.bob);
  const sent = await say(alice, AB, "meet at the secret place", "s1");
  await say(alice, AB, "second", "s2");
  for (const client of [bob, bob2]) await client.next((f) => f.message === "second");
  await messages(h, tokens.bob, AB);

  // The cid of an earlier say ("s2"): a cid is scoped to what it changes, so this is no repeat.
  const edit = { type: "edit", chatid: AB, mid: sent.mid, content: "meet at noon", cid: "s2" };
  alice.send(edit);
  const ack = await alice.next((f) => f.cid === "s2" && f.type === "ack");
  assertEquals([ack.type, ack.mid, ack.seq], ["ack", sent.mid, sent.seq]);
  for (const client of [alice, bob, bob2]) {
    const edit = await client.next((f) => f.type === "edit");
    assertEquals(
      [edit.chatid, edit.mid, edit.seq, edit.fromuser, edit.message],
      [AB, sent.mid, sent.seq, "alice", "meet at noon"],
    );
    assert(edit.edited >= sent.time);
  }
  // Sent again (a reconnect's resend): acknowledged again, applied and told once.
  alice.send(edit);
  assertEquals((await alice.next((f) => f.cid === "s2" && f.type === "ack")).mid, sent.mid);
  // The newest page (hot list) and an older-style page (archive, with `before`) both follow.
  for (const query of ["", "&before=1000"]) {
    const [first] = await messages(h, tokens.bob, AB, query);
    assertEquals([first.mid, first.seq, first.message], [sent.mid, sent.seq, "meet at noon"]);
    assert(first.edited >= sent.time, JSON.stringify(first));
  }

  for (const client of [alice, bob]) {
    assertEquals(client.frames.filter((f) => f.type === "edit").length, 1);
  }
  alice.send({ type: "recall", chatid: AB, mid: sent.mid, cid: "r1" });
  assertEquals((await alice.next((f) => f.cid === "r1")).type, "ack");
  for (const client of [alice, bob, bob2]) {
    const recall = await client.next((f) => f.type === "recall");
    assertEquals(
      [recall.chatid, recall.mid, recall.seq, recall.fromuser, recall.by],
      [AB, sent.mid, sent.seq, "alice", "alice"],
    );
  }
  for (const query of ["", "&before=1000"]) {
    const [first, second] = await messages(h, tokens.bob, AB, query);
    assertEquals([first.mid, first.message, first.recalled?.by], [sent.mid, "", "alice"]);
    assertEquals(second.message, "second");
  }
  for (const q of ["secret", "noon"]) {
    assertEquals(await messages(h, tokens.alice, AB, `&q=${q}`), []);
  }
});

bothBackends(
  "an offline participant gets recalled and edited messages as they are now",
  async (h) => {
    const { tokens, ws } = await people(h, ["alice", "bob"]);
    await ws.bob.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const gone = await say(ws.alice, AB, "oops, wrong chat", "o1");
    const fixed = await say(ws.alice, AB, "teh plan", "o2");
    await h.archived();
    ws.alice.send({ type: "recall", chatid: AB, mid: gone.mid, cid: "o3" });
    ws.alice.send({ type: "edit", chatid: AB, mid: fixed.mid, content: "the plan", cid: "o4" });
    await ws.alice.next((f) => f.cid === "o4" && f.type === "ack");
    await h.archived();
    const bob = await h.connect("bob", tokens.bob);
    const offline = bob.init.offline as Frame[];
    assertEquals(
      offline.map((f) => [f.mid, f.message, f.recalled?.by ?? null, f.edited !== undefined]),
      [[gone.mid, "", "alice", false], [fixed.mid, "the plan", null, true]],
    );
  },
);

bothBackends(
  "a group's owner may recall any message of the group, members only their own",
  async (h) => {
    const { tokens, ws } = await people(h, ["alice", "bob", "carol"]);
    const { alice, bob, carol } = ws;
    alice.send({ type: "groupset", chatid: G, title: "team", members: ["bob", "carol"] });
    for (const client of [alice, bob, carol]) await line(client);
    const bobs = await say(bob, G, "something regrettable", "g1");
    const alices = await say(alice, G, "the owner speaks", "g2");
    await h.archived();

    bob.send({ type: "recall", chatid: G, mid: alices.mid, cid: "g3" });
    const refused = await bob.next((f) => f.cid === "g3");
    assertEquals([refused.type, refused.info], ["error", "forbidden"]);
    assert(/only your own/.test(refused.msg), refused.msg);

    alice.send({ type: "recall", chatid: G, mid: bobs.mid, cid: "g4" });
    for (const client of [alice, bob, carol]) {
      const recall = await client.next((f) => f.type === "recall");
      assertEquals([recall.mid, recall.fromuser, recall.by], [bobs.mid, "bob", "alice"]);
    }
    const history = await messages(h, tokens.carol, G);
    const recalled = history.find((m) => m.mid === bobs.mid)!;
    assertEquals([recalled.message, recalled.recalled.by], ["", "alice"]);
    assertEquals(history.find((m) => m.mid === alices.mid)!.message, "the owner speaks");
  },
);

bothBackends("bad recalls and edits get a clear error and change nothing", async (h) => {
  const { tokens, ws } = await people(h, ["alice", "bob", "carol"]);
  const { alice, bob, carol } = ws;
  const mine = await say(alice, AB, "alice's words", "b1");
  const gone = await say(alice, AB, "recalled already", "b2");
  const elsewhere = await say(alice, "alice--carol", "to carol", "b3");
  await h.archived();
  alice.send({ type: "recall", chatid: AB, mid: gone.mid, cid: "b4" });
  await alice.next((f) => f.cid === "b4" && f.type === "ack");
  // An hour-old message, queued as the gateway would have queued it then.
  const { producer } = h.server.backend;
  const hourAgo = Math.floor(Date.now() / 1000) - 3600;
  const old = await producer.enqueue({
    mid: newMid(Date.now() - 3600_000),
    chatid: AB,
    fromuser: "alice",
    message: "an old message",
    type: MessageType.text,
    fileId: "",
    time: hourAgo,
    cid: "",
    members: ["alice", "bob"],
  });
  await h.archived();
  const before = {
    history: await messages(h, tokens.bob, AB),
    other: await messages(h, tokens.carol, "alice--carol"),
    changes: await producer.lastSeq(CHANGE_CHATID),
  };

  const cases: [LoggedIn, Frame, string, RegExp][] = [
    [bob, { type: "recall", chatid: AB, mid: mine.mid }, "forbidden", /only your own/],
    [
      bob,
      { type: "edit", chatid: AB, mid: mine.mid, content: "mine" },
      "forbidden",
      /only your own/,
    ],
    [alice, { type: "recall", chatid: AB, mid: old.ack.mid }, "forbidden", /too late to recall/],
    [
      alice,
      { type: "edit", chatid: AB, mid: old.ack.mid, content: "x" },
      "forbidden",
      /too late to edit/,
    ],
    [alice, { type: "recall", chatid: AB, mid: gone.mid }, "conflict", /recalled already/],
    [alice, { type: "edit", chatid: AB, mid: gone.mid, content: "x" }, "conflict", /recalled/],
    // A message of another chat, named in this one (and the other way round).
    [alice, { type: "recall", chatid: AB, mid: elsewhere.mid }, "not_found", /no message/],
    [
      alice,
      { type: "edit", chatid: "alice--carol", mid: mine.mid, content: "x" },
      "not_found",
      /no message/,
    ],
    [carol, { type: "recall", chatid: AB, mid: mine.mid }, "forbidden", /not a participant/],
    [alice, { type: "recall", chatid: AB, mid: "zz" }, "bad_request", /24 hex digits/],
    [alice, { type: "recall", chatid: AB, mid: newMid() }, "not_found", /no message/],
    [alice, { type: "recall", chatid: AB }, "bad_request", /string mid/],
    [alice, { type: "edit", chatid: AB, mid: mine.mid, content: " " }, "bad_request", /empty/],
    [
      alice,
      { type: "edit", chatid: AB, mid: mine.mid, content: "x".repeat(5001) },
      "bad_request",
      /longer than 5000/,
    ],
    [alice, { type: "recall", chatid: "nonsense", mid: mine.mid }, "bad_request", /neither/],
  ];
  for (const [i, [client, frame, info, msg]] of cases.entries()) {
    client.send({ ...frame, cid: `x${i}` });
    const answer = await client.next((f) => f.cid === `x${i}`);
    assertEquals([answer.type, answer.info], ["error", info], `${i}: ${JSON.stringify(answer)}`);
    assert(msg.test(answer.msg), `${i}: ${answer.msg}`);
  }
  assertEquals({
    history: await messages(h, tokens.bob, AB),
    other: await messages(h, tokens.carol, "alice--carol"),
    changes: await producer.lastSeq(CHANGE_CHATID),
  }, before);
  for (const client of [alice, bob, carol]) {
    assertEquals(client.frames.filter((f) => f.type === "edit"), []);
    // The one good recall (b4) told the two of the chat.
    assertEquals(client.frames.filter((f) => f.type === "recall").length, client === carol ? 0 : 1);
  }
});
