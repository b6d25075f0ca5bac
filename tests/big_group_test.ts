/**
 * A group of 2,000 on both backends: created in one frame, a message reaches the members who
 * are online, counts as unread (and mentioned) for the 1,997 who are not, and the worker puts
 * the group into every member's recent contacts.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { bothBackends } from "./support/both_backends.ts";
import { G, groupset, line, people } from "./support/group_steps.ts";

const others = Array.from({ length: 1997 }, (_, i) => `m${String(i).padStart(4, "0")}`);

bothBackends(
  "a group of 2,000: delivery, unread and mentions, every member's contacts",
  async (h) => {
    await h.addUsers(others);
    const { ws } = await people(h, ["alice", "bob", "carol"]);
    const members = ["bob", "carol", ...others];
    ws.alice.send({ type: "groupset", chatid: G, title: "everyone", members });
    for (const client of Object.values(ws)) {
      assertEquals((await groupset(client)).members.length, 2000);
      assert((await line(client)).endsWith("and 1,989 others"));
    }
    const started = performance.now();
    ws.alice.send({ type: "say", chatid: G, content: "hello @m1500 and all", cid: "x" });
    const ack = await ws.alice.next((f) => f.type === "ack" && f.cid === "x");
    const ackMs = performance.now() - started;
    await ws.bob.next((f) => f.cid === "x");
    await ws.carol.next((f) => f.cid === "x");
    assert(ackMs < 2000, `ack after ${ackMs.toFixed(0)} ms`);
    const { inbox, recent } = h.server.backend;
    assertEquals(await inbox.unread("m1996"), { [G]: 1 });
    assertEquals(await inbox.mentions("m1500"), { [G]: 1 });
    assertEquals(await inbox.mentions("m1499"), {});
    const offline = await inbox.takeOffline("m1500");
    assertEquals(offline.map((f) => [JSON.parse(f).seq, JSON.parse(f).mention]), [[ack.seq, true]]);
    await h.archived();
    for (const id of ["alice", "m0000", "m1000", "m1996"]) {
      assertEquals((await recent.contacts(id, 5)).map((c) => c.chatid), [G], id);
    }
  },
);
