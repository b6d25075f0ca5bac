/**
 * Mutes and mentions over real WebSockets, on both backends: a mute is stored for the account
 * (every device follows it, and a new connection's `init` lists it), and a mention reaches the
 * muted member flagged, with its own count in `init` and `/api/unread`.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { bothBackends } from "./support/both_backends.ts";
import { G, groupset, history, line, none, people } from "./support/group_steps.ts";

bothBackends("mute follows the account across connections, and a mention pierces it", async (h) => {
  const { tokens, ws } = await people(h, ["alice", "bob", "carol"]);
  const { alice, bob, carol } = ws;
  const bob2 = await h.connect("bob", tokens.bob);
  alice.send({ type: "groupset", chatid: G, title: "t", members: ["bob", "carol"] });
  for (const client of [alice, bob, bob2, carol]) await line(client);

  bob.send({ type: "systemNotice", chatid: G, action: "closenotice" });
  for (const client of [bob, bob2]) {
    const notice = await client.next((f) => f.type === "systemNotice");
    assertEquals([notice.action, notice.fromuser, notice.chatid], ["closenotice", "bob", G]);
  }
  // A mute is nobody else's business.
  alice.send({ type: "say", chatid: G, content: "sync", cid: "s" });
  await carol.next((f) => f.message === "sync");
  none(alice, (f) => f.type === "systemNotice");
  none(carol, (f) => f.type === "systemNotice");
  const bob3 = await h.connect("bob", tokens.bob);
  assertEquals(bob3.init.muted, [G]);

  // A muted group still delivers (and counts); a mention is flagged for whom it names.
  carol.send({ type: "say", chatid: G, content: "@BOB look at this, @alice.", cid: "m1" });
  for (const client of [bob, bob2, bob3]) {
    const say = await client.next((f) => f.type === "say" && f.cid === "m1");
    assertEquals([say.mention, say.mentions], [true, ["bob", "alice"]]);
  }
  assertEquals((await alice.next((f) => f.cid === "m1")).mention, true);
  const own = await carol.next((f) => f.type === "say" && f.cid === "m1");
  assertEquals([own.mention, own.mentions], [undefined, ["bob", "alice"]]);
  const unread = await h.api(tokens.bob, "/api/unread");
  assertEquals(unread.body, { unread: { [G]: 2 }, mentions: { [G]: 1 }, broadcast: 0 });

  // Offline, a mention waits for the next connection: counted, flagged in the offline list.
  for (const client of [bob, bob2, bob3]) await client.close();
  alice.send({ type: "say", chatid: G, content: "@all owner speaking", cid: "m2" });
  await carol.next((f) => f.cid === "m2" && f.mention === true);
  const back = await h.connect("bob", tokens.bob);
  assertEquals(back.init.muted, [G]);
  assertEquals(back.init.mentions, { [G]: 2 });
  assertEquals(
    back.init.offline.map((f: { cid: string; mention?: boolean }) => [f.cid, f.mention]),
    [
      ["m2", true],
    ],
  );
  // History says whom a message names, per reader.
  const page = await h.api(tokens.bob, `/api/chats/${G}/messages`);
  await history(h, tokens.bob);
  const mine = (await h.api(tokens.bob, `/api/chats/${G}/messages`)).body.messages;
  assertEquals(page.status, 200);
  assertEquals(
    mine.filter((m: { mention?: boolean }) => m.mention).map((m: { cid: string }) => m.cid),
    [
      "m1",
      "m2",
    ],
  );

  // Reading clears both counts; unmuting is stored too.
  back.send({ type: "read", chatid: G });
  back.send({ type: "systemNotice", chatid: G, action: "opennotice" });
  await back.next((f) => f.type === "systemNotice" && f.action === "opennotice");
  assertEquals((await h.api(tokens.bob, "/api/unread")).body, {
    unread: {},
    mentions: {},
    broadcast: 0,
  });
  assertEquals((await h.connect("bob", tokens.bob)).init.muted, []);
  // Leaving ends the mute with the membership.
  back.send({ type: "systemNotice", chatid: G, action: "closenotice" });
  await back.next((f) => f.type === "systemNotice" && f.action === "closenotice");
  back.send({ type: "groupset", chatid: G, members: ["alice", "carol"] });
  await groupset(back);
  assertEquals((await h.connect("bob", tokens.bob)).init.muted, []);
});
