/**
 * Groups end to end over real WebSockets, on both backends: creation, adds, removes, leaves,
 * the owner leaving and renames reach the right people at once and are written into the
 * group's history; a removed member receives nothing further and cannot read new history.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { bothBackends } from "./support/both_backends.ts";
import { G, groupset, history, line, none, people } from "./support/group_steps.ts";
import type { Frame } from "./support/ws_client.ts";

bothBackends(
  "creation, adds, removes, leaves and renames reach the right people and the history",
  async (h) => {
    const { tokens, ws } = await people(h, ["alice", "bob", "carol", "dave", "erin"]);
    const { alice, bob, carol, dave, erin } = ws;
    const bob2 = await h.connect("bob", tokens.bob);

    // Creation reaches every member at once, on every connection, with its history line.
    alice.send({ type: "groupset", chatid: G, title: "Team <b>&</b>", members: ["bob", "carol"] });
    for (const client of [alice, bob, bob2, carol]) {
      const frame = await groupset(client);
      assertEquals(
        [frame.members, frame.owner, frame.addMember, frame.delMember, frame.title, frame.fromuser],
        [["alice", "bob", "carol"], "alice", ["bob", "carol"], [], "Team <b>&</b>", "alice"],
      );
      assertEquals(await line(client), "ALICE created the group with BOB and CAROL");
    }
    alice.send({ type: "say", chatid: G, content: "hello team", cid: "h1" });
    assertEquals((await alice.next((f) => f.type === "ack" && f.cid === "h1")).seq, 2);
    for (const client of [bob, bob2, carol]) {
      await client.next((f) => f.type === "say" && f.message === "hello team");
    }

    // A member (not the owner) adds someone: the newcomer hears of it at once.
    bob.send({ type: "groupset", chatid: G, members: ["alice", "bob", "carol", "dave"] });
    for (const client of [alice, bob, bob2, carol, dave]) {
      assertEquals((await groupset(client)).addMember, ["dave"]);
      assertEquals(await line(client), "BOB added DAVE");
    }

    // The owner removes carol: she hears it, then nothing more.
    alice.send({ type: "groupset", chatid: G, members: ["alice", "bob", "dave"] });
    for (const client of [alice, bob, bob2, carol, dave]) {
      const frame = await groupset(client);
      assertEquals([frame.delMember, frame.members], [["carol"], ["alice", "bob", "dave"]]);
      assertEquals(await line(client), "ALICE removed CAROL");
    }
    alice.send({ type: "say", chatid: G, content: "after carol left", cid: "h2" });
    await dave.next((f) => f.type === "say" && f.message === "after carol left");

    // The owner leaves: the longest-standing member who stays (bob, not dave) owns the group.
    alice.send({ type: "groupset", chatid: G, members: ["bob", "dave"] });
    for (const client of [alice, bob, bob2, dave]) {
      const frame = await groupset(client);
      assertEquals([frame.delMember, frame.owner], [["alice"], "bob"]);
      assertEquals(await line(client), "ALICE left");
      assertEquals(await line(client), "BOB now owns the group");
    }

    // A rename reaches the members only.
    const title = `Renamed '; DROP TABLE webchat_group; -- <i>x</i>`;
    bob.send({ type: "systemNotice", chatid: G, action: "grouptitle", title });
    for (const client of [bob, bob2, dave]) {
      const notice = await client.next((f) => f.type === "systemNotice" && f.chatid === G);
      assertEquals([notice.action, notice.title, notice.fromuser], ["grouptitle", title, "bob"]);
      assertEquals(await line(client), `BOB renamed the group to “${title}”`);
    }
    dave.send({ type: "groupset", chatid: G, members: ["bob"] });
    for (const client of [bob, dave]) {
      assertEquals((await groupset(client)).delMember, ["dave"]);
      assertEquals(await line(client), "DAVE left");
    }
    bob.send({ type: "say", chatid: G, content: "alone now", cid: "h3" });
    await bob2.next((f) => f.type === "say" && f.message === "alone now");

    // Whoever left or was removed received nothing further; erin never heard of the group.
    none(
      carol,
      (f) => f.time !== undefined && ["after carol left", "alone now"].includes(f.message),
    );
    none(carol, (f) => f.type === "systemNotice" || f.message === "ALICE left");
    none(alice, (f) => f.type === "systemNotice" || f.message === "alone now");
    none(erin, () => true);

    // History: each reads from its join time to its leaving; the members who stay, all of it.
    const all = [
      "ALICE created the group with BOB and CAROL",
      "hello team",
      "BOB added DAVE",
      "ALICE removed CAROL",
      "after carol left",
      "ALICE left",
      "BOB now owns the group",
      `BOB renamed the group to “${title}”`,
      "DAVE left",
      "alone now",
    ];
    assertEquals(await history(h, tokens.bob), all);
    assertEquals(await history(h, tokens.carol), all.slice(0, 4));
    assertEquals(await history(h, tokens.dave), all.slice(2, 9));
    // The lines of the change that removed someone are theirs too (they received them).
    assertEquals(await history(h, tokens.alice), all.slice(0, 7));
    const erinReads = await h.api(tokens.erin, `/api/chats/${G}/messages`);
    assertEquals(erinReads.status, 403);
    // A catch-up of a former member ends: nothing after its stretch will ever be its to read.
    const caughtUp = await h.api(tokens.carol, `/api/chats/${G}/messages?after=1`);
    assertEquals([caughtUp.body.messages.length, caughtUp.body.hasMore], [3, false]);

    // The group as its member sees it; the ones who left do not.
    const info = await h.api(tokens.bob, `/api/groups/${G}`);
    assertEquals(info.status, 200);
    assertEquals([info.body.title, info.body.owner], [title, "bob"]);
    assertEquals(info.body.members.map((m: Frame) => m.accountid), ["bob"]);
    assert(Number.isInteger(info.body.members[0].joined) && info.body.ctime > 1_700_000_000);
    for (const outsider of ["carol", "dave", "erin"]) {
      const answer = await h.api(tokens[outsider], `/api/groups/${G}`);
      assertEquals([answer.status, answer.body.error.code], [403, "forbidden"], outsider);
    }
    // Recent contacts of everyone concerned name the group by its title.
    const contacts = await h.api(tokens.carol, "/api/contacts");
    assertEquals(contacts.body.contacts.find((c: Frame) => c.chatid === G)?.title, title);
  },
);
