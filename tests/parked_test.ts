/**
 * Messages the archive refuses are parked with their reason, shown by `chat status` and
 * `/api/queue/status`, and reach history exactly once after the operator fixed the cause and
 * ran `chat queue retry-parked`. Real Redis and MariaDB; the cause is a hand-made monthly table
 * whose `message` column is too narrow.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { RowDataPacket } from "mysql2/promise";
import { monthlyTableName } from "../queue/message.ts";
import { createTableSql } from "../queue/monthly_tables_mysql.ts";
import { eventually, startTestServer } from "./support/chat_server.ts";
import { runChat } from "./support/chat_cli.ts";
import { openTestStores, TEST_REDIS_URL } from "./support/stores.ts";

/** The monthly table as the archive makes it, except `message`: 10 characters. */
function narrowTableSql(name: string): string {
  const sql = createTableSql(name);
  const narrow = sql.replace("message MEDIUMTEXT NOT NULL", "message VARCHAR(10) NOT NULL");
  if (narrow === sql) throw new Error("the monthly table's message column changed shape");
  return narrow;
}

Deno.test("parked messages: counted with their reason, then archived exactly once by chat queue retry-parked", async () => {
  const stores = await openTestStores();
  const table = monthlyTableName(Math.floor(Date.now() / 1000));
  await stores.pool.query(narrowTableSql(table));
  const t = await startTestServer({ stores });
  const data = await Deno.makeTempDir();
  const env = {
    CHAT_DATA_DIR: data,
    CHAT_REDIS_URL: TEST_REDIS_URL,
    CHAT_REDIS_PREFIX: stores.prefix,
    CHAT_MYSQL_URL: stores.mysqlUrl,
  };
  try {
    await t.addUser("alice");
    await t.addUser("bob");
    const token = await t.login("alice");
    const alice = await t.connect("alice", token);
    const texts = ["short", "longer than ten 0", "longer than ten 1", "longer than ten 2"];
    const mids: string[] = [];
    for (const [i, content] of texts.entries()) {
      alice.send({ type: "say", chatid: "alice--bob", content, cid: `p${i}` });
      const answer = await alice.next((f) => f.cid === `p${i}` && f.type !== "say");
      assertEquals(answer.type, "ack", JSON.stringify(answer));
      mids.push(answer.mid);
    }
    const history = async () => {
      const [rows] = await stores.pool.query<RowDataPacket[]>(
        `SELECT mid, message, COUNT(*) AS copies FROM \`${table}\` GROUP BY mid, message
          ORDER BY MIN(seq)`,
      );
      return rows.map((r) => ({
        mid: String(r.mid),
        message: r.message,
        copies: Number(r.copies),
      }));
    };

    const parked = await eventually(
      async () => {
        const { body } = await t.api(token, "/api/queue/status");
        return body!.parked === 3 && body!.pending + body!.inFlight === 0 ? body! : null;
      },
      15_000,
      "three messages parked",
    );
    assertEquals(parked.parkedReasons.length, 1, JSON.stringify(parked.parkedReasons));
    assertEquals(parked.parkedReasons[0].count, 3);
    assert(/Data too long for column 'message'/.test(parked.parkedReasons[0].reason));
    assertEquals(await history(), [{ mid: mids[0], message: "short", copies: 1 }]);
    const status = await runChat(["status"], env);
    assert(/^parked: 3$/m.test(status.out), status.out + status.err);
    assert(/^ {2}3 × .*Data too long for column 'message'/m.test(status.out), status.out);
    assert(/chat queue retry-parked/.test(status.out), status.out);

    // The operator widens the column, then puts the parked messages back.
    await stores.pool.query(`ALTER TABLE \`${table}\` MODIFY message MEDIUMTEXT NOT NULL`);
    const retried = await runChat(["queue", "retry-parked"], env);
    assertEquals(retried.code, 0, retried.out + retried.err);
    assert(/^3 parked messages put back on the queue/m.test(retried.out), retried.out);

    const archived = await eventually(
      async () => {
        const rows = await history();
        return rows.length === texts.length ? rows : null;
      },
      15_000,
      "every message archived",
    );
    assertEquals(archived, texts.map((message, i) => ({ mid: mids[i], message, copies: 1 })));
    const after = await eventually(
      async () => {
        const { body } = await t.api(token, "/api/queue/status");
        return body!.pending + body!.inFlight === 0 ? body! : null;
      },
      10_000,
      "queue drained",
    );
    assertEquals([after.parked, after.parkedReasons], [0, []]);
    const again = await runChat(["status"], env);
    assert(/^parked: 0$/m.test(again.out), again.out);
    const none = await runChat(["queue", "retry-parked"], env);
    assert(/^0 parked messages put back/m.test(none.out), none.out);
  } finally {
    await t.close();
    await stores.cleanup();
    await Deno.remove(data, { recursive: true });
  }
});
