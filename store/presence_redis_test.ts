import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { eventually } from "../tests/support/fixtures.ts";
import { openTestStores, type TestStores } from "../tests/support/stores.ts";
import type { NodeEvents } from "./node_link.ts";
import { describePresenceContract } from "./presence_contract.ts";
import { RedisPresence } from "./presence_redis.ts";

describePresenceContract("RedisPresence", async () => {
  const stores = await openTestStores();
  const presence = new RedisPresence({ redis: stores.redis, prefix: stores.prefix, nodeId: "n1" });
  return {
    presence,
    async close() {
      await presence.close();
      await stores.cleanup();
    },
  };
});

/** A node on the test stores that records what it hears. */
async function node(stores: TestStores, nodeId: string, leaseSeconds = 2) {
  const presence = new RedisPresence({
    redis: stores.redis,
    prefix: stores.prefix,
    nodeId,
    leaseSeconds,
  });
  const heard = { deliveries: [] as string[], presence: [] as string[], missed: 0 };
  const events: NodeEvents = {
    delivery: (payload) => heard.deliveries.push(payload),
    presence: (accountid, online) => heard.presence.push(`${online ? "+" : "-"}${accountid}`),
    missed: () => heard.missed++,
  };
  await presence.claim();
  presence.start();
  await presence.listen(events);
  return { presence, heard };
}

Deno.test("RedisPresence: nodes see each other's accounts, route deliveries, and refuse a taken id", async () => {
  const stores = await openTestStores();
  const a = await node(stores, "a");
  const b = await node(stores, "b");
  try {
    await rejects(
      new RedisPresence({ redis: stores.redis, prefix: stores.prefix, nodeId: "a" }).claim(),
      /node id a is in use by another live node/,
    );
    await a.presence.online("alice");
    await b.presence.online("bob");
    await b.presence.online("alice");
    await eventually(() => a.presence.isOnline("bob") && b.presence.isOnline("alice"), 3000, "map");
    // alice came online once for b's view (she was on a first), bob once for a's.
    assertEquals(a.heard.presence, ["+bob"]);
    assertEquals(b.heard.presence, ["+alice"]);
    assertEquals(await a.presence.list(), ["alice", "bob"]);
    assertEquals([a.presence.others(), b.presence.others()], [["b"], ["a"]]);
    assertEquals([...a.presence.route(["alice", "bob", "carol"])], [["b", ["alice", "bob"]]]);
    assertEquals([...b.presence.route(["alice", "bob"])], [["a", ["alice"]]]);
    // Redis 7 has sharded pub/sub: the nodes' channels are shard channels.
    const shardChannels = await stores.redis.sendCommand([
      "PUBSUB",
      "SHARDCHANNELS",
      `${stores.prefix}chat:node:*`,
    ]) as string[];
    assertEquals(shardChannels.sort(), [
      `${stores.prefix}chat:node:a`,
      `${stores.prefix}chat:node:b`,
    ]);
    a.presence.send("b", "hello b");
    await eventually(() => b.heard.deliveries.length === 1, 3000, "delivery");
    assertEquals(b.heard.deliveries, ["hello b"]);
    assertEquals(a.heard.deliveries, []);

    // alice leaves b: still online (on a), so a announces nothing.
    await b.presence.offline("alice");
    await eventually(() => a.presence.route(["alice"]).size === 0, 3000, "alice off b");
    assertEquals(a.heard.presence, ["+bob"]);
    assert(a.presence.isOnline("alice"));

    // A third node that starts later loads the map from Redis.
    const c = await node(stores, "c");
    try {
      assertEquals(await c.presence.list(), ["alice", "bob"]);
      assertEquals(c.heard.presence.sort(), ["+alice", "+bob"]);
    } finally {
      await c.presence.close();
    }
    // b stops cleanly: a hears bob go offline at once.
    await b.presence.close();
    await eventually(() => !a.presence.isOnline("bob"), 3000, "b's accounts gone");
    assertEquals(a.heard.presence, ["+bob", "-bob"]);
    // b's id is free again.
    const again = new RedisPresence({ redis: stores.redis, prefix: stores.prefix, nodeId: "b" });
    await again.claim();
    await again.close();
  } finally {
    await a.presence.close();
    await b.presence.close();
    await stores.cleanup();
  }
});

Deno.test("RedisPresence: a node that stops renewing its lease is taken out within the lease", async () => {
  const stores = await openTestStores();
  const a = await node(stores, "a", 2);
  // "dead" claims, says who is here, then dies: no renewal, no goodbye.
  const dead = new RedisPresence({
    redis: stores.redis,
    prefix: stores.prefix,
    nodeId: "dead",
    leaseSeconds: 2,
  });
  try {
    await a.presence.online("erin");
    await dead.claim();
    await dead.online("dora");
    await dead.online("erin");
    await eventually(() => a.presence.isOnline("dora"), 3000, "dora online");
    const diedAt = Date.now();
    await eventually(() => !a.presence.isOnline("dora"), 5000, "dora taken out");
    const seconds = (Date.now() - diedAt) / 1000;
    assert(seconds <= 2 * 4 / 3 + 0.5, `took ${seconds} s`);
    // erin is connected to a as well: only dora goes offline.
    assertEquals(a.heard.presence, ["+dora", "-dora"]);
    assertEquals(await stores.redis.sIsMember(`${stores.prefix}presence:nodes`, "dead"), 0);
  } finally {
    await a.presence.close();
    await stores.cleanup();
  }
});
