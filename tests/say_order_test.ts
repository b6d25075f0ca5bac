/**
 * Says sent back to back (replies among them, which take longer to check): every participant
 * gets them in the order sent, with seq rising by one, each once, acks in order; a bad frame in
 * the middle is answered in its place and changes nothing. The guard for pipelining a
 * connection's says (overlapping their checks and enqueues), which must keep all of this.
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { bothBackends } from "./support/both_backends.ts";
import { eventually } from "./support/fixtures.ts";
import { G, groupset, people } from "./support/group_steps.ts";
import type { Frame } from "./support/ws_client.ts";

const N = 300;

bothBackends("says sent back to back arrive in order, seq by seq, once each", async (h) => {
  const { ws, tokens } = await people(h, ["alice", "bob", "carol"]);
  const { alice, bob, carol } = ws;
  alice.send({ type: "groupset", chatid: G, members: ["bob", "carol"] });
  for (const client of [alice, bob, carol]) await groupset(client);
  const bob2 = await h.connect("bob", tokens.bob);
  for (const chatid of [G, "alice--bob"]) {
    // m0 first: the others quote it now and then, and a reply takes longer to check (the quoted
    // message is looked up) than a plain say, which must still not overtake it.
    alice.send({ type: "say", chatid, content: "m0", cid: `${chatid}-0` });
    const quoted = (await alice.next((f) => f.type === "ack" && f.cid === `${chatid}-0`)).mid;
    for (let i = 1; i < N; i++) {
      // One frame in the middle is refused: it is answered in its place, nothing queued.
      const content = i === 150 ? "" : `m${i}`;
      const replyTo = i % 10 === 5 ? { replyTo: quoted } : {};
      alice.send({ type: "say", chatid, content, cid: `${chatid}-${i}`, ...replyTo });
    }
    alice.send({ type: "read", chatid });
    const answers = await eventually(
      () => {
        const mine = alice.frames.filter((f) =>
          (f.type === "ack" || f.type === "error") && String(f.cid).startsWith(`${chatid}-`)
        );
        return mine.length === N ? mine : null;
      },
      20_000,
      `${N} answers in ${chatid}`,
    );
    assertEquals(
      answers.map((f) => f.cid),
      Array.from({ length: N }, (_, i) => `${chatid}-${i}`),
      "answers in the order sent",
    );
    assertEquals(answers[150].type, "error");
    const acked = answers.filter((f) => f.type === "ack");
    const first = acked[0].seq as number;
    assertEquals(acked.map((f) => f.seq), acked.map((_, i) => first + i), "seq rises by one");
    const expected = Array.from({ length: N }, (_, i) => i).filter((i) => i !== 150)
      .map((i) => `m${i}`);
    const readers = chatid === G ? [alice, bob, bob2, carol] : [alice, bob, bob2];
    for (const client of readers) {
      const says = await eventually(
        () => {
          const got = client.frames.filter((f: Frame) =>
            f.type === "say" && f.chatid === chatid && /^m\d+$/.test(f.message)
          );
          return got.length >= expected.length ? got : null;
        },
        20_000,
        `every say in ${chatid}`,
      );
      assertEquals(says.map((f) => f.message), expected, "each once, in the order sent");
      assertEquals(says.map((f) => f.seq), acked.map((f) => f.seq));
    }
  }
  await h.archived();
  // The archive holds them in the same order (the newest page of the history).
  const { status, body } = await h.api(tokens.bob, `/api/chats/${G}/messages?limit=100`);
  assertEquals(status, 200, JSON.stringify(body));
  const archived = (body.messages as Frame[]).map((m) => String(m.message))
    .filter((m) => /^m\d+$/.test(m));
  const numbers = archived.map((m) => Number(m.slice(1))).sort((a, b) => a - b);
  assertEquals(numbers.length > 50, true, "a page of them");
  const sent = Array.from({ length: N }, (_, i) => i).filter((i) => i !== 150);
  assertEquals(numbers, sent.slice(-numbers.length), "the newest page holds the last ones sent");
});
