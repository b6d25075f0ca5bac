/**
 * The core chat path end to end: real HTTP and WebSocket on a real port, real Redis and
 * MariaDB, the archive worker in its Web Worker.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { RowDataPacket } from "mysql2/promise";
import { monthlyTableName } from "../queue/message.ts";
import { eventually, startTestServer } from "./support/chat_server.ts";

Deno.test("two accounts talk both ways, reconnect, catch up by seq, and every message is archived", async () => {
  const t = await startTestServer();
  try {
    await t.addUser("alice");
    await t.addUser("bob");
    const aliceToken = await t.login("alice");
    const bobToken = await t.login("bob");
    const alice = await t.connect("alice", aliceToken);
    const bob = await t.connect("bob", bobToken);
    assertEquals(alice.init.user.accountid, "alice");
    assert(!("passwordHash" in alice.init.user) && !("pwd" in alice.init.user));
    // alice learns that bob came online.
    await alice.next((f) => f.type === "login" && f.clientName === "bob");

    const chatid = "alice--bob".split("--").sort().join("--");
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) {
      const [from, to] = i % 2 === 0 ? [alice, bob] : [bob, alice];
      const content = `message ${i} from ${i % 2 === 0 ? "alice" : "bob"}`;
      sent.push(content);
      from.send({ type: "say", chatid, content, cid: `c${i}` });
      const ack = await from.next((f) => f.type === "ack" && f.cid === `c${i}`);
      assertEquals(ack.seq, i + 1);
      assertEquals(ack.chatid, chatid);
      const received = await to.next((f) => f.type === "say" && f.cid === `c${i}`);
      assertEquals(received.message, content);
      assertEquals(received.mid, ack.mid);
      // The sender's own connections get the echo too.
      await from.next((f) => f.type === "say" && f.cid === `c${i}`);
    }

    // bob drops; alice keeps talking; bob comes back and catches up through the history API.
    await bob.close();
    await alice.next((f) => f.type === "logout" && f.clientName === "bob");
    for (let i = 6; i < 9; i++) {
      sent.push(`while away ${i}`);
      alice.send({ type: "say", chatid, content: `while away ${i}`, cid: `c${i}` });
      await alice.next((f) => f.type === "ack" && f.cid === `c${i}`);
    }
    const bobAgain = await t.connect("bob", bobToken);
    assertEquals(bobAgain.init.offline.map((f: { seq: number }) => f.seq), [7, 8, 9]);
    assertEquals(bobAgain.init.unread[chatid], 6);
    const lastSeenByBob = 6;
    const page = await eventually(
      async () => {
        const { status, body } = await t.api(
          bobToken,
          `/api/chats/${chatid}/messages?after=${lastSeenByBob}`,
        );
        assertEquals(status, 200);
        return body!.messages.length === 3 ? body : null;
      },
      10_000,
      "history after seq 6",
    );
    assertEquals(page.messages.map((m: { seq: number }) => m.seq), [7, 8, 9]);
    assertEquals(page.messages.map((m: { message: string }) => m.message), sent.slice(6));

    // The newest page (no cursor) has all nine in ascending seq.
    const newest = await t.api(aliceToken, `/api/chats/${chatid}/messages`);
    assertEquals(newest.body!.messages.map((m: { seq: number }) => m.seq), [
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      9,
    ]);
    assertEquals(newest.body!.hasMore, false);

    // Every message is in this month's table, exactly once.
    const table = monthlyTableName(Math.floor(Date.now() / 1000));
    const rows = await eventually(
      async () => {
        const [rows] = await t.stores.pool.query<RowDataPacket[]>(
          `SELECT seq, fromuser, message FROM ${table} WHERE chatid = ? ORDER BY seq`,
          [chatid],
        );
        return rows.length === 9 ? rows : null;
      },
      10_000,
      "9 archived rows",
    );
    assertEquals(rows.map((r) => r.message), sent);
    assertEquals(rows.map((r) => r.fromuser).slice(0, 2), ["alice", "bob"]);

    // Contacts and unread; reading clears and tells bob's other connections.
    const contacts = await t.api(bobToken, "/api/contacts");
    assertEquals(contacts.body!.contacts[0].chatid, chatid);
    assertEquals(contacts.body!.contacts[0].title, "ALICE");
    const bobTab2 = await t.connect("bob", bobToken);
    bobAgain.send({ type: "read", chatid, seq: 9 });
    assertEquals((await bobTab2.next((f) => f.type === "read")).seq, 9);
    assertEquals((await t.api(bobToken, "/api/unread")).body, {
      unread: {},
      mentions: {},
      broadcast: 0,
    });

    const online = await t.api(aliceToken, "/api/online");
    assertEquals(online.body!.online, ["alice", "bob"]);
  } finally {
    await t.close();
  }
});

Deno.test("several tabs of one account all get the message; presence counts accounts, not tabs", async () => {
  const t = await startTestServer();
  try {
    await t.addUser("carol");
    await t.addUser("dave");
    const carolToken = await t.login("carol");
    const daveToken = await t.login("dave");
    const dave = await t.connect("dave", daveToken);
    const carol1 = await t.connect("carol", carolToken);
    await dave.next((f) => f.type === "login" && f.clientName === "carol");
    const carol2 = await t.connect("carol", carolToken);
    dave.send({ type: "say", chatid: "carol--dave", content: "to both tabs", cid: "x" });
    await carol1.next((f) => f.type === "say" && f.message === "to both tabs");
    await carol2.next((f) => f.type === "say" && f.message === "to both tabs");
    await carol1.close();
    await carol2.close();
    await dave.next((f) => f.type === "logout" && f.clientName === "carol");
    // Exactly one login and one logout were announced for carol's two tabs.
    assertEquals(
      dave.frames.filter((f) => f.type === "login" && f.clientName === "carol").length,
      1,
    );
    assertEquals(dave.frames.filter((f) => f.type === "logout").length, 1);
  } finally {
    await t.close();
  }
});

Deno.test("a reader who marks each message read as it arrives ends with no unread count", async () => {
  const t = await startTestServer();
  try {
    await t.addUser("erin");
    await t.addUser("frank");
    const frankToken = await t.login("frank");
    const erin = await t.connect("erin", await t.login("erin"));
    const frank = await t.connect("frank", frankToken);
    frank.socket.addEventListener("message", (event) => {
      const frame = JSON.parse(String(event.data));
      if (frame.type === "say") frank.send({ type: "read", chatid: frame.chatid, seq: frame.seq });
    });
    for (let i = 0; i < 20; i++) {
      erin.send({ type: "say", chatid: "erin--frank", content: `n${i}`, cid: `n${i}` });
      await erin.next((f) => f.type === "ack" && f.cid === `n${i}`);
      await frank.next((f) => f.type === "say" && f.cid === `n${i}`);
    }
    await new Promise((r) => setTimeout(r, 300));
    assertEquals((await t.api(frankToken, "/api/unread")).body, {
      unread: {},
      mentions: {},
      broadcast: 0,
    });
  } finally {
    await t.close();
  }
});

Deno.test("a catch-up that ends before the chat's last seq says there is more", async () => {
  // No archive worker: messages are accepted and delivered but never reach the archive.
  const t = await startTestServer({ worker: false });
  try {
    await t.addUser("gina");
    await t.addUser("hal");
    const token = await t.login("gina");
    const gina = await t.connect("gina", token);
    for (let i = 0; i < 3; i++) {
      gina.send({ type: "say", chatid: "gina--hal", content: `q${i}`, cid: `q${i}` });
      await gina.next((f) => f.type === "ack" && f.cid === `q${i}`);
    }
    const pending = await t.api(token, "/api/chats/gina--hal/messages?after=0");
    assertEquals(pending.body, { messages: [], hasMore: true });
    const filtered = await t.api(token, "/api/chats/gina--hal/messages?after=0&type=image");
    assertEquals(filtered.body, { messages: [], hasMore: false });
  } finally {
    await t.close();
  }
});
