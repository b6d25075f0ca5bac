/**
 * Redis's persistence and eviction settings, read with `CONFIG GET`, and what they make an
 * acknowledgement worth. The queue is only as durable as Redis: without AOF a restart loses
 * every acknowledged message still queued, and an `allkeys-*` eviction policy may drop the
 * queue itself under memory pressure.
 *
 * @module
 */
import { ErrorReply } from "redis";
import type { Durability } from "./durability.ts";
import type { RedisClient } from "./redis_client.ts";

/** The settings that decide what survives, as Redis reports them. */
export interface RedisPersistenceSettings {
  appendonly: string;
  appendfsync: string;
  /** RDB snapshot rules, e.g. "3600 1 300 100 60 10000"; "" = no snapshots. */
  save: string;
  "maxmemory-policy": string;
  /** Bytes; "0" = no limit (eviction never starts). */
  maxmemory: string;
}

const NAMES = ["appendonly", "appendfsync", "save", "maxmemory-policy", "maxmemory"] as const;

/**
 * Reads the settings, or answers why Redis refused them (managed Redis services often disable
 * or rename `CONFIG`). Rejects when Redis cannot be reached at all. One `CONFIG GET` per name:
 * several names in one call need Redis 7.
 */
export async function readRedisPersistence(
  redis: RedisClient,
): Promise<RedisPersistenceSettings | { unreadable: string }> {
  try {
    const replies = await Promise.all(NAMES.map((name) => redis.configGet(name)));
    const settings = Object.fromEntries(
      NAMES.map((name, i) => [name, String((replies[i] as Record<string, string>)[name] ?? "")]),
    ) as unknown as RedisPersistenceSettings;
    if (settings.appendonly === "") return { unreadable: "CONFIG GET answered no appendonly" };
    return settings;
  } catch (error) {
    if (!(error instanceof ErrorReply)) throw error;
    return { unreadable: error.message };
  }
}

/** Says what an acknowledgement survives with these settings, and what should be fixed. */
export function describeRedisPersistence(
  read: RedisPersistenceSettings | { unreadable: string },
): Durability {
  if ("unreadable" in read) {
    return {
      store: "redis",
      persistence: "unknown",
      ackSurvives: "unknown: Redis's persistence settings cannot be read",
      warnings: [
        `Redis refused CONFIG GET (${read.unreadable}): what an acknowledgement survives is ` +
        "unknown; make sure the service keeps an append-only file (appendonly yes, appendfsync " +
        "everysec or always) and never evicts keys (maxmemory-policy noeviction)",
      ],
    };
  }
  const settings = { ...read } as unknown as Record<string, string>;
  const { persistence, ackSurvives, warnings } = persistenceOf(read);
  warnings.push(...evictionWarnings(read));
  return { store: "redis", persistence, ackSurvives, warnings, settings };
}

function persistenceOf(s: RedisPersistenceSettings) {
  const warnings: string[] = [];
  if (s.appendonly === "yes") {
    // Redis writes the append-only file before it answers; only the fsync is deferred.
    if (s.appendfsync === "always") {
      return {
        persistence: "aof-always",
        ackSurvives: "a Redis restart or crash, and a crash of its machine",
        warnings,
      };
    }
    if (s.appendfsync === "everysec") {
      return {
        persistence: "aof-everysec",
        ackSurvives: "a Redis restart; a crash of Redis or of its machine may lose about the " +
          "last second of acknowledged messages",
        warnings,
      };
    }
    warnings.push(
      `appendfsync ${s.appendfsync}: the OS decides when the append-only file reaches the ` +
        "disk, so a machine crash may lose the last ~30 s of acknowledged messages; set " +
        "appendfsync everysec or always",
    );
    return {
      persistence: "aof-no",
      ackSurvives: "a Redis restart; a crash of its machine may lose the last ~30 seconds of " +
        "acknowledged messages",
      warnings,
    };
  }
  const save = s.save.trim();
  if (save !== "") {
    warnings.push(
      `Redis keeps only RDB snapshots (appendonly no, save "${save}"): a Redis crash loses ` +
        "every message acknowledged since the last snapshot; set appendonly yes (appendfsync " +
        "everysec)",
    );
    return {
      persistence: "rdb",
      ackSurvives: "a clean Redis restart (it saves a snapshot on shutdown); a crash loses " +
        "everything acknowledged since the last snapshot",
      warnings,
    };
  }
  warnings.push(
    'Redis has no persistence (appendonly no, save ""): an acknowledgement is worth nothing ' +
      "if Redis restarts, every message still queued is lost (and everybody is logged out); " +
      "set appendonly yes (appendfsync everysec)",
  );
  return {
    persistence: "none",
    ackSurvives: "nothing: a Redis restart loses every acknowledged message still queued",
    warnings,
  };
}

function evictionWarnings(s: RedisPersistenceSettings): string[] {
  const policy = s["maxmemory-policy"];
  if (policy === "noeviction" || policy === "") return [];
  const limit = s.maxmemory === "0" || s.maxmemory === ""
    ? " (maxmemory is 0, so nothing is evicted until a limit is set)"
    : "";
  if (policy.startsWith("allkeys-")) {
    return [
      `maxmemory-policy ${policy}: under memory pressure Redis may evict any key, the queue ` +
      `and the seq counters included (acknowledged messages lost)${limit}; set ` +
      "maxmemory-policy noeviction",
    ];
  }
  return [
    `maxmemory-policy ${policy}: under memory pressure Redis may evict keys that expire: ` +
    "sessions (people are logged out) and client-id records (a resent message may be stored " +
    `twice); the queue never expires and is kept${limit}; set maxmemory-policy noeviction`,
  ];
}
