/**
 * Search over the whole archive end to end on both backends: Chinese by any two characters,
 * Latin words by prefix whatever their case, newest first with a cursor, the matching parts as
 * offsets; nothing from chats the asker cannot read, nothing of a group from before the asker
 * joined; recalls and edits followed; every bad query a 400 that changes nothing.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { bothBackends, type BothHarness, type LoggedIn } from "./support/both_backends.ts";
import { G, groupset, people } from "./support/group_steps.ts";
import type { Frame } from "./support/ws_client.ts";
import { runChat } from "./support/chat_cli.ts";
import { openSqliteDb } from "../store/sqlite_db.ts";

/** Sends a text and answers its ack. */
async function say(client: LoggedIn, chatid: string, content: string, cid: string) {
  client.send({ type: "say", chatid, content, cid });
  const ack = await client.next((f) => f.cid === cid && (f.type === "ack" || f.type === "error"));
  assertEquals(ack.type, "ack", JSON.stringify(ack));
  return ack;
}

/** A search as `token` asks it, once the queue is empty. */
async function search(h: BothHarness, token: string, query: string) {
  await h.archived();
  return await h.api(token, `/api/search?${query}`);
}

/** The texts found (newest first). */
async function found(h: BothHarness, token: string, query: string): Promise<string[]> {
  const { status, body } = await search(h, token, query);
  assertEquals(status, 200, JSON.stringify(body));
  return body.hits.map((hit: Frame) => hit.message.message);
}

const q = (text: string) => `q=${encodeURIComponent(text)}`;

bothBackends("CJK and Latin finds, only in readable chats, paged, with offsets", async (h) => {
  const { tokens, ws } = await people(h, ["alice", "bob", "carol", "dave"]);
  await say(ws.alice, "alice--bob", "明天的会议几点？", "a1");
  await say(ws.bob, "alice--bob", "The Meeting moved to 3pm", "a2");
  await say(ws.alice, "alice--carol", "会议纪要 meetings notes", "a3");
  await say(ws.carol, "carol--dave", "秘密会议 secret meeting", "a4");
  await say(ws.alice, "alice--bob", "' OR 1=1 -- %_ stays text", "a5");

  // 会议 inside a sentence; "meet" as the start of Meeting/meetings in any case.
  assertEquals(await found(h, tokens.alice, q("会议")), [
    "会议纪要 meetings notes",
    "明天的会议几点？",
  ]);
  const latin = await search(h, tokens.alice, q("MEET"));
  assertEquals(latin.body.hits.map((hit: Frame) => [hit.message.message, hit.ranges]), [
    ["会议纪要 meetings notes", [[5, 9]]],
    ["The Meeting moved to 3pm", [[4, 8]]],
  ]);
  assertEquals(latin.body.hits[0].message.chatid, "alice--carol");
  assertEquals(latin.body.next, null);
  // A word matches by its start only; two terms must both be there.
  assertEquals(await found(h, tokens.alice, q("eeting")), []);
  assertEquals(await found(h, tokens.alice, q("会议 notes")), ["会议纪要 meetings notes"]);
  assertEquals(await found(h, tokens.alice, q("几点 会议")), ["明天的会议几点？"]);
  // SQL in a message is only text to find.
  assertEquals(await found(h, tokens.bob, q("stays text")), ["' OR 1=1 -- %_ stays text"]);

  // Carol and dave's chat shows to neither alice nor bob; to carol, her two chats.
  assertEquals(await found(h, tokens.bob, q("secret")), []);
  assertEquals(await found(h, tokens.alice, q("秘密")), []);
  assertEquals(await found(h, tokens.carol, q("会议")), [
    "秘密会议 secret meeting",
    "会议纪要 meetings notes",
  ]);
  // One chat: its hits only; a chat of others is 403, as its history is.
  assertEquals(await found(h, tokens.alice, `${q("会议")}&chatid=alice--bob`), [
    "明天的会议几点？",
  ]);
  const theirs = await search(h, tokens.alice, `${q("会议")}&chatid=carol--dave`);
  assertEquals([theirs.status, theirs.body.error.code], [403, "forbidden"]);
  // Sender and time filters.
  assertEquals(await found(h, tokens.alice, `${q("meet")}&from=bob`), ["The Meeting moved to 3pm"]);
  assertEquals(await found(h, tokens.alice, `${q("meet")}&until=1000`), []);
  const now = Math.floor(Date.now() / 1000);
  assertEquals((await found(h, tokens.alice, `${q("meet")}&since=${now - 600}`)).length, 2);

  // Paging: one hit a page, newest first, then the cursor runs out.
  const first = await search(h, tokens.alice, `${q("会议")}&limit=1`);
  assertEquals(first.body.hits.map((hit: Frame) => hit.message.message), [
    "会议纪要 meetings notes",
  ]);
  assert(typeof first.body.next === "string");
  const second = await search(h, tokens.alice, `${q("会议")}&limit=1&cursor=${first.body.next}`);
  assertEquals(second.body.hits.map((hit: Frame) => hit.message.message), ["明天的会议几点？"]);
  if (second.body.next !== null) {
    const third = await search(h, tokens.alice, `${q("会议")}&limit=1&cursor=${second.body.next}`);
    assertEquals([third.body.hits, third.body.next], [[], null]);
  }

  // Bad input: each a clear 400, and nothing changed (the same search answers the same).
  const bad: [string, string][] = [
    ["", "q must be 2 to 100 characters"],
    [q("   "), "q must be 2 to 100 characters"],
    [q("会"), "q must be 2 to 100 characters"],
    [q("x"), "q must be 2 to 100 characters"],
    [q("会议".repeat(2_000)), "q must be 2 to 100 characters"],
    [q("a".repeat(10_000)), "q must be 2 to 100 characters"],
    [q(".*"), "q may hold only letters, digits, spaces and . , ' - (it is text, not a pattern)"],
    [
      q("[a-z]+"),
      "q may hold only letters, digits, spaces and . , ' - (it is text, not a pattern)",
    ],
    [
      q("' OR 1=1 --"),
      "q may hold only letters, digits, spaces and . , ' - (it is text, not a pattern)",
    ],
    [q("%%"), "q may hold only letters, digits, spaces and . , ' - (it is text, not a pattern)"],
    [q("__"), "q may hold only letters, digits, spaces and . , ' - (it is text, not a pattern)"],
    [
      q("a b"),
      "q needs a word of 2 letters or digits, or 2 Chinese, Japanese or Korean characters",
    ],
    [q("-."), "q needs a word of 2 letters or digits, or 2 Chinese, Japanese or Korean characters"],
    [`${q("会议")}&since=yesterday`, "since must be an integer from 0 to 2147483647"],
    [`${q("会议")}&until=-1`, "until must be an integer from 0 to 2147483647"],
    [`${q("会议")}&since=2000&until=1000`, "since must not be after until"],
    [`${q("会议")}&from=no%20one`, "from must be an accountid"],
    [`${q("会议")}&cursor=' OR 1=1`, "cursor must be the next of an earlier answer"],
    [`${q("会议")}&limit=51`, "limit must be an integer from 1 to 50"],
    [`${q("会议")}&chatid=nobody`, `chatid "nobody" is neither "a--b" nor "owner-digits"`],
  ];
  for (const [query, message] of bad) {
    const answer = await search(h, tokens.alice, query);
    assertEquals([answer.status, answer.body], [400, { error: { code: "bad_request", message } }]);
  }
  assertEquals(await found(h, tokens.alice, q("会议")), [
    "会议纪要 meetings notes",
    "明天的会议几点？",
  ]);
  const anonymous = await h.api("", `/api/search?${q("会议")}`);
  assertEquals(anonymous.status, 401);
});

bothBackends(
  "a group member finds nothing from before joining, the rest from then on",
  async (h) => {
    const { tokens, ws } = await people(h, ["alice", "bob", "dave"]);
    ws.alice.send({ type: "groupset", chatid: G, title: "Plans", members: ["bob"] });
    await groupset(ws.alice);
    await say(ws.alice, G, "项目会议 before dave", "g1");
    await h.archived();
    await new Promise((resolve) => setTimeout(resolve, 20));
    ws.alice.send({ type: "groupset", chatid: G, members: ["alice", "bob", "dave"] });
    await groupset(ws.dave);
    await say(ws.bob, G, "项目会议 after dave", "g2");
    assertEquals(await found(h, tokens.dave, q("项目")), ["项目会议 after dave"]);
    assertEquals(await found(h, tokens.dave, `${q("dave")}&chatid=${G}`), ["项目会议 after dave"]);
    assertEquals(await found(h, tokens.bob, q("项目")), [
      "项目会议 after dave",
      "项目会议 before dave",
    ]);
  },
);

bothBackends(
  "a recalled message vanishes from search, an edited one is found by its new text",
  async (h) => {
    const { tokens, ws } = await people(h, ["alice", "bob"]);
    const AB = "alice--bob";
    const wrong = await say(ws.alice, AB, "密码是 hunter2", "r1");
    const typo = await say(ws.alice, AB, "周五开会 Fridya", "r2");
    assertEquals(await found(h, tokens.bob, q("密码")), ["密码是 hunter2"]);
    assertEquals(await found(h, tokens.bob, q("fridya")), ["周五开会 Fridya"]);
    ws.alice.send({ type: "recall", chatid: AB, mid: wrong.mid, cid: "x1" });
    assertEquals((await ws.alice.next((f) => f.cid === "x1")).type, "ack");
    ws.alice.send({
      type: "edit",
      chatid: AB,
      mid: typo.mid,
      content: "周六开会 Saturday",
      cid: "x2",
    });
    assertEquals((await ws.alice.next((f) => f.cid === "x2")).type, "ack");
    for (const token of [tokens.alice, tokens.bob]) {
      assertEquals(await found(h, token, q("密码")), []);
      assertEquals(await found(h, token, q("hunter")), []);
      assertEquals(await found(h, token, q("fridya")), []);
      assertEquals(await found(h, token, q("周五")), []);
      const edited = await search(h, token, q("saturday"));
      assertEquals(edited.body.hits.map((hit: Frame) => [hit.message.mid, hit.message.message]), [
        [typo.mid, "周六开会 Saturday"],
      ]);
      assert(edited.body.hits[0].message.edited > 0);
      assertEquals(await found(h, token, q("周六")), ["周六开会 Saturday"]);
    }
  },
);

bothBackends("chat search-index indexes what an earlier version archived", async (h) => {
  const { tokens, ws } = await people(h, ["alice", "bob"]);
  await say(ws.alice, "alice--bob", "旧版本的消息 legacy", "i1");
  assertEquals(await found(h, tokens.bob, q("legacy")), ["旧版本的消息 legacy"]);
  // As an archive of a version before search has it: the messages, no index.
  if (h.stores) await h.stores.pool.query("DELETE FROM webchat_search");
  else {
    const sqlite = openSqliteDb(h.config.dataDir);
    sqlite.db.exec("DELETE FROM webchat_search");
    sqlite.close();
  }
  assertEquals(await found(h, tokens.bob, q("legacy")), []);
  const env: Record<string, string> = h.stores
    ? {
      CHAT_MYSQL_URL: h.config.mysqlUrl!,
      CHAT_REDIS_URL: h.config.redisUrl!,
      CHAT_REDIS_PREFIX: h.config.redisPrefix,
    }
    : { CHAT_DATA_DIR: h.config.dataDir };
  const run = await runChat(["search-index"], env);
  assertEquals(run.code, 0, run.err);
  assert(/^search index: 1 messages indexed in [\d.]+ s$/m.test(run.out), run.out);
  assertEquals(await found(h, tokens.bob, q("旧版本")), ["旧版本的消息 legacy"]);
  assertEquals(await found(h, tokens.alice, q("legacy")), ["旧版本的消息 legacy"]);
});
