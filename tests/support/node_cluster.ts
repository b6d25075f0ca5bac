/**
 * Several real `chat start` processes on one Redis (one prefix) and one MariaDB database: the
 * multi-node tests' installation. Each node has its own data folder; a node may reach Redis
 * through a proxy the test cuts.
 *
 * @module
 */
import { hashPassword } from "../../store/password.ts";
import { MysqlUserStore } from "../../store/users_mysql.ts";
import { type ChatSession, getJson, loginOver, openChatSession } from "./chat_session.ts";
import { plainUser } from "./fixtures.ts";
import { freePort, type ServerProcess, spawnServer } from "./server_process.ts";
import { openTestStores, TEST_REDIS_URL, type TestStores } from "./stores.ts";
import type { Frame } from "./ws_client.ts";

/** A running installation of several nodes. */
export interface NodeCluster {
  stores: TestStores;
  nodes: (ServerProcess | null)[];
  /** Starts (or restarts) node `i`, with extra environment. */
  start(i: number, options?: { redisUrl?: string; env?: Record<string, string> }): Promise<
    ServerProcess
  >;
  /** Creates accounts (password "pw", or `password(id)`). */
  addUsers(ids: string[], password?: (accountid: string) => string): Promise<void>;
  /** Logs `accountid` in on node `i` and opens a socket there. */
  connect(i: number, accountid: string): Promise<ChatSession>;
  /** Every message of a chat from the history API, ascending by seq. */
  history(i: number, token: string, chatid: string, after?: number): Promise<Frame[]>;
  close(): Promise<void>;
}

/** Lease of the nodes in tests: a dead one is taken out within about 4 s. */
export const TEST_NODE_LEASE_SECONDS = 3;

/** Starts `count` nodes. */
export async function startNodeCluster(
  count: number,
  options: { env?: Record<string, string>; redisUrls?: (string | undefined)[] } = {},
): Promise<NodeCluster> {
  const stores = await openTestStores();
  const dirs: string[] = [];
  const nodes: (ServerProcess | null)[] = [];
  const sessions: ChatSession[] = [];
  const start = async (
    i: number,
    o: { redisUrl?: string; env?: Record<string, string> } = {},
  ) => {
    dirs[i] ??= await Deno.makeTempDir();
    const redis = o.redisUrl ?? options.redisUrls?.[i] ?? TEST_REDIS_URL;
    const server = await spawnServer(
      ["--port", String(freePort()), "--redis", redis, "--mysql", stores.mysqlUrl],
      {
        CHAT_REDIS_PREFIX: stores.prefix,
        CHAT_DATA_DIR: dirs[i],
        CHAT_NODE_LEASE_SECONDS: String(TEST_NODE_LEASE_SECONDS),
        CHAT_QUEUE_LEASE_SECONDS: String(TEST_NODE_LEASE_SECONDS),
        CHAT_SEND_PER_SECOND: "10000",
        CHAT_SEND_BURST: "10000",
        ...options.env,
        ...o.env,
      },
    );
    nodes[i] = server;
    return server;
  };
  const cluster: NodeCluster = {
    stores,
    nodes,
    start,
    async addUsers(ids, password) {
      const users = new MysqlUserStore(stores.pool);
      const hash = await hashPassword("pw");
      for (const id of ids) {
        await users.add(plainUser(id), password ? await hashPassword(password(id)) : hash);
      }
    },
    async connect(i, accountid) {
      const url = nodes[i]!.url;
      const session = await openChatSession(url, accountid, await loginOver(url, accountid, "pw"));
      sessions.push(session);
      return session;
    },
    async history(i, token, chatid, after = 0) {
      const out: Frame[] = [];
      for (let cursor = after;;) {
        const { status, body } = await getJson(
          `${nodes[i]!.url}/api/chats/${chatid}/messages?after=${cursor}&limit=100`,
          token,
        );
        if (status !== 200) throw new Error(`history ${chatid}: ${status} ${JSON.stringify(body)}`);
        out.push(...body.messages);
        if (!body.hasMore || body.messages.length === 0) return out;
        cursor = body.messages.at(-1).seq;
      }
    },
    async close() {
      for (const session of sessions) await session.ws.close().catch(() => {});
      for (const node of nodes) await node?.kill("SIGTERM");
      await stores.cleanup();
      for (const dir of dirs) await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
  try {
    for (let i = 0; i < count; i++) await start(i);
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return cluster;
}

/** The `say` frames of `chatid` a client received so far, in arrival order. */
export function saysOf(frames: Frame[], chatid: string): Frame[] {
  return frames.filter((f) => f.type === "say" && f.chatid === chatid);
}
