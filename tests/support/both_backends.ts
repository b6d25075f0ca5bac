/**
 * One end-to-end test on both backends: a real server on a free port of 127.0.0.1 with its
 * archive worker, over Redis and MariaDB (isolated by a prefix and a fresh database) or over
 * the embedded SQLite file of a fresh data folder, driven over real HTTP and WebSockets. The
 * server can be restarted on the same stores.
 *
 * @module
 */
import { type RunningServer, startServer } from "../../api/server.ts";
import { defaultConfig, type ResolvedConfig } from "../../config/mod.ts";
import { hashPassword } from "../../store/password.ts";
import { openSqliteDb } from "../../store/sqlite_db.ts";
import type { User } from "../../store/users.ts";
import { MysqlUserStore } from "../../store/users_mysql.ts";
import { SqliteUserStore } from "../../store/users_sqlite.ts";
import { newUserValues, USER_COLUMNS } from "../../store/users_table.ts";
import { eventually, testUser } from "./fixtures.ts";
import { type RedisProcess, startRedisProcess } from "./redis_process.ts";
import { openTestStores, TEST_REDIS_URL, type TestStores } from "./stores.ts";
import { type Frame, openWs, type WsClient } from "./ws_client.ts";

/** Which backend a test runs on. */
export type BackendKind = "production" | "embedded";

/** A connected, logged-in socket with the `init` it got. */
export type LoggedIn = WsClient & { init: Frame };

/** A running server on one backend, with helpers. */
export interface BothHarness {
  kind: BackendKind;
  server: RunningServer;
  config: ResolvedConfig;
  /** Production only: the test's Redis prefix and database. */
  stores: TestStores | null;
  /** Production with `ownRedisPort`: that redis-server. */
  ownRedis: RedisProcess | null;
  logs: string[];
  /** Adds an account (password `pw-<accountid>`, name in capitals, `deptDetail` as given). */
  addUser(accountid: string, deptDetail?: string): Promise<void>;
  /** Adds accounts that cannot log in (no password), fast, for big groups. */
  addUsers(accountids: string[], deptDetail?: string): Promise<void>;
  login(accountid: string): Promise<string>;
  api(token: string, path: string, init?: RequestInit): Promise<{ status: number; body: Frame }>;
  connect(accountid: string, token: string): Promise<LoggedIn>;
  /** Waits until nothing is left in the queue (everything archived). */
  archived(): Promise<void>;
  /** Stops the server and starts it again on the same stores (a new port). */
  restart(): Promise<void>;
}

/** Options of {@link bothBackends}. */
export interface BothOptions {
  /** Config changes for both backends (a fast send rate is set already). */
  configure?: (config: ResolvedConfig, kind: BackendKind) => void;
  /**
   * Production only: run on a redis-server of the test's own on this port (no persistence),
   * which the test may flush (`h.ownRedis`), instead of the shared one.
   */
  ownRedisPort?: number;
  /**
   * Deno's resource and op sanitizers (default on). A browser test turns them off: Playwright's
   * pipes to the browser outlive single tests.
   */
  sanitize?: boolean;
  /**
   * Runs before the server starts (e.g. a daemon the config points at); what it returns runs
   * after the test, whatever happened.
   */
  before?: (kind: BackendKind) => Promise<() => Promise<void>>;
}

/** Registers `name` twice, as `[production] name` and `[embedded] name`. */
export function bothBackends(
  name: string,
  body: (h: BothHarness, test: Deno.TestContext) => Promise<void>,
  options: BothOptions = {},
): void {
  for (const kind of ["production", "embedded"] as const) {
    Deno.test({
      name: `[${kind}] ${name}`,
      // Only a `false` is passed on: Deno's own defaults otherwise (an explicit `true` is
      // stricter than leaving it out in this Deno).
      ...(options.sanitize === false ? { sanitizeResources: false, sanitizeOps: false } : {}),
      async fn(test) {
        const after = await options.before?.(kind);
        try {
          const h = await openHarness(kind, options);
          try {
            await body(h, test);
          } finally {
            await h.close();
          }
        } finally {
          await after?.();
        }
      },
    });
  }
}

async function openHarness(
  kind: BackendKind,
  options: BothOptions,
): Promise<BothHarness & { close(): Promise<void> }> {
  const config = defaultConfig();
  config.port = 0;
  // Tests send faster than people do.
  config.limits.sendPerSecond = config.limits.sendBurst = 10_000;
  let stores: TestStores | null = null;
  let ownRedis: RedisProcess | null = null;
  let dataDir: string | null = null;
  if (kind === "production") {
    stores = await openTestStores();
    if (options.ownRedisPort) {
      ownRedis = await startRedisProcess(options.ownRedisPort, { appendonly: "no", save: "" });
    }
    config.redisUrl = ownRedis?.url ?? TEST_REDIS_URL;
    config.redisPrefix = stores.prefix;
    config.mysqlUrl = stores.mysqlUrl;
  } else {
    dataDir = await Deno.makeTempDir({ prefix: "webchat-both-" });
    config.dataDir = dataDir;
  }
  options.configure?.(config, kind);
  const logs: string[] = [];
  const start = () => startServer(config, { log: (line) => logs.push(line) });
  let server: RunningServer;
  try {
    server = await start();
  } catch (error) {
    await stores?.cleanup();
    await ownRedis?.cleanup();
    if (dataDir) await Deno.remove(dataDir, { recursive: true });
    throw error;
  }
  const sockets: WsClient[] = [];
  const addAll = async (users: User[], hash: string) => {
    if (stores) {
      if (users.length === 1) return await new MysqlUserStore(stores.pool).add(users[0], hash);
      // One statement for a whole group's worth of accounts.
      await stores.pool.query(
        `INSERT INTO webchat_user (${USER_COLUMNS}, pwd, updateTime) VALUES ?`,
        [users.map((user) => newUserValues(user, hash))],
      );
      return;
    }
    const admin = openSqliteDb(dataDir!);
    try {
      const store = new SqliteUserStore(admin.db);
      admin.db.exec("BEGIN");
      for (const user of users) await store.add(user, hash);
      admin.db.exec("COMMIT");
    } finally {
      admin.close();
    }
  };
  const user = (accountid: string, deptDetail?: string): User => ({
    ...testUser(accountid),
    ...(deptDetail === undefined ? {} : { deptDetail, dept: deptDetail.split(",").at(-1)! }),
  });
  const harness = {
    kind,
    get server() {
      return server;
    },
    config,
    stores,
    ownRedis,
    logs,
    async addUser(accountid: string, deptDetail?: string) {
      await addAll([user(accountid, deptDetail)], await hashPassword(`pw-${accountid}`));
    },
    async addUsers(accountids: string[], deptDetail?: string) {
      await addAll(accountids.map((id) => user(id, deptDetail)), "");
    },
    async login(accountid: string) {
      const { status, body } = await harness.api("", "/api/login", {
        method: "POST",
        body: JSON.stringify({ accountid, password: `pw-${accountid}` }),
      });
      if (status !== 200) throw new Error(`login ${accountid}: ${status} ${JSON.stringify(body)}`);
      return body.token as string;
    },
    async api(token: string, path: string, init: RequestInit = {}) {
      const headers = new Headers(init.headers);
      if (token) headers.set("authorization", `Bearer ${token}`);
      if (init.body) headers.set("content-type", "application/json");
      const response = await fetch(server.url + path, { ...init, headers });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async connect(accountid: string, token: string) {
      const client = await openWs(server.url, token);
      sockets.push(client);
      client.send({ type: "login", clientName: accountid });
      const init = await client.next((f) => f.type === "init" || f.type === "error");
      if (init.type !== "init") throw new Error(`login refused: ${JSON.stringify(init)}`);
      return Object.assign(client, { init });
    },
    async archived() {
      await eventually(
        async () => {
          const counts = await server.backend.producer.counts();
          return counts.pending === 0 && counts.inFlight === 0;
        },
        20_000,
        "the queue archived",
      );
    },
    async restart() {
      await Promise.all(sockets.splice(0).map((s) => s.close().catch(() => {})));
      await server.close();
      server = await start();
    },
    async close() {
      await Promise.all(sockets.map((s) => s.close().catch(() => {})));
      await server.close();
      await stores?.cleanup();
      await ownRedis?.cleanup();
      if (dataDir) await Deno.remove(dataDir, { recursive: true });
    },
  };
  return harness;
}
