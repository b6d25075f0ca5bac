/**
 * Read receipts on both backends: in a pair the sender hears "read" once the partner's `read`
 * covers the message; in a group the sender hears it and the list answers "read by N of M"; an account that turned receipts off is never announced; a `read` beyond the chat's last
 * seq is refused and changes nothing.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { bothBackends, type LoggedIn } from "./support/both_backends.ts";
import { G, line, people } from "./support/group_steps.ts";

const AB = "alice--bob";

async function say(client: LoggedIn, chatid: string, content: string, cid: string) {
  client.send({ type: "say", chatid, content, cid });
  return await client.next((f) => f.cid === cid && f.type === "ack");
}

/** Lets frames in flight arrive, so that "nothing arrived" means something. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

bothBackends("receipts in a pair: the sender sees read, once per rise", async (h) => {
  const { tokens, ws } = await people(h, ["alice", "bob"]);
  const { alice, bob } = ws;
  const alice2 = await h.connect("alice", tokens.alice);
  await say(alice, AB, "one", "1");
  const two = await say(alice, AB, "two", "2");
  await bob.next((f) => f.message === "two");

  bob.send({ type: "read", chatid: AB, seq: two.seq });
  for (const client of [alice, alice2]) {
    const receipt = await client.next((f) => f.type === "receipt");
    assertEquals([receipt.chatid, receipt.accountid, receipt.seq], [AB, "bob", two.seq]);
  }
  bob.send({ type: "read", chatid: AB, seq: 1 }); // lower: nothing rises, nobody is told
  bob.send({ type: "ping" });
  await bob.next((f) => f.type === "pong");
  await settle();
  assertEquals(alice.frames.filter((f) => f.type === "receipt").length, 1);
  assertEquals(bob.frames.filter((f) => f.type === "receipt"), []);
  const { body } = await h.api(tokens.alice, `/api/chats/${AB}/receipts?seq=${two.seq}`);
  assertEquals(body, { receipts: { bob: two.seq }, members: ["alice", "bob"], readBy: ["bob"] });

  // A read beyond the chat's last seq: a clear error, the unread count and the mark unchanged.
  await say(alice, AB, "three", "3");
  await bob.next((f) => f.message === "three");
  const unread = await h.server.backend.inbox.unread("bob");
  assertEquals(unread[AB], 1);
  bob.send({ type: "read", chatid: AB, seq: 99 });
  const error = await bob.next((f) => f.type === "error");
  assertEquals(error.info, "bad_request");
  assert(/beyond the chat's last \(3\)/.test(error.msg), error.msg);
  assertEquals(await h.server.backend.inbox.unread("bob"), unread);
  assertEquals(await h.server.backend.receipts.of(AB), { bob: two.seq });
  await settle();
  assertEquals(alice.frames.filter((f) => f.type === "receipt").length, 1);
});

bothBackends("receipts in a group, the list, and an account that sends none", async (h) => {
  const { tokens, ws } = await people(h, ["alice", "bob", "carol", "dave"]);
  const { alice, bob, carol, dave } = ws;
  alice.send({ type: "groupset", chatid: G, title: "team", members: ["bob", "carol"] });
  for (const client of [alice, bob, carol]) await line(client);
  const sent = await say(alice, G, "read me", "g1");
  await carol.next((f) => f.message === "read me");

  await h.archived(); // the receipt goes to the senders of the chat's newest messages
  bob.send({ type: "read", chatid: G, seq: sent.seq });
  const receipt = await alice.next((f) => f.type === "receipt");
  assertEquals([receipt.chatid, receipt.accountid, receipt.seq], [G, "bob", sent.seq]);
  // carol sent nothing: she is not told (members² frames per message otherwise); she may ask.

  // carol turns receipts off: her read is not announced nor listed.
  const off = await h.api(tokens.carol, "/api/me/settings", {
    method: "PUT",
    body: JSON.stringify({ readReceipts: false }),
  });
  assertEquals([off.status, off.body], [200, { readReceipts: false }]);
  assertEquals((await h.api(tokens.carol, "/api/me/settings")).body, { readReceipts: false });
  carol.send({ type: "read", chatid: G, seq: sent.seq });
  await settle();
  assertEquals(alice.frames.filter((f) => f.type === "receipt").length, 1);
  for (const client of [bob, carol]) {
    assertEquals(client.frames.filter((f) => f.type === "receipt"), []);
  }

  const { status, body } = await h.api(tokens.alice, `/api/chats/${G}/receipts?seq=${sent.seq}`);
  assertEquals(status, 200);
  assertEquals(body, {
    receipts: { bob: sent.seq },
    members: ["alice", "bob", "carol"],
    readBy: ["bob"],
  });

  // Bad input: an outsider's list, bad settings, an outsider's read.
  assertEquals((await h.api(tokens.dave, `/api/chats/${G}/receipts`)).status, 403);
  for (const bad of [{ readReceipts: "no" }, { readReceipts: true, colour: "red" }, [1]]) {
    const answer = await h.api(tokens.dave, "/api/me/settings", {
      method: "PUT",
      body: JSON.stringify(bad),
    });
    assertEquals(answer.status, 400, JSON.stringify(answer.body));
  }
  assertEquals((await h.api(tokens.dave, "/api/me/settings")).body, { readReceipts: true });
  dave.send({ type: "read", chatid: G, seq: 1 });
  assertEquals((await dave.next((f) => f.type === "error")).info, "forbidden");
  assertEquals(await h.server.backend.receipts.of(G), { bob: sent.seq });
});
