/**
 * What an acknowledgement is worth, read from real redis-servers of the test's own (ports
 * 6390-6391) started with each persistence setting, and re-read when an operator changes it.
 */
import { deepStrictEqual as assertEquals, match, ok as assert } from "node:assert/strict";
import { closeRedis, connectRedis } from "../store/redis_client.ts";
import { describeRedisPersistence, readRedisPersistence } from "../store/redis_persistence.ts";
import { RedisPersistenceWatch } from "../store/redis_persistence_watch.ts";
import { type RedisProcessOptions, startRedisProcess } from "./support/redis_process.ts";

const PORT = 6390;

async function persistenceOf(options: RedisProcessOptions) {
  const server = await startRedisProcess(PORT, options);
  const redis = await connectRedis(server.url);
  try {
    return describeRedisPersistence(await readRedisPersistence(redis));
  } finally {
    await closeRedis(redis);
    await server.cleanup();
  }
}

Deno.test("each Redis persistence setting is read and named for what it keeps", async () => {
  const none = await persistenceOf({ appendonly: "no", save: "" });
  assertEquals(none.persistence, "none");
  match(none.warnings[0], /no persistence/);
  const rdb = await persistenceOf({ appendonly: "no", save: "900 1" });
  assertEquals(rdb.persistence, "rdb");
  assertEquals(rdb.settings?.save, "900 1");
  const everysec = await persistenceOf({ appendonly: "yes", appendfsync: "everysec" });
  assertEquals([everysec.persistence, everysec.warnings], ["aof-everysec", []]);
  const always = await persistenceOf({ appendonly: "yes", appendfsync: "always" });
  assertEquals([always.persistence, always.warnings], ["aof-always", []]);
  const evicting = await persistenceOf({
    appendonly: "yes",
    maxmemoryPolicy: "allkeys-lru",
  });
  assertEquals(evicting.persistence, "aof-everysec");
  match(evicting.warnings[0], /allkeys-lru/);
  const managed = await persistenceOf({
    appendonly: "yes",
    extraArgs: ["--rename-command", "CONFIG", ""],
  });
  assertEquals(managed.persistence, "unknown");
  match(managed.warnings[0], /refused CONFIG GET/);
});

Deno.test("a setting changed at run time is seen after the cache time, and logged", async () => {
  const server = await startRedisProcess(PORT + 1, { appendonly: "no", save: "" });
  const redis = await connectRedis(server.url);
  const lines: string[] = [];
  const watch = new RedisPersistenceWatch(redis, (line) => lines.push(line), { cacheMs: 200 });
  try {
    assertEquals((await watch.start()).persistence, "none");
    assert(lines.some((l) => /^WARNING: Redis has no persistence/.test(l)), lines.join("\n"));
    await redis.configSet("appendonly", "yes");
    assertEquals((await watch.current()).persistence, "none", "cached for a moment");
    await new Promise((r) => setTimeout(r, 250));
    const now = await watch.current();
    assertEquals([now.persistence, now.warnings], ["aof-everysec", []]);
    match(lines.at(-1)!, /^redis persistence: aof-everysec: an acknowledged message survives/);
    const logged = lines.length;
    await new Promise((r) => setTimeout(r, 250));
    await watch.current();
    assertEquals(lines.length, logged, "an unchanged answer is not logged again");
    await server.kill();
    assertEquals((await watch.current()).persistence, "aof-everysec", "last known while down");
  } finally {
    watch.close();
    await closeRedis(redis);
    await server.cleanup();
  }
});
