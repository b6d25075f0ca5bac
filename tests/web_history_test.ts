/**
 * The page's per-chat cache (web/chat_history.js) without a browser: messages kept once and in
 * seq order, a chat off screen trimmed to its newest 50, the cache bounded without dropping
 * the open chat, and a catch-up that pages through a gap.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { ChatCache, ChatHistory, KEPT_WHILE_CLOSED } from "../web/chat_history.js";

type Say = Parameters<ChatHistory["add"]>[0][number];

const say = (seq: number): Say => ({
  chatid: "a--b",
  fromuser: "a",
  message: `m${seq}`,
  time: 1_700_000_000 + seq,
  mid: `mid-${seq}`,
  seq,
});

/** A server holding seqs `have`, answering history requests as the API does. */
function fakeServer(have: number[]) {
  const asked: Record<string, number>[] = [];
  const fetchPage = (_chatid: string, params: Record<string, number>) => {
    asked.push(params);
    let rows = have.map(say);
    if (params.after !== undefined) rows = rows.filter((m) => m.seq > params.after);
    if (params.before !== undefined) rows = rows.filter((m) => m.seq < params.before);
    const limit = params.limit;
    const page = params.after !== undefined ? rows.slice(0, limit) : rows.slice(-limit);
    return Promise.resolve({ messages: page, hasMore: page.length < rows.length });
  };
  return { asked, fetchPage };
}

Deno.test("a chat's messages are held once, in seq order", () => {
  const history = new ChatHistory("a--b", fakeServer([]).fetchPage);
  const seen: number[][] = [];
  history.subscribe(({ frames }) => seen.push(frames.map((f) => f.seq)));
  history.add([say(3), say(1)]);
  history.add([say(2), say(3), { ...say(9), chatid: "other--chat" }]);
  assertEquals(history.messages.map((m) => m.seq), [1, 2, 3]);
  assertEquals(seen, [[3, 1], [2]]);
});

Deno.test("a chat off screen keeps its newest 50 and knows there is more", async () => {
  const server = fakeServer(Array.from({ length: 80 }, (_, i) => i + 1));
  const history = new ChatHistory("a--b", server.fetchPage);
  await history.loadNewest();
  await history.loadOlder();
  assertEquals(history.messages.length, 60);
  history.open = false;
  history.trim();
  assertEquals(history.messages.length, KEPT_WHILE_CLOSED);
  assertEquals(history.firstSeq, 31);
  assertEquals(history.hasMore, true);
  // The trimmed ones can be loaded again (their mids were forgotten too).
  await history.loadOlder();
  assertEquals(history.firstSeq, 1);
});

Deno.test("the cache forgets the chat used longest ago, never the open one", () => {
  const cache = new ChatCache(fakeServer([]).fetchPage, 2);
  const open = cache.get("a--a");
  open.open = true;
  cache.get("a--b");
  cache.get("a--c");
  assertEquals(cache.peek("a--a"), open);
  assertEquals(cache.peek("a--b"), null);
  assertEquals(cache.all().map((h) => h.chatid).sort(), ["a--a", "a--c"]);
});

Deno.test("a live message after a gap pages through what was missed", async () => {
  const all = Array.from({ length: 250 }, (_, i) => i + 1);
  const server = fakeServer(all);
  const history = new ChatHistory("a--b", server.fetchPage);
  await history.loadNewest(); // 221..250
  history.trim(3); // 248..250, as if the page had been away
  history.addLive(say(251)); // no gap: nothing asked
  assertEquals(server.asked.length, 1);
  all.push(252, 253, 254);
  history.addLive(say(254)); // 252 and 253 are missing
  await new Promise((resolve) => setTimeout(resolve, 50));
  assertEquals(history.messages.map((m) => m.seq), [248, 249, 250, 251, 252, 253, 254]);
  assertEquals(server.asked.at(-1), { after: 251, limit: 100 });
});

Deno.test("a stale chat asks for its newest page again and fills the gap", async () => {
  const all = Array.from({ length: 10 }, (_, i) => i + 1);
  const server = fakeServer(all);
  const history = new ChatHistory("a--b", server.fetchPage);
  await history.loadNewest();
  await history.loadNewest(); // held: not asked again
  assertEquals(server.asked.length, 1);
  history.markStale(); // a reconnect; meanwhile 11..60 arrived
  for (let seq = 11; seq <= 60; seq++) all.push(seq);
  await history.loadNewest(); // 31..60, then the gap 11..30 is caught up
  await new Promise((resolve) => setTimeout(resolve, 50));
  assertEquals(history.messages.map((m) => m.seq), all);
  assertEquals(server.asked.slice(1), [{ limit: 30 }, { after: 10, limit: 100 }]);
});

Deno.test("a recall or an edit changes the held message in place, and copies that come later", () => {
  const history = new ChatHistory("a--b", fakeServer([]).fetchPage);
  const seen: { seqs: number[]; changed: boolean }[] = [];
  history.subscribe(({ frames, changed }) => {
    seen.push({ seqs: frames.map((f) => f.seq), changed: !!changed });
  });
  const reply: Say = {
    ...say(3),
    replyTo: { mid: "mid-1", fromuser: "a", excerpt: "m1", msgType: "text" },
  };
  history.add([say(1), say(2), reply]);
  seen.length = 0;

  assertEquals(history.change({ mid: "mid-2", message: "new text", edited: 50 }), true);
  assertEquals(history.find("mid-2")?.message, "new text");
  assertEquals(history.find("mid-2")?.edited, 50);
  // An older edit arriving late does not undo a newer one.
  history.change({ mid: "mid-2", message: "older text", edited: 40 });
  assertEquals(history.find("mid-2")?.message, "new text");

  // A recall empties the message, and the quote of it in a reply becomes "recalled".
  history.change({ mid: "mid-1", recalled: { by: "a", time: 60 } });
  assertEquals(history.find("mid-1")?.message, "");
  assertEquals(history.find("mid-1")?.recalled, { by: "a", time: 60 });
  assertEquals(history.find("mid-3")?.replyTo, {
    mid: "mid-1",
    fromuser: "a",
    excerpt: "",
    msgType: "text",
    recalled: true,
  });
  // Nothing edits a recalled message back.
  history.change({ mid: "mid-1", message: "back", edited: 70 });
  assertEquals(history.find("mid-1")?.message, "");
  assertEquals(seen, [
    { seqs: [2], changed: true },
    { seqs: [1, 3], changed: true },
  ]);

  // History that answers an old copy of a changed message: the change is kept.
  seen.length = 0;
  history.add([say(1), say(2)]);
  assertEquals(history.find("mid-1")?.recalled, { by: "a", time: 60 });
  assertEquals(seen, []);
  // A change for a message not held yet applies when it arrives (a page asked earlier).
  history.change({ mid: "mid-4", recalled: { by: "b", time: 80 } });
  history.add([{ ...say(4), message: "secret" }]);
  assertEquals(history.find("mid-4")?.message, "");
  assertEquals(history.messages.map((m) => m.seq), [1, 2, 3, 4]);
});

Deno.test("the sender's provisional copy gives way to the server's, an older state never", () => {
  const history = new ChatHistory("a--b", fakeServer([]).fetchPage);
  history.add([{ ...say(1), provisional: true }]);
  const quote = { mid: "mid-0", fromuser: "b", excerpt: "q", msgType: "text" };
  history.add([{ ...say(1), replyTo: quote }]);
  assertEquals(history.find("mid-1")?.replyTo, quote);
  assertEquals(history.find("mid-1")?.provisional, undefined);
  // An edited copy from history replaces the plain one; the plain one does not come back.
  history.add([{ ...say(1), message: "edited", edited: 9 }]);
  history.add([say(1)]);
  assertEquals(history.find("mid-1")?.message, "edited");
});

Deno.test("read marks only rise and tell the view", () => {
  const history = new ChatHistory("g-1", fakeServer([]).fetchPage);
  let told = 0;
  history.subscribe(({ receipts }) => {
    if (receipts) told++;
  });
  history.setReceipts({ b: 5, c: 2 }, ["a", "b", "c"]);
  history.setReceipts({ b: 3 });
  assertEquals(Object.fromEntries(history.receipts), { b: 5, c: 2 });
  assertEquals(history.members, ["a", "b", "c"]);
  history.setReceipts({ c: 7 });
  assertEquals(history.receipts.get("c"), 7);
  assertEquals(told, 2, "a mark that did not rise tells nobody");
});

Deno.test("after a reconnect the newest page again brings what was recalled or edited meanwhile", async () => {
  let server = [say(1), say(2), say(3)];
  const fetchPage = (_chatid: string, params: Record<string, number>) =>
    Promise.resolve({ messages: server.slice(-params.limit), hasMore: false });
  const history = new ChatHistory("a--b", fetchPage);
  await history.loadNewest();
  // While the page was away: 2 was recalled, 3 edited.
  server = [say(1), { ...say(2), message: "", recalled: { by: "a", time: 9 } }, {
    ...say(3),
    message: "m3 fixed",
    edited: 8,
  }];
  history.changesMissed = true;
  await history.refresh();
  assertEquals(history.changesMissed, false);
  assertEquals(history.messages.map((m) => m.message), ["m1", "", "m3 fixed"]);
  assertEquals(history.find("mid-2")?.recalled, { by: "a", time: 9 });
});
