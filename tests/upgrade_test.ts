/**
 * `chat upgrade` on a database built with the PHP webChat's own DDL and rows: the old history
 * shows in the history API (seq in time order across months, text as typed), old accounts log
 * in with their md5-era passwords, the old groups are groups (members, join times and title
 * from the original's Redis, or from the history without it) whose history their members
 * read, the old broadcasts are listed to their senders and recipients with their text as
 * typed, new messages are numbered above the old ones, a second run
 * has nothing to do, an interrupted run continues, and a database that is not the original's
 * (or is still written to by its queue daemon) is refused with nothing changed. `chat start`
 * refuses to start on the original's tables until they are upgraded.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { runChat as chat } from "./support/chat_cli.ts";
import { startTestServer } from "./support/chat_server.ts";
import {
  createPhpBroadcasts,
  createPhpDatabase,
  createPhpMonth,
  createPhpStatus,
  createPhpUsers,
  FEBRUARY,
  JANUARY,
  PHP_GROUP_KEYS,
  PHP_PASSWORDS,
  phpTime,
} from "./support/php_fixture.ts";
import { startRedisProcess } from "./support/redis_process.ts";
import { freePort } from "./support/server_process.ts";
import { connectRedis } from "../store/redis_client.ts";
import { openTestStores, TEST_REDIS_URL, type TestStores } from "./support/stores.ts";

function envOf(stores: TestStores, data: string): Record<string, string> {
  return {
    CHAT_DATA_DIR: data,
    CHAT_PORT: String(freePort()),
    CHAT_REDIS_URL: TEST_REDIS_URL,
    CHAT_REDIS_PREFIX: stores.prefix,
    CHAT_MYSQL_URL: stores.mysqlUrl,
  };
}

async function tables(stores: TestStores): Promise<Map<string, string>> {
  const [rows] = await stores.pool.query(
    `SELECT TABLE_NAME AS name, ENGINE AS engine FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = DATABASE()`,
  );
  return new Map((rows as { name: string; engine: string }[]).map((r) => [r.name, r.engine]));
}

Deno.test("the PHP original's database, upgraded: old history in the API, old accounts log in", async () => {
  const stores = await openTestStores();
  const data = await Deno.makeTempDir();
  // The original's own Redis, which only it wrote: one group's hashes are still there.
  const phpRedis = await startRedisProcess(freePort(), { appendonly: "no" });
  try {
    const client = await connectRedis(phpRedis.url);
    for (const { key, value } of Object.values(PHP_GROUP_KEYS)) await client.hSet(key, value);
    await client.close();
    await createPhpDatabase(stores.pool);
    const env = envOf(stores, data);
    // Not on a terminal: the start is refused, saying how, and changes nothing.
    const refused = await chat(["start", "-d"], env);
    assertEquals(refused.code, 1, refused.out + refused.err);
    assert(/tables of the PHP webChat/.test(refused.out), refused.out);
    assert(/run `chat upgrade` first/.test(refused.err), refused.err);
    assertEquals((await tables(stores)).get("webchat_user"), "MyISAM");

    const upgrade = await chat(["upgrade", "--php-redis", phpRedis.url], env);
    assertEquals(upgrade.code, 0, upgrade.out + upgrade.err);
    assert(/webchat_user: 4 accounts/.test(upgrade.out), upgrade.out);
    assert(/2 have no password/.test(upgrade.out) && /bad-name/.test(upgrade.out), upgrade.out);
    assert(/messages: 9 in 2 monthly tables/.test(upgrade.out), upgrade.out);
    assert(/^groups: 2 made from the history, 1 of them with their members/m.test(upgrade.out));
    assert(/^broadcasts: 2 in 1 yearly tables/m.test(upgrade.out), upgrade.out);
    assert(/1 recipient names are not accountids/.test(upgrade.out), upgrade.out);
    const after = await tables(stores);
    assertEquals(after.get("webchat_user"), "InnoDB");
    assertEquals(after.get("webchat_message201601"), "InnoDB");
    assertEquals(after.get("webchat_php_message201601"), "MyISAM");
    assert(!after.has("webchat_message") && !after.has("webchat_broadcast"), "MERGE tables left");
    assertEquals(after.get("webchat_broadcast2016"), "InnoDB");
    assertEquals(after.get("webchat_php_broadcast2016"), "MyISAM");

    const again = await chat(["upgrade"], env);
    assertEquals(again.code, 0, again.err);
    assert(/nothing to upgrade/.test(again.out), again.out);

    const t = await startTestServer({ stores });
    try {
      // md5-era passwords work once, and are scrypt afterwards.
      const token = await t.login("cuihb", PHP_PASSWORDS.cuihb);
      const [pwd] = await stores.pool.query(
        "SELECT pwd FROM webchat_user WHERE accountid = 'cuihb'",
      );
      assert(String((pwd as { pwd: string }[])[0].pwd).startsWith("scrypt$"));
      await t.login("xieyx", PHP_PASSWORDS.xieyx);
      const { status, body } = await t.api(token, "/api/chats/cuihb--xieyx/messages?limit=100");
      assertEquals(status, 200, JSON.stringify(body));
      const history = body!.messages as Record<string, unknown>[];
      assertEquals(history.map((m) => [m.seq, m.fromuser, m.message, m.msgType]), [
        [1, "cuihb", "你好\n第二行", "text"],
        [2, "xieyx", "<b>not bold</b> & [\\face3]", "text"],
        [3, "cuihb", '<img src="./upload/201601/11/a.png" />', "image"],
        [4, "xieyx", "february one", "text"],
        [5, "cuihb", "february two", "text"],
      ]);
      assertEquals(
        history.map((m) => m.time),
        [...JANUARY, ...FEBRUARY].filter((r) => r[2] !== "group hello").map((r) => r[3]),
      );
      assert(history.every((m) => /^[0-9a-f]{24}$/.test(String(m.mid))));
      // The old chat is among the recent contacts; a new message comes after every old one.
      const contacts = (await t.api(token, "/api/contacts")).body!.contacts as { chatid: string }[];
      assert(contacts.some((c) => c.chatid === "cuihb--xieyx"), JSON.stringify(contacts));
      const ws = await t.connect("cuihb", token);
      ws.send({ type: "say", chatid: "cuihb--xieyx", content: "new era", cid: "n1" });
      const ack = await ws.next((f) => f.type === "ack");
      assert(ack.seq > 2 ** 32, String(ack.seq));
      await ws.close();
      // The original daemon's counters count into the total; its row reads stopped.
      const queue = (await t.api(token, "/api/queue/status")).body!;
      assert(Number(queue.processedTotal) >= 6, JSON.stringify(queue));
      await groupChecks(t, token, await t.login("xieyx", PHP_PASSWORDS.xieyx));
      await broadcastChecks(t, token, await t.login("xieyx", PHP_PASSWORDS.xieyx));
    } finally {
      await t.close();
    }
  } finally {
    await stores.cleanup();
    await phpRedis.cleanup();
    await Deno.remove(data, { recursive: true });
  }
});

type Server = Awaited<ReturnType<typeof startTestServer>>;

/** The group with the original's Redis keys, the one without, and what their members read. */
async function groupChecks(t: Server, cuihb: string, xieyx: string): Promise<void> {
  const withKeys = await t.api(cuihb, "/api/groups/cuihb-1454400000000");
  assertEquals(withKeys.status, 200, JSON.stringify(withKeys.body));
  assertEquals(
    [withKeys.body!.title, withKeys.body!.owner, withKeys.body!.ctime, withKeys.body!.mtime],
    ["研发群", "cuihb", phpTime(1, 9), phpTime(1, 20)],
  );
  assertEquals(withKeys.body!.members, [
    { accountid: "cuihb", joined: phpTime(1, 9) },
    { accountid: "xieyx", joined: phpTime(1, 10) },
    { accountid: "nopass", joined: phpTime(1, 25) },
  ]);
  const read = async (token: string, chatid: string) => {
    const page = await t.api(token, `/api/chats/${chatid}/messages?limit=100`);
    assertEquals(page.status, 200, JSON.stringify(page.body));
    return (page.body!.messages as { fromuser: string; message: string }[]).map((m) =>
      `${m.fromuser}: ${m.message}`
    );
  };
  assertEquals(await read(xieyx, "cuihb-1454400000000"), [
    "cuihb: group hello",
    "xieyx: group reply",
  ]);
  // No Redis keys: the master and its writers, joined when its uuid says it was made.
  const fromHistory = await t.api(xieyx, "/api/groups/xieyx-1452500000000");
  assertEquals(fromHistory.status, 200, JSON.stringify(fromHistory.body));
  assertEquals([fromHistory.body!.title, fromHistory.body!.owner], ["", "xieyx"]);
  assertEquals(fromHistory.body!.members, [
    { accountid: "xieyx", joined: 1452500000 },
    { accountid: "cuihb", joined: 1452500000 },
  ]);
  assertEquals(await read(cuihb, "xieyx-1452500000000"), [
    "xieyx: second group",
    "cuihb: second reply",
  ]);
}

/** The original's broadcasts, to their senders and recipients, text as typed. */
async function broadcastChecks(t: Server, cuihb: string, xieyx: string): Promise<void> {
  const list = async (token: string) =>
    ((await t.api(token, "/api/broadcasts?limit=50")).body!.broadcasts as Record<
      string,
      unknown
    >[]).map((b) => [b.fromuser, b.touserTitle, b.title, b.content, b.time, b.recipients]);
  const second = ["xieyx", "all", 'C:\\dir "x"', "hello", phpTime(1, 13), 2];
  const first = [
    "cuihb",
    "谢雁鑫,无密码",
    "通知 it's",
    "明天开会 & '早'\n第二行",
    phpTime(1, 12),
    2,
  ];
  assertEquals(await list(cuihb), [second, first]);
  assertEquals(await list(xieyx), [second, first]);
}

Deno.test("a half-upgraded database: the next run goes on, seq carried across months", async () => {
  const stores = await openTestStores();
  const data = await Deno.makeTempDir();
  try {
    await createPhpUsers(stores.pool);
    await createPhpMonth(stores.pool, "201601", JANUARY);
    const env = envOf(stores, data);
    assertEquals((await chat(["upgrade"], env)).code, 0);
    // What a run stopped half-way leaves: a month not yet swapped, and its half copy.
    await createPhpMonth(stores.pool, "201602", FEBRUARY);
    await stores.pool.query(
      "CREATE TABLE webchat_upgrading_message201602 (mid CHAR(24), junk INT) ENGINE=InnoDB",
    );
    // And a year of broadcasts stopped half-way: a half copy, one recipient row written.
    await createPhpBroadcasts(stores.pool);
    await stores.pool.query(
      "CREATE TABLE webchat_upgrading_broadcast2016 (bid CHAR(24), junk INT) ENGINE=InnoDB",
    );
    const resumed = await chat(["upgrade"], env);
    assertEquals(resumed.code, 0, resumed.out + resumed.err);
    assert(/messages: 2 in 1 monthly tables/.test(resumed.out), resumed.out);
    assert(/^broadcasts: 2 in 1 yearly tables/m.test(resumed.out), resumed.out);
    const [recipients] = await stores.pool.query(
      "SELECT COUNT(*) AS n FROM webchat_broadcast_recipient",
    );
    // Sender and recipients of each: cuihb, xieyx, nopass; xieyx, cuihb.
    assertEquals(Number((recipients as { n: number }[])[0].n), 5);
    assert(!(await tables(stores)).has("webchat_upgrading_broadcast2016"));
    // Run the year's copy again over its own recipient rows: none is written twice.
    await stores.pool.query(
      "RENAME TABLE webchat_broadcast2016 TO webchat_upgrading_broadcast2016",
    );
    await stores.pool.query("RENAME TABLE webchat_php_broadcast2016 TO webchat_broadcast2016");
    const again = await chat(["upgrade"], env);
    assertEquals(again.code, 0, again.out + again.err);
    assert(/^broadcasts: 2 in 1 yearly tables/m.test(again.out), again.out);
    const [twice] = await stores.pool.query(
      "SELECT COUNT(*) AS n FROM webchat_broadcast_recipient",
    );
    assertEquals(Number((twice as { n: number }[])[0].n), 5);
    const [rows] = await stores.pool.query(
      "SELECT chatid, seq, message FROM webchat_message201602 ORDER BY seq",
    );
    assertEquals(rows, [
      { chatid: "cuihb--xieyx", seq: 4, message: "february one" },
      { chatid: "cuihb--xieyx", seq: 5, message: "february two" },
    ]);
    assert(!(await tables(stores)).has("webchat_upgrading_message201602"));
    // A month upgraded before an older one cannot be: refused, nothing changed.
    await createPhpMonth(stores.pool, "201512", [[
      "cuihb--xieyx",
      "cuihb",
      "older",
      1449748800,
      0,
    ]]);
    const against = await chat(["upgrade"], env);
    assertEquals(against.code, 1);
    assert(
      /webchat_message201601 was upgraded, but the older webchat_message201512/.test(against.err),
      against.err,
    );
    assertEquals((await tables(stores)).get("webchat_message201512"), "MyISAM");
  } finally {
    await stores.cleanup();
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("upgrade refuses a database that is not the original's, or that its daemon still writes", async () => {
  const stores = await openTestStores();
  const data = await Deno.makeTempDir();
  try {
    const env = envOf(stores, data);
    const empty = await chat(["upgrade"], env);
    assertEquals(empty.code, 1);
    assert(/holds none of the PHP webChat's tables/.test(empty.err), empty.err);

    await stores.pool.query(
      "CREATE TABLE webchat_user (id INT PRIMARY KEY, name TEXT) ENGINE=MyISAM",
    );
    await createPhpMonth(stores.pool, "201601", JANUARY);
    const foreign = await chat(["upgrade"], env);
    assertEquals(foreign.code, 1);
    assert(
      /not the PHP webChat's: webchat_user has no column uid, accountid, pwd/.test(foreign.err),
      foreign.err,
    );
    // Nothing changed, not even the month that could have been.
    assertEquals((await tables(stores)).get("webchat_message201601"), "MyISAM");
    await stores.pool.query("DROP TABLE webchat_user");

    await createPhpUsers(stores.pool);
    await createPhpStatus(stores.pool, Math.floor(Date.now() / 1000) - 20);
    const live = await chat(["upgrade"], env);
    assertEquals(live.code, 1);
    assert(/the PHP queue daemon \(10\.0\.0\.5\) wrote a heartbeat/.test(live.err), live.err);
    assertEquals((await tables(stores)).get("webchat_user"), "MyISAM");

    const missing = await chat(["upgrade"], { ...env, CHAT_MYSQL_URL: `${stores.mysqlUrl}_nope` });
    assertEquals(missing.code, 1);
    assert(/Unknown database/.test(missing.err), missing.err);
    const [dbs] = await stores.pool.query("SHOW DATABASES LIKE ?", [`${stores.database}_nope`]);
    assertEquals((dbs as unknown[]).length, 0);
  } finally {
    await stores.cleanup();
    await Deno.remove(data, { recursive: true });
  }
});
