/**
 * Export on both backends: a participant downloads a chat with hostile text as valid, escaped,
 * self-contained HTML (images linked) or as CSV, a date range of it, only what it may read;
 * `chat export CHATID` gives an administrator the same; bad requests are refused.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { parseCsv } from "../cli/csv.ts";
import { MessageType, newMid } from "../queue/message.ts";
import { bothBackends, type BothHarness, type LoggedIn } from "./support/both_backends.ts";
import { runChat } from "./support/chat_cli.ts";
import { G, line, people } from "./support/group_steps.ts";
import { pngImage } from "./support/images.ts";
import { fetchAt, UploadClient } from "./support/upload_client.ts";

const AB = "alice--bob";
const HOSTILE = `</li><script>alert("x")</script><img src=x onerror=alert(1)> & 'q' ` +
  `<!-- =SUM(A1)`;

async function say(client: LoggedIn, frame: Record<string, unknown>) {
  client.send({ type: "say", chatid: AB, ...frame });
  return await client.next((f) => f.cid === frame.cid && f.type === "ack");
}

async function download(h: BothHarness, token: string, path: string) {
  const response = await fetch(h.server.url + path, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** CSV records as objects keyed by the header row. */
function csvRows(text: string) {
  const { records, problems } = parseCsv(text);
  assertEquals(problems, []);
  const [header, ...rows] = records;
  return rows.map((r) => Object.fromEntries(header.fields.map((name, i) => [name, r.fields[i]])));
}

/** The tags of an HTML text, and a check that nothing else looks like markup. */
function tagsOf(html: string): Set<string> {
  const tags = new Set<string>();
  for (const [, name] of html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)[\s>]/g)) tags.add(name);
  return tags;
}

const PAGE_TAGS = new Set([
  "html",
  "head",
  "meta",
  "title",
  "style",
  "body",
  "h1",
  "p",
  "ol",
  "li",
  "time",
  "b",
  "span",
  "blockquote",
  "i",
  "a",
]);

bothBackends(
  "a participant exports a chat with hostile text as escaped HTML and CSV",
  async (h) => {
    const { tokens, ws } = await people(h, ["alice", "bob", "carol"]);
    const { alice, bob } = ws;
    const { producer } = h.server.backend;
    const old = await producer.enqueue({
      mid: newMid(Date.now() - 7200_000),
      chatid: AB,
      fromuser: "bob",
      message: "two hours ago",
      type: MessageType.text,
      fileId: "",
      time: Math.floor(Date.now() / 1000) - 7200,
      cid: "",
      members: ["alice", "bob"],
    });
    const hostile = await say(alice, { content: HOSTILE, cid: "h" });
    const image = await new UploadClient(fetchAt(h.server.url), tokens.alice)
      .upload(pngImage(40, 30), { name: `a"b<c>.png`, mime: "image/png" });
    await say(alice, { msgType: "image", fileId: image.id, content: "", cid: "i" });
    await h.archived();
    await say(bob, { content: 'line one\nline "two"', cid: "r", replyTo: hostile.mid });
    const gone = await say(alice, { content: "regret", cid: "g" });
    await h.archived();
    alice.send({ type: "recall", chatid: AB, mid: gone.mid, cid: "x" });
    await alice.next((f) => f.cid === "x");
    await h.archived();

    const page = await download(h, tokens.bob, `/api/chats/${AB}/export`);
    assertEquals(page.status, 200, page.text);
    assert(page.headers.get("content-type")!.startsWith("text/html"));
    assert(
      /attachment; filename="chat-alice--bob.html"/.test(page.headers.get("content-disposition")!),
    );
    assert(/default-src 'none'/.test(page.headers.get("content-security-policy")!));
    const html = page.text;
    assert(html.startsWith("<!DOCTYPE html>"));
    assert(html.trimEnd().endsWith("</html>"));
    // Only the page's own tags: the hostile text is text, never markup.
    assertEquals([...tagsOf(html)].filter((t) => !PAGE_TAGS.has(t)), []);
    assert(!/<script|<img|<!--/i.test(html));
    assert(html.includes("&lt;/li&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
    assert(html.includes("&amp; &#39;q&#39;"));
    assertEquals(html.match(/<li /g)?.length, 5);
    assert(html.includes(`href="${image.url.replaceAll("<", "&lt;").replaceAll(">", "&gt;")}`));
    assert(html.includes("regret") === false);
    assert(html.includes("message was recalled by alice"));
    assert(html.includes("<blockquote>alice: &lt;/li&gt;"));
    assert(!/https?:\/\//.test(html.replace(/<meta[^>]*>/, "")), "nothing loaded from outside");

    const csv = await download(h, tokens.alice, `/api/chats/${AB}/export?format=csv`);
    assertEquals(csv.status, 200);
    assert(csv.headers.get("content-type")!.startsWith("text/csv"));
    const records = csvRows(csv.text);
    assertEquals(records.map((r) => r.message), [
      "two hours ago",
      HOSTILE,
      "",
      'line one\nline "two"',
      "",
    ]);
    assertEquals(records[3].replyTo, hostile.mid);
    assertEquals([records[4].type, records[4].recalledBy], ["recalled", "alice"]);
    assertEquals(records[2].file, image.url);
    // A cell a spreadsheet would run as a formula is defused.
    const formula = await say(alice, { content: '=HYPERLINK("http://x")', cid: "f" });
    await h.archived();
    const again = csvRows(
      (await download(h, tokens.alice, `/api/chats/${AB}/export?format=csv`)).text,
    );
    assertEquals(again.at(-1)!.mid, formula.mid);
    assertEquals(again.at(-1)!.message, '\'=HYPERLINK("http://x")');

    // A date range: the last hour only.
    const since = Math.floor(Date.now() / 1000) - 3600;
    const recent = csvRows(
      (await download(h, tokens.bob, `/api/chats/${AB}/export?format=csv&since=${since}`)).text,
    );
    assert(!recent.some((r) => r.mid === old.ack.mid));
    assertEquals(recent.length, 5);

    // Bad requests: an outsider, an unknown format, a range backwards.
    assertEquals((await download(h, tokens.carol, `/api/chats/${AB}/export`)).status, 403);
    for (const query of ["format=pdf", "since=10&until=5", "until=x"]) {
      const answer = await download(h, tokens.bob, `/api/chats/${AB}/export?${query}`);
      assertEquals(answer.status, 400, `${query}: ${answer.text}`);
    }

    // The administrator's command: the same chat from the stores.
    const env: Record<string, string> = h.stores
      ? {
        CHAT_MYSQL_URL: h.config.mysqlUrl!,
        CHAT_REDIS_URL: h.config.redisUrl!,
        CHAT_REDIS_PREFIX: h.config.redisPrefix,
      }
      : { CHAT_DATA_DIR: h.config.dataDir };
    const cli = await runChat(["export", AB, "--format", "csv"], env);
    assertEquals(cli.code, 0, cli.err);
    assertEquals(csvRows(cli.out).map((r) => r.mid), again.map((r) => r.mid));
    const bad: [string[], RegExp][] = [
      [["bob--alice"], /sorted order/],
      [[AB, "--format", "pdf"], /--format must be one of html, csv/],
      [[AB, "--since", "yesterday"], /--since must be unix seconds or YYYY-MM-DD/],
    ];
    for (const [args, msg] of bad) {
      const refused = await runChat(["export", ...args], env);
      assertEquals([refused.code, refused.out], [2, ""], refused.err);
      assert(msg.test(refused.err), refused.err);
    }
  },
);

bothBackends("a group member's export holds only what its history shows", async (h) => {
  const { tokens, ws } = await people(h, ["alice", "bob", "carol"]);
  const { alice, bob, carol } = ws;
  alice.send({ type: "groupset", chatid: G, title: "<b>team</b>", members: ["bob"] });
  for (const client of [alice, bob]) await line(client);
  alice.send({ type: "say", chatid: G, content: "before carol", cid: "1" });
  await bob.next((f) => f.message === "before carol");
  await new Promise((resolve) => setTimeout(resolve, 5));
  alice.send({ type: "groupset", chatid: G, members: ["alice", "bob", "carol"] });
  await line(carol);
  alice.send({ type: "say", chatid: G, content: "after carol", cid: "2" });
  await carol.next((f) => f.message === "after carol");
  await h.archived();
  const page = await download(h, tokens.carol, `/api/chats/${G}/export`);
  assertEquals(page.status, 200);
  assert(page.text.includes("<title>&lt;b&gt;team&lt;/b&gt;</title>"));
  assert(page.text.includes("after carol"));
  assert(!page.text.includes("before carol"));
});
