/**
 * What one account can do to the server over the real wire: hold sockets (each can buffer an
 * unfinished message, see README "Frames"), flood messages, and send frames built to break the
 * parser. Each is bounded and leaves the server as it was.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { RowDataPacket } from "mysql2/promise";
import { eventually, startTestServer } from "./support/chat_server.ts";
import { openRawWs } from "./support/raw_ws.ts";
import { openWs, type WsClient } from "./support/ws_client.ts";

Deno.test("an account holds at most socketsPerAccount sockets; the next is refused with 1013", async () => {
  const t = await startTestServer({ configure: (c) => c.limits.socketsPerAccount = 3 });
  const sockets: WsClient[] = [];
  try {
    await t.addUser("alice");
    await t.addUser("bob");
    const [alice, otherSession, bob] = [
      await t.login("alice"),
      await t.login("alice"),
      await t.login("bob"),
    ];
    // Sockets count whether or not they sent `login`, and whichever session opened them.
    sockets.push(await openWs(t.url, alice), await openWs(t.url, alice));
    sockets.push(await t.connect("alice", otherSession));
    const refused = await openWs(t.url, alice);
    const { code, reason } = await refused.closed;
    assertEquals(code, 1013);
    assert(/too many connections for this account \(at most 3\)/.test(reason), reason);
    // Somebody else is not affected, and a freed socket can be used again.
    sockets.push(await t.connect("bob", bob));
    await sockets[0].close();
    await eventually(() => t.server.gateway.size === 3, 5000, "socket released");
    sockets.push(await t.connect("alice", alice));
  } finally {
    for (const ws of sockets) await ws.close();
    await t.close();
  }
});

Deno.test("a flood of messages gets rate_limited past the burst; nothing of it is stored", async () => {
  const t = await startTestServer();
  try {
    await t.addUser("alice");
    await t.addUser("bob");
    const alice = await t.connect("alice", await t.login("alice"));
    const tab = await t.connect("alice", await t.login("alice"));
    const bob = await t.connect("bob", await t.login("bob"));
    const { sendBurst, sendPerSecond } = t.config.limits;
    const started = Date.now();
    for (let i = 0; i < 100; i++) {
      alice.send({ type: "say", chatid: "alice--bob", content: `m${i}`, cid: `c${i}` });
    }
    const answers = [];
    for (let i = 0; i < 100; i++) {
      answers.push(await alice.next((f) => f.cid === `c${i}` && f.type !== "say"));
    }
    const elapsed = (Date.now() - started) / 1000;
    const acked = answers.filter((f) => f.type === "ack");
    const limited = answers.filter((f) => f.type === "error" && f.info === "rate_limited");
    assertEquals(acked.length + limited.length, 100, JSON.stringify(answers.slice(0, 3)));
    assert(acked.length >= sendBurst, `only ${acked.length} accepted`);
    assert(
      acked.length <= sendBurst + Math.ceil(elapsed * sendPerSecond) + 1,
      `${acked.length} accepted in ${elapsed} s`,
    );
    assert(/sending too fast/.test(limited[0].msg) && limited[0].retryAfterMs > 0);
    // The account's other socket shares the budget: of a burst from it, all but what refilled
    // since (sendPerSecond; a busy machine may take a while to get here) is refused.
    for (let i = 0; i < sendBurst; i++) {
      tab.send({ type: "say", chatid: "alice--bob", content: "from the tab", cid: `tab${i}` });
    }
    const tabAnswers = [];
    for (let i = 0; i < sendBurst; i++) {
      tabAnswers.push(await tab.next((f) => f.cid === `tab${i}` && f.type !== "say"));
    }
    const tabAcked = tabAnswers.filter((f) => f.type === "ack");
    const refilled = Math.ceil(((Date.now() - started) / 1000) * sendPerSecond) + 1;
    assert(tabAcked.length < sendBurst, "the tab had a budget of its own");
    assert(
      acked.length + tabAcked.length <= sendBurst + refilled,
      `${acked.length} + ${tabAcked.length} accepted`,
    );
    acked.push(...tabAcked);
    // bob received the accepted messages and nothing else; the archive holds only those.
    const ackedMids = acked.map((f) => f.mid).sort();
    const received = await eventually(
      () => {
        const says = bob.frames.filter((f) => f.type === "say");
        return says.length >= acked.length ? says : null;
      },
      5000,
      "bob's says",
    );
    assertEquals(received.map((f) => f.mid).sort(), ackedMids);
    await eventually(
      async () => {
        const [tables] = await t.stores.pool.query<RowDataPacket[]>(
          `SELECT TABLE_NAME AS name FROM information_schema.TABLES
         WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE 'webchat\\_message%'`,
          [t.stores.database],
        );
        if (tables.length !== 1) return false;
        const [rows] = await t.stores.pool.query<RowDataPacket[]>(
          `SELECT mid FROM ${tables[0].name} ORDER BY mid`,
        );
        assertEquals(rows.map((r) => r.mid).sort(), ackedMids);
        return true;
      },
      10_000,
      "the archive",
    );
  } finally {
    await t.close();
  }
});

Deno.test("frames built to break the parser get bad_request and no log line each", async () => {
  const t = await startTestServer();
  try {
    await t.addUser("alice");
    const alice = await t.connect("alice", await t.login("alice"));
    const odd = [
      `{"type":{"toString":1}}`,
      `{"type":{"toString":1,"valueOf":1},"cid":"c"}`,
      `{"type":"say","chatid":{"toString":1},"content":"x"}`,
      `{"type":"read","chatid":"alice--alice","seq":{"valueOf":1}}`,
      `{"__proto__":{"type":"say"}}`,
    ];
    for (let i = 0; i < 200; i++) alice.sendText(odd[i % odd.length]);
    for (let i = 0; i < 200; i++) {
      const answer = await alice.next((f) => f.type === "error");
      assertEquals(answer.info, "bad_request", JSON.stringify(answer));
    }
    // Still usable.
    alice.send({ type: "ping" });
    await alice.next((f) => f.type === "pong");
    assertEquals(t.logs.filter((line) => /unexpected|TypeError/.test(line)), []);
  } finally {
    await t.close();
  }
});

Deno.test("a message sent in fragments is refused with 1009 once the runtime has it all", async () => {
  const t = await startTestServer();
  try {
    await t.addUser("alice");
    const raw = await openRawWs(t.server.port, await t.login("alice"));
    // Deno collects the fragments without a limit of its own (README, "Frames"); the gateway's
    // check runs on the whole message: 32 fragments of 64 KiB make 2 MiB, over 64 KiB.
    const fragment = new Uint8Array(64 * 1024).fill(0x61);
    for (let i = 0; i < 32; i++) await raw.frame(i === 31, i === 0 ? 1 : 0, fragment);
    assertEquals(await raw.closeCode(), 1009);
    raw.close();
  } finally {
    await t.close();
  }
});
