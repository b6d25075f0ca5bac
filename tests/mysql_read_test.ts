/**
 * `mysql.readUrl`: history pages are read from the replica it names (here the same server
 * behind a proxy the test cuts), never written through it; the archive keeps writing to
 * `mysql.url` while the replica is away.
 */
import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import type { RowDataPacket } from "mysql2/promise";
import { loadConfig } from "../config/load_config.ts";
import { monthlyTableName } from "../queue/message.ts";
import { eventually, startTestServer } from "./support/chat_server.ts";
import { openTestStores, TEST_MYSQL_SERVER } from "./support/stores.ts";
import { startTcpProxy } from "./support/tcp_proxy.ts";
import type { WsClient } from "./support/ws_client.ts";

async function send(ws: WsClient, tag: string, count: number) {
  for (let i = 0; i < count; i++) {
    ws.send({ type: "say", chatid: "alice--bob", content: `${tag}${i}`, cid: `${tag}${i}` });
    const answer = await ws.next((f) => f.cid === `${tag}${i}` && f.type !== "say", 10_000);
    assertEquals(answer.type, "ack", JSON.stringify(answer));
  }
}

Deno.test("history is read from mysql.readUrl; writes never go there", async () => {
  const stores = await openTestStores();
  const proxy = startTcpProxy(Number(new URL(TEST_MYSQL_SERVER).port || 3306));
  const t = await startTestServer({
    stores,
    configure: (config) =>
      config.mysqlReadUrl = `mysql://root@127.0.0.1:${proxy.port}/${stores.database}`,
  });
  const rows = async () => {
    const table = monthlyTableName(Math.floor(Date.now() / 1000));
    const [found] = await stores.pool.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM \`${table}\``,
    ).catch(() => [[{ n: 0 }]] as unknown as [RowDataPacket[]]);
    return Number(found[0].n);
  };
  try {
    await t.addUser("alice");
    await t.addUser("bob");
    const token = await t.login("alice");
    const alice = await t.connect("alice", token);
    await send(alice, "a", 5);
    await eventually(async () => await rows() === 5, 10_000, "archived");
    const history = () => t.api(token, "/api/chats/alice--bob/messages?after=0&limit=100");
    const page = await history();
    assertEquals(page.status, 200);
    assertEquals(page.body!.messages.length, 5);

    // The replica is away: history pages from the archive fail, chatting and archiving go on.
    proxy.cut();
    const failed = await history();
    assertEquals(failed.status >= 500, true, JSON.stringify(failed));
    await send(alice, "b", 5);
    await eventually(async () => await rows() === 10, 10_000, "archived without the replica");

    proxy.restore();
    const back = await eventually(
      async () => {
        const answer = await history();
        return answer.status === 200 ? answer : null;
      },
      10_000,
      "history through the replica again",
    );
    assertEquals(back.body!.messages.map((m: { message: string }) => m.message), [
      ...Array.from({ length: 5 }, (_, i) => `a${i}`),
      ...Array.from({ length: 5 }, (_, i) => `b${i}`),
    ]);
  } finally {
    await t.close();
    await proxy.close();
    await stores.cleanup();
  }
});

Deno.test("mysql.readUrl: a replica without mysql.url, or not a mysql: URL, is refused", () => {
  throws(
    () => loadConfig({ env: { CHAT_MYSQL_READ_URL: "mysql://replica/chat" } }),
    /mysql\.readUrl: a replica for reads needs mysql\.url/,
  );
  throws(
    () =>
      loadConfig({
        env: {
          CHAT_REDIS_URL: "redis://127.0.0.1:6379",
          CHAT_MYSQL_URL: "mysql://root@127.0.0.1/chat",
          CHAT_MYSQL_READ_URL: "http://replica/chat",
        },
      }),
    /CHAT_MYSQL_READ_URL/,
  );
});
