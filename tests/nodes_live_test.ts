/**
 * Three `chat start` processes on one Redis and one MariaDB, people spread across them: what one
 * node sends reaches the others live, exactly once and in `seq` order; presence, `read`, group
 * changes, broadcasts and ended sessions cross nodes; two nodes never share an id.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { eventually } from "./support/chat_server.ts";
import { getJson } from "./support/chat_session.ts";
import { saysOf, startNodeCluster } from "./support/node_cluster.ts";
import { freePort, spawnServer } from "./support/server_process.ts";
import { TEST_REDIS_URL } from "./support/stores.ts";
import type { Frame, WsClient } from "./support/ws_client.ts";

/** Sends `count` messages as fast as the socket takes them; answers the acked seqs. */
async function burst(ws: WsClient, chatid: string, tag: string, count: number) {
  for (let i = 0; i < count; i++) {
    ws.send({ type: "say", chatid, content: `${tag}-${i}`, cid: `${tag}-${i}` });
  }
  const seqs: number[] = [];
  for (let i = 0; i < count; i++) {
    const answer = await ws.next((f) => f.cid === `${tag}-${i}` && f.type !== "say", 10_000);
    assertEquals(answer.type, "ack", JSON.stringify(answer));
    seqs.push(answer.seq);
  }
  return seqs;
}

/** Waits until `ws` holds `count` says of `chatid`; they must be each seq once, ascending. */
async function expectSays(ws: WsClient, chatid: string, seqs: number[], who: string) {
  const want = [...seqs].sort((a, b) => a - b);
  await eventually(
    () => saysOf(ws.frames, chatid).length >= want.length,
    15_000,
    `${who}: ${want.length} messages of ${chatid} (has ${saysOf(ws.frames, chatid).length})`,
  );
  await new Promise((r) => setTimeout(r, 300)); // a duplicate would come meanwhile
  const got = saysOf(ws.frames, chatid).map((f) => f.seq);
  assertEquals(got, want, `${who} got ${chatid} in this order`);
}

const presenceOf = (frames: Frame[], type: string, who: string) =>
  frames.filter((f) => f.type === type && f.clientName === who).length;

Deno.test("three nodes: messages, groups, presence, read and ended sessions cross nodes", async () => {
  const cluster = await startNodeCluster(3);
  try {
    await cluster.addUsers(["alice", "bob", "carol", "dave", "erin"]);
    const alice = await cluster.connect(0, "alice");
    const bob = await cluster.connect(1, "bob");
    const carol = await cluster.connect(2, "carol");
    // alice heard bob and carol come online, on other nodes.
    await alice.ws.next((f) => f.type === "login" && f.clientName === "bob");
    await alice.ws.next((f) => f.type === "login" && f.clientName === "carol");
    await eventually(
      async () => {
        const { body } = await getJson(`${cluster.nodes[2]!.url}/api/online`, carol.token);
        return JSON.stringify(body.online) === JSON.stringify(["alice", "bob", "carol"]);
      },
      5000,
      "carol's node lists everyone online",
    );
    // dave has a socket on node 0 and one on node 2: one login for the others, not two.
    const dave0 = await cluster.connect(0, "dave");
    const dave2 = await cluster.connect(2, "dave");
    assertEquals(dave2.init.online, ["alice", "bob", "carol", "dave"]);
    await bob.ws.next((f) => f.type === "login" && f.clientName === "dave");
    await new Promise((r) => setTimeout(r, 300));
    assertEquals(presenceOf(bob.ws.frames, "login", "dave"), 1);

    // One-to-one, both people sending at once from two nodes.
    const [fromAlice, fromBob] = await Promise.all([
      burst(alice.ws, "alice--bob", "ab", 40),
      burst(bob.ws, "alice--bob", "ba", 40),
    ]);
    const all = [...fromAlice, ...fromBob];
    assertEquals(new Set(all).size, 80);
    await expectSays(alice.ws, "alice--bob", all, "alice");
    await expectSays(bob.ws, "alice--bob", all, "bob");
    assertEquals(saysOf(carol.ws.frames, "alice--bob").length, 0);
    // Each node counts what it handed over and what it was handed.
    const metrics = await (await fetch(`${cluster.nodes[1]!.url}/metrics`)).text();
    const count = (direction: string) =>
      Number(
        new RegExp(`webchat_node_deliveries_total\\{direction="${direction}"\\} (\\d+)`)
          .exec(metrics)?.[1] ?? 0,
      );
    assert(count("out") >= 40 && count("in") >= 40, metrics);
    assert(/^webchat_nodes 3$/m.test(metrics), metrics);
    // Online on another node is online: nothing was kept in an offline list for either.
    const offlineKey = (id: string) => `${cluster.stores.prefix}${id}:offline:msgs`;
    assertEquals(await cluster.stores.redis.lLen(offlineKey("alice")), 0);
    assertEquals(await cluster.stores.redis.lLen(offlineKey("bob")), 0);

    // A group made on node 1 with members on every node.
    bob.ws.send({
      type: "groupset",
      chatid: "bob-1764201600000",
      title: "nodes",
      members: ["bob", "alice", "carol", "dave"],
    });
    for (const ws of [alice.ws, carol.ws, dave0.ws, dave2.ws]) {
      const frame = await ws.next(
        (f) => f.type === "groupset" && f.chatid === "bob-1764201600000",
        10_000,
      );
      assertEquals(frame.members, ["bob", "alice", "carol", "dave"]);
    }
    // The "created the group" line took seq 1.
    await expectSays(dave2.ws, "bob-1764201600000", [1], "dave on node 2");
    const groupSeqs = (await Promise.all([
      burst(alice.ws, "bob-1764201600000", "ga", 25),
      burst(bob.ws, "bob-1764201600000", "gb", 25),
      burst(carol.ws, "bob-1764201600000", "gc", 25),
    ])).flat();
    const expected = [1, ...groupSeqs];
    for (const [who, ws] of Object.entries({ alice, bob, carol, dave0, dave2 })) {
      await expectSays("ws" in ws ? ws.ws : ws, "bob-1764201600000", expected, who);
    }

    // A mention reaches its member's node with the member's own frame.
    carol.ws.send({
      type: "say",
      chatid: "bob-1764201600000",
      content: "@dave look",
      cid: "mention",
    });
    const mentioned = await dave0.ws.next((f) => f.type === "say" && f.cid === "mention", 5000);
    assertEquals(mentioned.mention, true);
    const plain = await bob.ws.next((f) => f.type === "say" && f.cid === "mention", 5000);
    assertEquals(plain.mention, undefined);

    // read on node 0 reaches dave's socket on node 2 (and not the one that sent it).
    dave0.ws.send({ type: "read", chatid: "bob-1764201600000", seq: 5 });
    const read = await dave2.ws.next((f) => f.type === "read", 5000);
    assertEquals(read, { type: "read", chatid: "bob-1764201600000", seq: 5 });

    // A rename (systemNotice) from node 2 reaches node 0 and 1.
    carol.ws.send({
      type: "systemNotice",
      chatid: "bob-1764201600000",
      action: "grouptitle",
      title: "renamed",
    });
    for (const ws of [alice.ws, bob.ws, dave0.ws]) {
      const notice = await ws.next((f) => f.type === "systemNotice", 5000);
      assertEquals(notice.title, "renamed");
    }

    // A broadcast from node 0 reaches recipients on nodes 1 and 2.
    alice.ws.send({
      type: "broadcast",
      touser: { member: ["bob", "carol"], depts: [], title: "two" },
      title: "notice",
      content: "hello everyone",
      cid: "bc",
    });
    for (const ws of [bob.ws, carol.ws]) {
      const frame = await ws.next((f) => f.type === "broadcast", 5000);
      assertEquals(frame.content, "hello everyone");
    }

    // dave closes one socket: still online; the second: offline, heard on every node.
    await dave0.ws.close();
    await new Promise((r) => setTimeout(r, 300));
    assertEquals(presenceOf(bob.ws.frames, "logout", "dave"), 0);
    await dave2.ws.close();
    await alice.ws.next((f) => f.type === "logout" && f.clientName === "dave", 5000);
    await bob.ws.next((f) => f.type === "logout" && f.clientName === "dave", 5000);

    // erin has never connected: what alice sends her waits in her offline list, and on
    // whichever node she logs in she gets it.
    const erinSeqs = await burst(alice.ws, "alice--erin", "ae", 3);
    const erin = await cluster.connect(1, "erin");
    assertEquals((erin.init.offline as Frame[]).map((f) => f.seq), erinSeqs);
    // A node that had not yet heard erin log in keeps a message for her offline after her init
    // took the list (here written by hand, as that node would): it reaches her live a moment
    // later, and the list is empty again.
    const late = {
      type: "say",
      chatid: "alice--erin",
      fromuser: "alice",
      message: "late",
      msgType: "text",
      time: Math.floor(Date.now() / 1000),
      mid: "0".repeat(24),
      seq: erinSeqs.at(-1)! + 1,
      cid: "late",
    };
    await cluster.stores.redis.lPush(offlineKey("erin"), JSON.stringify(late));
    assertEquals((await erin.ws.next((f) => f.cid === "late", 5000)).message, "late");
    assertEquals(await cluster.stores.redis.lLen(offlineKey("erin")), 0);
    // dave is offline everywhere now: a message from erin (node 1) waits for him, and he gets
    // it on node 2.
    const toDave = await burst(erin.ws, "dave--erin", "ed", 2);
    const daveBack = await cluster.connect(2, "dave");
    assertEquals((daveBack.init.offline as Frame[]).map((f) => f.seq), toDave);

    // Ending bob's session on node 2 closes his socket on node 1 (4401).
    const response = await fetch(`${cluster.nodes[2]!.url}/api/logout`, {
      method: "POST",
      headers: { authorization: `Bearer ${bob.token}` },
    });
    await response.body?.cancel();
    assertEquals(response.status < 300, true, `logout: ${response.status}`);
    const closed = await Promise.race([
      bob.ws.closed,
      new Promise<{ code: number }>((r) => setTimeout(() => r({ code: 0 }), 5000)),
    ]);
    assertEquals(closed.code, 4401);
    await alice.ws.next((f) => f.type === "logout" && f.clientName === "bob", 5000);
  } finally {
    await cluster.close();
  }
});

Deno.test("two nodes given the same node id: the second refuses to start; chat stop closes with 1001", async () => {
  const cluster = await startNodeCluster(1, { env: { CHAT_NODE_ID: "node-one" } });
  try {
    await cluster.addUsers(["alice", "bob"]);
    const second = spawnServer(
      ["--port", String(freePort()), "--redis", TEST_REDIS_URL, "--mysql", cluster.stores.mysqlUrl],
      {
        CHAT_REDIS_PREFIX: cluster.stores.prefix,
        CHAT_DATA_DIR: await Deno.makeTempDir(),
        CHAT_NODE_ID: "node-one",
      },
    );
    const error = await second.then(() => null, (e: Error) => e);
    assert(error, "the second node started");
    assert(/node id node-one is in use by another live node/.test(error.message), error.message);
    // A second node with its own id joins, and sees alice on the first.
    await cluster.start(1, { env: { CHAT_NODE_ID: "node-two" } });
    const alice = await cluster.connect(0, "alice");
    const bob = await cluster.connect(1, "bob");
    assertEquals(bob.init.online, ["alice", "bob"]);
    // chat stop on node one: its socket closes with 1001, node two hears alice leave.
    const stopping = cluster.nodes[0]!.kill("SIGTERM");
    assertEquals((await alice.ws.closed).code, 1001);
    await stopping;
    cluster.nodes[0] = null;
    await bob.ws.next((f) => f.type === "logout" && f.clientName === "alice", 5000);
    // Its id is free again at once (it gave its lease back).
    await cluster.start(0, { env: { CHAT_NODE_ID: "node-one" } });
  } finally {
    await cluster.close();
  }
});
