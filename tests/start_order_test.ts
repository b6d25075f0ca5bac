/**
 * The listener binds before anything else: a second server on a port in use fails with a
 * clear message before it opens a store (so its worker never takes back a live worker's
 * in-flight messages), and a server whose stores are still opening answers 503 "starting".
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { RowDataPacket } from "mysql2/promise";
import { startServer } from "../api/server.ts";
import { defaultConfig } from "../config/mod.ts";
import type { RedisClient } from "../store/redis_client.ts";
import { eventually } from "./support/fixtures.ts";
import { freePort } from "./support/server_process.ts";
import { openTestStores, TEST_REDIS_URL } from "./support/stores.ts";
import { startTcpProxy } from "./support/tcp_proxy.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** Runs `chat start` to its end (it is expected to fail); returns its exit code and stderr. */
async function startExpectingFailure(args: string[], env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "start", ...args],
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const { code, stdout, stderr } = await child.output();
  clearTimeout(timer);
  const text = new TextDecoder();
  return { code, output: text.decode(stdout) + text.decode(stderr) };
}

/** Every key under `prefix` with its type and content. */
async function snapshot(redis: RedisClient, prefix: string): Promise<Record<string, unknown>> {
  const keys: string[] = [];
  for await (const batch of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    keys.push(...batch);
  }
  const result: Record<string, unknown> = {};
  for (const key of keys.sort()) {
    const type = await redis.type(key);
    result[key] = type === "list" ? await redis.lRange(key, 0, -1) : type;
  }
  return result;
}

Deno.test("a second server on a port in use says so and touches no queue or table", async () => {
  const stores = await openTestStores();
  const occupied = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (occupied.addr as Deno.NetAddr).port;
  try {
    // What a live server on that port holds: a queued message and a batch in flight, under
    // the worker name a second server on the same port would once have taken over.
    const queue = `${stores.prefix}chat:msg-list`;
    await stores.redis.lPush(queue, JSON.stringify({ mid: "queued" }));
    const worker = `${Deno.hostname()}:${port}`.replace(/[^\w.:-]/g, "_");
    await stores.redis.lPush(`${queue}:inflight:${worker}`, JSON.stringify({ mid: "in-flight" }));
    const before = await snapshot(stores.redis, stores.prefix);

    const { code, output } = await startExpectingFailure(
      ["--port", String(port), "--redis", TEST_REDIS_URL, "--mysql", stores.mysqlUrl],
      { CHAT_REDIS_PREFIX: stores.prefix, CHAT_DATA_DIR: await Deno.makeTempDir() },
    );
    assertEquals(code, 1, output);
    assert(
      output.includes(`chat: Cannot listen on 127.0.0.1:${port}: port ${port} is in use`),
      output,
    );
    assertEquals(await snapshot(stores.redis, stores.prefix), before);
    const [tables] = await stores.pool.query<RowDataPacket[]>("SHOW TABLES");
    assertEquals(tables.length, 0, "the second server created tables");
  } finally {
    occupied.close();
    await stores.cleanup();
  }
});

Deno.test("an embedded server on a port in use creates no database", async () => {
  const occupied = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (occupied.addr as Deno.NetAddr).port;
  const dataDir = await Deno.makeTempDir();
  try {
    const { code, output } = await startExpectingFailure(["--port", String(port)], {
      CHAT_DATA_DIR: dataDir,
    });
    assertEquals(code, 1, output);
    assert(output.includes(`port ${port} is in use`), output);
    const files = [...Deno.readDirSync(dataDir)].map((entry) => entry.name);
    assertEquals(files, [], "the embedded backend was opened");
  } finally {
    occupied.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("while its stores open the server answers 503 starting, then serves", async () => {
  const stores = await openTestStores();
  // Redis behind a proxy that refuses connections until restored: the start waits on it.
  const redis = startTcpProxy(Number(new URL(TEST_REDIS_URL).port || 6379));
  redis.cut();
  const config = defaultConfig();
  config.port = freePort();
  config.redisUrl = `redis://127.0.0.1:${redis.port}`;
  config.redisPrefix = stores.prefix;
  config.mysqlUrl = stores.mysqlUrl;
  const starting = startServer(config, { log: () => {}, worker: false });
  try {
    const url = `http://127.0.0.1:${config.port}`;
    const early = await eventually(() => fetch(`${url}/healthz`).catch(() => null), 3000, "bound");
    assertEquals(early.status, 503);
    assertEquals(await early.json(), { error: { code: "unavailable", message: "starting" } });
    redis.restore();
    const server = await starting;
    try {
      const health = await fetch(`${url}/healthz`);
      assertEquals(health.status, 200, await health.text());
    } finally {
      await server.close();
    }
  } finally {
    redis.restore();
    await starting.then(() => {}, () => {});
    await redis.close();
    await stores.cleanup();
  }
});

Deno.test("a start that fails on its stores lets go of the port", async () => {
  const config = defaultConfig();
  config.port = freePort();
  // MySQL down is served degraded; the queue's Redis down is a failed start.
  config.redisUrl = `redis://127.0.0.1:${freePort()}/0`;
  config.mysqlUrl = `mysql://root@127.0.0.1:${freePort()}/nothing_listens_here`;
  let message = "";
  try {
    await startServer(config, { log: () => {}, worker: false });
  } catch (error) {
    message = (error as Error).message;
  }
  assert(message.startsWith("Cannot start: Redis"), message);
  const again = Deno.listen({ hostname: "127.0.0.1", port: config.port });
  again.close();
});
