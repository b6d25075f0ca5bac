/**
 * Typing indicators on both backends: they reach the other participant's connections only,
 * carry their 6 s expiry, are merged to one per chat every 3 s per person, are never stored,
 * and a flood across chats runs into the send budget.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { bothBackends } from "./support/both_backends.ts";
import { G, line, people } from "./support/group_steps.ts";

const AB = "alice--bob";
const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

bothBackends("typing reaches the others online, merged per 3 s, and is never stored", async (h) => {
  const { tokens, ws } = await people(h, ["alice", "bob", "carol"]);
  const { alice, bob, carol } = ws;
  const bob2 = await h.connect("bob", tokens.bob);
  const alice2 = await h.connect("alice", tokens.alice);

  alice.send({ type: "typing", chatid: AB });
  for (const client of [bob, bob2]) {
    const typing = await client.next((f) => f.type === "typing");
    assertEquals(typing, { type: "typing", chatid: AB, fromuser: "alice", expiresMs: 6000 });
  }
  // A flood within the window is merged into the indicator already sent, without errors.
  const floodStart = Date.now();
  for (let i = 0; i < 200; i++) alice.send({ type: "typing", chatid: AB });
  alice.send({ type: "ping" });
  await alice.next((f) => f.type === "pong");
  await settle();
  const merged = Date.now() - floodStart < 2500;
  if (merged) assertEquals(bob.frames.filter((f) => f.type === "typing").length, 1);
  assertEquals(alice.frames.filter((f) => f.type === "error"), []);
  for (const client of [alice, alice2, carol]) {
    assertEquals(client.frames.filter((f) => f.type === "typing"), []);
  }
  // Once the window has passed, the next indicator goes out again.
  await settle(3100);
  const before = bob.frames.filter((f) => f.type === "typing").length;
  alice.send({ type: "typing", chatid: AB });
  await bob.next((f) => f.type === "typing", 2000);
  await settle();
  assertEquals(bob.frames.filter((f) => f.type === "typing").length, before + 1);

  // An outsider's indicator is refused; a group's goes to its other members only.
  carol.send({ type: "typing", chatid: AB });
  assertEquals((await carol.next((f) => f.type === "error")).info, "forbidden");
  alice.send({ type: "groupset", chatid: G, title: "team", members: ["bob", "carol"] });
  for (const client of [alice, bob, carol]) await line(client);
  carol.send({ type: "typing", chatid: G });
  for (const client of [alice, alice2, bob, bob2]) {
    await client.next((f) => f.type === "typing" && f.chatid === G && f.fromuser === "carol");
  }
  await settle();
  assertEquals(carol.frames.filter((f) => f.type === "typing"), []);

  // Nothing was stored: no seq given in the pair, nothing in history or offline lists.
  assertEquals(await h.server.backend.producer.lastSeq(AB), 0);
  assertEquals((await h.api(tokens.bob, `/api/chats/${AB}/messages`)).body.messages, []);
  await Promise.all([bob.close(), bob2.close()]);
  await settle();
  alice.send({ type: "typing", chatid: AB });
  await settle(3100);
  alice.send({ type: "typing", chatid: AB });
  const again = await h.connect("bob", tokens.bob);
  assertEquals(again.init.offline, []);
});

bothBackends("a typing flood across chats runs into the send budget", async (h) => {
  const { ws } = await people(h, ["alice", "bob"]);
  const { alice, bob } = ws;
  // Forty chats, each indicator due: the budget (burst 5) lets five through.
  for (let i = 0; i < 40; i++) alice.send({ type: "typing", chatid: `alice--u${i}` });
  alice.send({ type: "typing", chatid: AB });
  alice.send({ type: "ping" });
  await alice.next((f) => f.type === "pong");
  const limited = alice.frames.filter((f) => f.type === "error");
  assert(limited.length >= 30, `${limited.length} refused`);
  assert(limited.every((f) => f.info === "rate_limited" && f.retryAfterMs > 0));
  assert(/sending too fast/.test(limited[0].msg), limited[0].msg);
  await settle();
  assertEquals(bob.frames.filter((f) => f.type === "typing"), []);
}, {
  configure: (config) => {
    config.limits.sendBurst = 5;
    config.limits.sendPerSecond = 1;
  },
});
