/**
 * Faults of a three-node installation on one Redis and one MariaDB: a node killed with SIGKILL
 * under load costs no acknowledged message (archived once, delivered live or by catch-up) and
 * its people are announced offline within the lease; a node whose link to Redis is cut for a
 * few seconds tells its clients to catch up, and they find every message in history.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { RowDataPacket } from "mysql2/promise";
import { monthlyTableName } from "../queue/message.ts";
import { AckedSender } from "./support/acked_sender.ts";
import { eventually } from "./support/chat_server.ts";
import { saysOf, startNodeCluster, TEST_NODE_LEASE_SECONDS } from "./support/node_cluster.ts";
import { TEST_REDIS_URL } from "./support/stores.ts";
import { startTcpProxy } from "./support/tcp_proxy.ts";

Deno.test("a node killed with SIGKILL under load costs no acknowledged message", async () => {
  const cluster = await startNodeCluster(3);
  try {
    // Pairs always on different nodes; node 2 is the one that dies.
    await cluster.addUsers(["p0", "q0", "p1", "q1", "r2", "s0"]);
    const p0 = await cluster.connect(0, "p0");
    const p1 = await cluster.connect(1, "p1");
    const s0 = await cluster.connect(0, "s0");
    const q0 = await cluster.connect(2, "q0");
    const q1 = await cluster.connect(2, "q1");
    const r2 = await cluster.connect(2, "r2");
    const chats = { "p0--q0": p0, "p1--q1": p1, "r2--s0": r2 };
    const senders = Object.entries(chats).map(([chatid, session], i) =>
      [chatid, new AckedSender(session.ws, chatid, `m${i}`)] as const
    );
    const sending = senders.map(([, sender]) => sender.sendUntilAcked(400, 2000, 10));
    // Let some traffic flow, then kill node 2 mid-load.
    await eventually(() => senders.every(([, s]) => s.acked.size >= 40), 20_000, "load");
    await cluster.nodes[2]!.kill("SIGKILL");
    const killedAt = Date.now();
    cluster.nodes[2] = null;
    // s0 hears r2 go offline once node 2's lease lapsed.
    await s0.ws.next((f) => f.type === "logout" && f.clientName === "r2", 15_000);
    const seconds = (Date.now() - killedAt) / 1000;
    assert(seconds < TEST_NODE_LEASE_SECONDS * 4 / 3 + 3, `presence corrected after ${seconds} s`);
    await Promise.all(sending);
    const total = senders.reduce((n, [, s]) => n + s.acked.size, 0);
    assert(senders[2][1].acked.size > 0, "node 2's sender had nothing acknowledged");

    // Every acknowledged message is archived exactly once (node 2's in-flight ones too).
    const table = monthlyTableName(Math.floor(Date.now() / 1000));
    const rows = await eventually(
      async () => {
        const [rows] = await cluster.stores.pool.query<RowDataPacket[]>(
          `SELECT mid, COUNT(*) AS copies FROM \`${table}\` GROUP BY mid`,
        );
        // Every acked mid, not a count: node 2 may have queued one it never acknowledged.
        const present = new Set(rows.map((r) => String(r.mid)));
        return senders.every(([, s]) => [...s.acked.values()].every((a) => present.has(a.mid)))
          ? rows
          : null;
      },
      30_000,
      `all ${total} acknowledged messages archived`,
    );
    const copies = new Map(rows.map((r) => [String(r.mid), Number(r.copies)]));
    for (const [, sender] of senders) {
      assertEquals([...sender.acked.values()].filter((a) => copies.get(a.mid) !== 1), []);
    }
    // Nothing twice; node 2 may have queued a message whose ack it never got to send.
    assertEquals(rows.filter((r) => Number(r.copies) !== 1), []);
    assert(rows.length <= total + 10, `${rows.length} archived for ${total} acknowledged`);

    // The people of node 2 reconnect elsewhere and catch up by seq: what they had live plus
    // history after their last contiguous seq is every acknowledged message, once.
    for (
      const [i, [chatid, sender], reader] of [[0, senders[0], q0], [1, senders[1], q1]] as const
    ) {
      const live = saysOf(reader.ws.frames, chatid).map((f) => f.seq as number);
      let last = 0;
      while (live.includes(last + 1)) last++;
      const back = await cluster.connect(i, reader === q0 ? "q0" : "q1");
      const caughtUp = (await cluster.history(i, back.token, chatid, last)).map((f) => f.seq);
      const seen = new Set([...live.filter((s) => s <= last), ...caughtUp]);
      const acked = [...sender.acked.values()].map((a) => a.seq);
      assertEquals(acked.filter((seq) => !seen.has(seq)), [], `${chatid}: missing`);
      assertEquals(new Set(caughtUp).size, caughtUp.length, `${chatid}: a duplicate in history`);
    }
    console.log(`${total} acknowledged; node 2 taken out ${seconds.toFixed(1)} s after SIGKILL`);
  } finally {
    await cluster.close();
  }
});

Deno.test("a node cut from Redis for longer than its lease is taken out, then tells its clients to catch up", async () => {
  const proxy = startTcpProxy(Number(new URL(TEST_REDIS_URL).port || 6379));
  const cutUrl = `redis://127.0.0.1:${proxy.port}/${new URL(TEST_REDIS_URL).pathname.slice(1)}`;
  const cluster = await startNodeCluster(3, {
    redisUrls: [undefined, undefined, cutUrl],
  });
  try {
    await cluster.addUsers(["alice", "carol"]);
    const alice = await cluster.connect(0, "alice");
    const carol = await cluster.connect(2, "carol");
    const chatid = "alice--carol";
    const before = new AckedSender(alice.ws, chatid, "before");
    await before.sendUntilAcked(10, 10);
    await eventually(() => saysOf(carol.ws.frames, chatid).length === 10, 5000, "live before");

    proxy.cut();
    const during = new AckedSender(alice.ws, chatid, "during");
    await during.sendUntilAcked(20, 20);
    // Longer than node 2's lease: the others take it out, and alice hears carol leave.
    await alice.ws.next((f) => f.type === "logout" && f.clientName === "carol", 10_000);
    await during.sendUntilAcked(30, 30);
    proxy.restore();
    // Once node 2 hears Redis again, it closes carol's socket: reconnect and catch up.
    const closed = await Promise.race([
      carol.ws.closed,
      new Promise<{ code: number }>((r) => setTimeout(() => r({ code: 0 }), 15_000)),
    ]);
    assertEquals(closed.code, 1013);
    const live = saysOf(carol.ws.frames, chatid).map((f) => f.seq as number);
    let last = 0;
    while (live.includes(last + 1)) last++;
    // As a client does: retry with a pause while the node's own Redis connection comes back.
    const back = await eventually(
      () => cluster.connect(2, "carol").catch(() => null),
      15_000,
      "carol logged in on node 2 again",
    );
    const caughtUp = (await cluster.history(2, back.token, chatid, last)).map((f) => f.seq);
    const seen = new Set([...live, ...caughtUp]);
    const acked = [...before.acked.values(), ...during.acked.values()].map((a) => a.seq);
    assertEquals(acked.length, 40);
    assertEquals(acked.filter((seq) => !seen.has(seq)), []);
    // node 2 took its lease again: carol is back online for the others.
    await alice.ws.next((f) => f.type === "login" && f.clientName === "carol", 5000);
    // And live delivery works again both ways.
    back.ws.send({ type: "say", chatid, content: "back", cid: "back" });
    await alice.ws.next((f) => f.type === "say" && f.cid === "back", 5000);
    alice.ws.send({ type: "say", chatid, content: "hi again", cid: "again" });
    await back.ws.next((f) => f.type === "say" && f.cid === "again", 5000);
    assert(
      cluster.nodes[2]!.output.some((l) => /told to reconnect and catch up/.test(l)),
      cluster.nodes[2]!.output.join("\n"),
    );
  } finally {
    await cluster.close();
    await proxy.close();
  }
});
