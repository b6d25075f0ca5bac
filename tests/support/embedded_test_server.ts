/**
 * A real webChat server on the embedded backend for tests: a fresh data folder, a free port of
 * 127.0.0.1, accounts written straight into the folder's database (as `chat user add` does).
 *
 * @module
 */
import { type RunningServer, startServer } from "../../api/server.ts";
import { defaultConfig, type ResolvedConfig } from "../../config/mod.ts";
import { hashPassword } from "../../store/password.ts";
import { openSqliteDb } from "../../store/sqlite_db.ts";
import { SqliteUserStore } from "../../store/users_sqlite.ts";
import { plainUser } from "./fixtures.ts";

/** A running embedded server with helpers. */
export interface EmbeddedTestServer {
  server: RunningServer;
  config: ResolvedConfig;
  dataDir: string;
  url: string;
  logs: string[];
  /** Adds an account with password `pw-<accountid>` (or the one given). */
  addUser(accountid: string, password?: string): Promise<void>;
  /** Logs in over HTTP; returns the token. */
  login(accountid: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts an embedded server; always `await t.close()` in a `finally`. */
export async function startEmbeddedTestServer(
  configure: (config: ResolvedConfig) => void = () => {},
): Promise<EmbeddedTestServer> {
  const dataDir = await Deno.makeTempDir({ prefix: "webchat-test-" });
  const config = { ...defaultConfig(), port: 0, dataDir, redisUrl: null, mysqlUrl: null };
  config.login.maxFailures = 3;
  configure(config);
  const logs: string[] = [];
  let server: RunningServer;
  try {
    server = await startServer(config, { log: (line) => logs.push(line) });
  } catch (error) {
    await Deno.remove(dataDir, { recursive: true });
    throw error;
  }
  return {
    server,
    config,
    dataDir,
    url: server.url,
    logs,
    async addUser(accountid, password = `pw-${accountid}`) {
      const admin = openSqliteDb(dataDir);
      try {
        await new SqliteUserStore(admin.db).add(plainUser(accountid), await hashPassword(password));
      } finally {
        admin.close();
      }
    },
    async login(accountid, password = `pw-${accountid}`) {
      const response = await fetch(`${server.url}/api/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ accountid, password }),
      });
      const body = await response.json();
      if (response.status !== 200) throw new Error(`login ${accountid}: ${JSON.stringify(body)}`);
      return String(body.token);
    },
    async close() {
      await server.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}
