/**
 * The page's group book (web/groups.js) without a browser: how it pairs the reader's
 * `groupset`/`systemNotice` frames, which carry no `cid`, with the server's answers (the echo
 * from this account, or the next `error` without a `cid`, oldest frame first), and what it keeps
 * of each group and of the reader's mutes.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";

// Loaded by a computed URL: the module is type-checked with the page's DOM library
// (tests/web_check_test.ts), which this file is not checked with.
const { GroupBook, isGroupId } = await import(String(new URL("../web/groups.js", import.meta.url)));

const G = "alice-1764201600000";

function book(online = true) {
  const sent: object[] = [];
  let changes = 0;
  const groups = new GroupBook((frame: object) => {
    if (online) sent.push(frame);
    return online;
  }, () => changes++);
  return { groups, sent, changes: () => changes };
}

Deno.test("a group frame is answered by its echo from this account", async () => {
  const { groups, sent } = book();
  const answer = groups.request({ type: "groupset", chatid: G, title: "T", members: ["bob"] });
  assertEquals(sent.length, 1);
  // Someone else's change of the same group is not the answer.
  groups.onGroupset(
    { chatid: G, fromuser: "bob", owner: "alice", members: ["alice", "bob"] },
    "alice",
  );
  groups.onGroupset(
    { chatid: G, fromuser: "alice", title: "T", owner: "alice", members: ["alice", "bob"] },
    "alice",
  );
  assertEquals(await answer, null);
  assertEquals(groups.get(G), {
    chatid: G,
    title: "T",
    owner: "alice",
    members: ["alice", "bob"],
    left: false,
  });
});

Deno.test("errors without a cid answer the oldest group frame waiting", async () => {
  const { groups } = book();
  const first = groups.request({ type: "groupset", chatid: G, title: "", members: [] });
  const second = groups.request({
    type: "systemNotice",
    chatid: G,
    action: "grouptitle",
    title: "x",
  });
  assertEquals(groups.onError({ info: "bad_request", msg: "members must name someone" }), true);
  assertEquals(await first, "The server did not accept this: members must name someone");
  assertEquals(groups.onError({ info: "forbidden", msg: "not a member" }), true);
  assertEquals(await second, "You are not allowed to do this: not a member");
  // Nothing waits: an error is not the book's.
  assertEquals(groups.onError({ info: "bad_request", msg: "other" }), false);
});

Deno.test("offline, dropped and removed: the answers and the state say so", async () => {
  const offline = book(false);
  assertEquals(
    await offline.groups.request({ type: "groupset", chatid: G, title: "", members: [] }),
    "Not connected; try again once the page is online.",
  );
  const { groups } = book();
  const waiting = groups.request({
    type: "systemNotice",
    chatid: G,
    action: "closenotice",
    title: "",
  });
  groups.dropWaiting();
  assertEquals(
    await waiting,
    "The connection dropped before the server answered; check and try again.",
  );
  // Muted on the server, then removed: the mute ends with the membership.
  groups.onNotice({ chatid: G, fromuser: "alice", action: "closenotice" }, "alice");
  assertEquals(groups.muted.has(G), true);
  groups.onGroupset(
    { chatid: G, fromuser: "bob", owner: "bob", members: ["bob", "carol"] },
    "alice",
  );
  assertEquals([groups.muted.has(G), groups.get(G)?.left], [false, true]);
});

Deno.test("group ids are owner-digits; one-to-one ids are not", () => {
  assertEquals(
    ["alice-1764201600000", "a.b_c-1", "alice--bob", "alice-", "-1", "alice-12x"].map(isGroupId),
    [true, true, false, false, false, false],
  );
});
