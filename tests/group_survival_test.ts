/**
 * A group lives in MySQL (SQLite when embedded), not in Redis: it survives a Redis `FLUSHDB`
 * (the cache is rebuilt, chats go on) and a server restart, on both backends.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { closeRedis, connectRedis } from "../store/redis_client.ts";
import { bothBackends } from "./support/both_backends.ts";
import { G, history, line, people } from "./support/group_steps.ts";

/** A redis-server of this test's own, so FLUSHDB touches nobody else (range 6385-6386). */
const PORT = 6385;

bothBackends("a group survives a Redis FLUSHDB and a server restart", async (h) => {
  const { tokens, ws } = await people(h, ["alice", "bob", "carol"]);
  ws.alice.send({ type: "groupset", chatid: G, title: "kept", members: ["bob", "carol"] });
  for (const client of Object.values(ws)) await line(client);
  ws.alice.send({ type: "say", chatid: G, content: "before", cid: "b" });
  await ws.bob.next((f) => f.message === "before");
  await h.archived();

  if (h.ownRedis) {
    const redis = await connectRedis(h.ownRedis.url);
    await redis.flushDb();
    await closeRedis(redis);
    // The open sockets go on: membership comes back from MySQL, seq from a new epoch.
    ws.bob.send({ type: "say", chatid: G, content: "after the flush", cid: "f" });
    const ack = await ws.bob.next((f) => f.type === "ack" && f.cid === "f" || f.type === "error");
    assertEquals(ack.type, "ack", JSON.stringify(ack));
    assert(ack.seq > 2 ** 32, `a new seq epoch after the flush, got ${ack.seq}`);
    await ws.carol.next((f) => f.message === "after the flush");
    // Sessions were only in Redis: log in again.
    assertEquals((await h.api(tokens.bob, "/api/me")).status, 401);
    for (const id of ["alice", "bob", "carol"]) tokens[id] = await h.login(id);
  }

  await h.restart();
  const carol = await h.connect("carol", tokens.carol);
  const bob = await h.connect("bob", tokens.bob);
  assertEquals(carol.init.contacts.find((c: { chatid: string }) => c.chatid === G)?.title, "kept");
  const info = await h.api(tokens.carol, `/api/groups/${G}`);
  assertEquals(info.status, 200);
  assertEquals(
    [info.body.owner, info.body.members.map((m: { accountid: string }) => m.accountid)],
    [
      "alice",
      ["alice", "bob", "carol"],
    ],
  );
  carol.send({ type: "say", chatid: G, content: "after the restart", cid: "r" });
  await bob.next((f) => f.message === "after the restart");
  const expected = ["ALICE created the group with BOB and CAROL", "before"];
  if (h.ownRedis) expected.push("after the flush");
  assertEquals(await history(h, tokens.carol), [...expected, "after the restart"]);
}, { ownRedisPort: PORT });
