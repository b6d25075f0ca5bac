/**
 * A real webChat server for tests, in this process, on a free port of 127.0.0.1, over real
 * Redis and MariaDB isolated by a unique prefix and database.
 *
 * @module
 */
import { testUser } from "./fixtures.ts";
import { defaultConfig, type ResolvedConfig } from "../../config/mod.ts";
import { type RunningServer, startServer } from "../../api/server.ts";
import { hashPassword } from "../../store/password.ts";
import type { User } from "../../store/users.ts";
import { MysqlUserStore } from "../../store/users_mysql.ts";
import { openTestStores, TEST_REDIS_URL, type TestStores } from "./stores.ts";
import { type Frame, openWs, type WsClient } from "./ws_client.ts";

/** A running test server with helpers. */
export interface TestServer {
  server: RunningServer;
  stores: TestStores;
  config: ResolvedConfig;
  url: string;
  /** Lines the server logged. */
  logs: string[];
  /** Adds an account (in Company,R&D with an e-mail address unless `profile` says otherwise). */
  addUser(
    accountid: string,
    password?: string,
    username?: string,
    profile?: Partial<User>,
  ): Promise<void>;
  /** Logs in over HTTP; returns the token. */
  login(accountid: string, password?: string): Promise<string>;
  /** GET/POST with a bearer token; returns status and parsed JSON body (or null). */
  api(
    token: string | null,
    path: string,
    init?: RequestInit,
  ): Promise<{ status: number; body: Frame | null }>;
  /** Opens /ws and completes the `login` → `init` handshake. */
  connect(accountid: string, token: string): Promise<WsClient & { init: Frame }>;
  close(): Promise<void>;
}

/** Options: config overrides (applied to the defaults after the store URLs are set). */
export interface TestServerOptions {
  configure?: (config: ResolvedConfig, stores: TestStores) => void;
  /** Reuse stores (e.g. to restart a server on the same data); not cleaned up on close. */
  stores?: TestStores;
  /** Run the archive worker (default true). */
  worker?: boolean;
}

/** Starts a server for one test; always `await t.close()` in a `finally`. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const stores = options.stores ?? await openTestStores();
  const config = defaultConfig();
  config.port = 0;
  config.redisUrl = TEST_REDIS_URL;
  config.redisPrefix = stores.prefix;
  config.mysqlUrl = stores.mysqlUrl;
  config.login.maxFailures = 3;
  options.configure?.(config, stores);
  const logs: string[] = [];
  let server: RunningServer;
  try {
    server = await startServer(config, {
      log: (line) => logs.push(line),
      worker: options.worker,
    });
  } catch (error) {
    if (!options.stores) await stores.cleanup();
    throw error;
  }
  const users = new MysqlUserStore(stores.pool);
  const sockets: WsClient[] = [];
  const api: TestServer["api"] = async (token, path, init = {}) => {
    const headers = new Headers(init.headers);
    if (token) headers.set("authorization", `Bearer ${token}`);
    if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
    const response = await fetch(server.url + path, { ...init, headers });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  return {
    server,
    stores,
    config,
    url: server.url,
    logs,
    async addUser(
      accountid,
      password = "pw-" + accountid,
      username = accountid.toUpperCase(),
      profile = {},
    ) {
      const user = { ...testUser(accountid, username), ...profile, accountid };
      await users.add(user, await hashPassword(password));
    },
    async login(accountid, password = "pw-" + accountid) {
      const { status, body } = await api(null, "/api/login", {
        method: "POST",
        body: JSON.stringify({ accountid, password }),
      });
      if (status !== 200) throw new Error(`login ${accountid}: ${status} ${JSON.stringify(body)}`);
      return body!.token as string;
    },
    api,
    async connect(accountid, token) {
      const client = await openWs(server.url, token);
      sockets.push(client);
      client.send({ type: "login", clientName: accountid });
      const init = await client.next((f) => f.type === "init" || f.type === "error");
      if (init.type !== "init") throw new Error(`login refused: ${JSON.stringify(init)}`);
      return Object.assign(client, { init });
    },
    async close() {
      await Promise.all(sockets.map((s) => s.close().catch(() => {})));
      await server.close();
      if (!options.stores) await stores.cleanup();
    },
  };
}

export { eventually } from "./fixtures.ts";
