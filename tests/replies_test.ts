/**
 * Replies end to end on both backends: a `say` with `replyTo` carries the quote live and in
 * history, the quote shows "recalled message" once the quoted message is recalled, and a quote
 * of another chat (or one the sender cannot read) is refused with nothing stored.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { bothBackends, type BothHarness, type LoggedIn } from "./support/both_backends.ts";
import { G, line, people } from "./support/group_steps.ts";
import type { Frame } from "./support/ws_client.ts";

const AB = "alice--bob";

async function send(client: LoggedIn, frame: Frame) {
  client.send(frame);
  return await client.next((f) => f.cid === frame.cid && (f.type === "ack" || f.type === "error"));
}

async function messages(h: BothHarness, token: string, chatid: string, query = "") {
  await h.archived();
  const { status, body } = await h.api(token, `/api/chats/${chatid}/messages?limit=100${query}`);
  assertEquals(status, 200, JSON.stringify(body));
  return body.messages as Frame[];
}

bothBackends("a reply carries its quote, which shows a recall of the quoted message", async (h) => {
  const { tokens, ws } = await people(h, ["alice", "bob"]);
  const { alice, bob } = ws;
  const long = "Q".repeat(150);
  const asked = await send(alice, { type: "say", chatid: AB, content: long, cid: "q" });
  await h.archived();
  const replied = await send(bob, {
    type: "say",
    chatid: AB,
    content: "the answer",
    cid: "a",
    replyTo: asked.mid,
  });
  assertEquals(replied.type, "ack", JSON.stringify(replied));
  const quote = { mid: asked.mid, fromuser: "alice", excerpt: "Q".repeat(100), msgType: "text" };
  for (const client of [alice, bob]) {
    const frame = await client.next((f) => f.type === "say" && f.message === "the answer");
    assertEquals(frame.replyTo, quote);
  }
  for (const query of ["", "&before=1000"]) {
    const reply = (await messages(h, tokens.alice, AB, query)).at(-1)!;
    assertEquals([reply.message, reply.replyTo], ["the answer", quote]);
  }

  alice.send({ type: "recall", chatid: AB, mid: asked.mid, cid: "r" });
  await alice.next((f) => f.type === "recall");
  for (const query of ["", "&before=1000"]) {
    const reply = (await messages(h, tokens.bob, AB, query)).at(-1)!;
    assertEquals(reply.replyTo, { ...quote, excerpt: "", recalled: true });
  }
});

bothBackends(
  "replyTo of another chat, or one the sender cannot read, changes nothing",
  async (h) => {
    const { tokens, ws } = await people(h, ["alice", "bob", "carol", "dave"]);
    const { alice, bob, dave } = ws;
    const toCarol = await send(alice, {
      type: "say",
      chatid: "alice--carol",
      content: "c",
      cid: "c",
    });
    const gone = await send(alice, { type: "say", chatid: AB, content: "gone", cid: "g" });
    alice.send({ type: "groupset", chatid: G, title: "team", members: ["bob"] });
    for (const client of [alice, bob]) await line(client);
    const early = await send(alice, { type: "say", chatid: G, content: "before dave", cid: "e" });
    await h.archived();
    alice.send({ type: "recall", chatid: AB, mid: gone.mid, cid: "r" });
    await alice.next((f) => f.cid === "r");
    bob.send({ type: "groupset", chatid: G, members: ["alice", "bob", "dave"] });
    await line(dave);
    await h.archived();
    const { producer } = h.server.backend;
    const before = [await producer.lastSeq(AB), await producer.lastSeq(G)];

    const cases: [LoggedIn, Frame, string, RegExp][] = [
      [bob, { chatid: AB, replyTo: toCarol.mid }, "not_found", /no message .* in alice--bob/],
      [dave, { chatid: G, replyTo: early.mid }, "not_found", /no message/],
      [bob, { chatid: AB, replyTo: gone.mid }, "conflict", /recalled/],
      [bob, { chatid: AB, replyTo: "1234" }, "bad_request", /24 hex digits/],
      [bob, { chatid: AB, replyTo: 7 }, "bad_request", /replyTo must be the mid/],
    ];
    for (const [i, [client, frame, info, msg]] of cases.entries()) {
      const answer = await send(client, { type: "say", content: "re", cid: `x${i}`, ...frame });
      assertEquals([answer.type, answer.info], ["error", info], `${i}: ${JSON.stringify(answer)}`);
      assert(msg.test(answer.msg), `${i}: ${answer.msg}`);
    }
    await h.archived();
    assertEquals([await producer.lastSeq(AB), await producer.lastSeq(G)], before);
    assertEquals((await messages(h, tokens.bob, AB)).filter((m) => m.message === "re"), []);
  },
);
