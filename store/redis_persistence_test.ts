import { deepStrictEqual as assertEquals, match, ok as assert } from "node:assert/strict";
import { describeRedisPersistence, type RedisPersistenceSettings } from "./redis_persistence.ts";

const recommended: RedisPersistenceSettings = {
  appendonly: "yes",
  appendfsync: "everysec",
  save: "",
  "maxmemory-policy": "noeviction",
  maxmemory: "0",
};

function describe(changes: Partial<RedisPersistenceSettings>) {
  return describeRedisPersistence({ ...recommended, ...changes });
}

Deno.test("AOF with everysec or always: the ack survives a restart, nothing to warn about", () => {
  const everysec = describe({});
  assertEquals([everysec.persistence, everysec.warnings], ["aof-everysec", []]);
  match(everysec.ackSurvives, /^a Redis restart; a crash .* may lose about the last second/);
  const always = describe({ appendfsync: "always" });
  assertEquals([always.persistence, always.warnings], ["aof-always", []]);
  match(always.ackSurvives, /restart or crash/);
  // Snapshots beside the append-only file change nothing: Redis loads the AOF.
  assertEquals(describe({ save: "3600 1" }).persistence, "aof-everysec");
  assertEquals(everysec.settings?.appendfsync, "everysec");
});

Deno.test("AOF left to the OS (appendfsync no) is durable across restarts, with a warning", () => {
  const d = describe({ appendfsync: "no" });
  assertEquals(d.persistence, "aof-no");
  assertEquals(d.warnings.length, 1);
  match(d.warnings[0], /appendfsync no: .* set appendfsync everysec or always/);
});

Deno.test("RDB snapshots only: a clean restart keeps the ack, a crash loses since the snapshot", () => {
  const d = describe({ appendonly: "no", save: "3600 1 300 100" });
  assertEquals(d.persistence, "rdb");
  match(d.ackSurvives, /^a clean Redis restart .* a crash loses everything .* last snapshot/);
  assertEquals(d.warnings.length, 1);
  match(d.warnings[0], /save "3600 1 300 100".*set appendonly yes/);
});

Deno.test("no persistence: an ack survives nothing, said loudly", () => {
  const d = describe({ appendonly: "no", save: "" });
  assertEquals(d.persistence, "none");
  match(d.ackSurvives, /^nothing: a Redis restart loses every acknowledged message/);
  assertEquals(d.warnings.length, 1);
  match(d.warnings[0], /no persistence .* worth nothing if Redis restarts/);
});

Deno.test("an eviction policy other than noeviction is a warning of its own", () => {
  const allkeys = describe({ "maxmemory-policy": "allkeys-lru", maxmemory: "104857600" });
  assertEquals(allkeys.persistence, "aof-everysec");
  assertEquals(allkeys.warnings.length, 1);
  match(allkeys.warnings[0], /allkeys-lru: .* evict any key, the queue .* noeviction$/);
  const unlimited = describe({ "maxmemory-policy": "allkeys-random", maxmemory: "0" });
  match(unlimited.warnings[0], /maxmemory is 0, so nothing is evicted until a limit is set/);
  const volatile = describe({ "maxmemory-policy": "volatile-ttl", maxmemory: "1000000" });
  match(volatile.warnings[0], /volatile-ttl: .* sessions .* the queue never expires/);
  const both = describe({ appendonly: "no", "maxmemory-policy": "allkeys-lfu" });
  assertEquals(both.warnings.length, 2);
});

Deno.test("settings Redis refuses to show are reported as unknown, and say so", () => {
  const d = describeRedisPersistence({ unreadable: "ERR unknown command 'CONFIG'" });
  assertEquals([d.store, d.persistence], ["redis", "unknown"]);
  match(d.ackSurvives, /^unknown/);
  assert(d.warnings[0].includes("ERR unknown command 'CONFIG'"), d.warnings[0]);
  match(d.warnings[0], /appendonly yes/);
});
