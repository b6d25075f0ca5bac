/**
 * Broadcasts over real WebSockets and HTTP, on both backends: online recipients get the frame at
 * once, offline ones an unread count; the list API pages newest first for recipients and the
 * sender only; departments are targets (sub-departments included); who may broadcast is
 * configurable; a broadcast to 10,000 is acknowledged at once.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { BROADCAST_CHATID } from "../queue/broadcast.ts";
import { bothBackends, type BothHarness } from "./support/both_backends.ts";
import type { Frame } from "./support/ws_client.ts";

/** A broadcast frame's fields as the list shows them. */
const listed = (f: Frame, recipients: number) => {
  const { type: _type, ...rest } = f;
  return { ...rest, recipients };
};

async function broadcastsOf(h: BothHarness, token: string, query = "") {
  await h.archived();
  const { status, body } = await h.api(token, `/api/broadcasts${query}`);
  assertEquals(status, 200, JSON.stringify(body));
  return body;
}

bothBackends("3 online and 2 offline recipients, unread counts, paging of the list", async (h) => {
  const ids = ["alice", "r1", "r2", "r3", "r4", "r5", "other"];
  for (const id of ids) await h.addUser(id);
  const tokens: Record<string, string> = {};
  for (const id of ids) tokens[id] = await h.login(id);
  const alice = await h.connect("alice", tokens.alice);
  const online = await Promise.all(["r1", "r2", "r3"].map((id) => h.connect(id, tokens[id])));
  const other = await h.connect("other", tokens.other);

  const title = `Subject <b>"quoted"</b> \\' 😀`;
  const content =
    `Line one\n<script>alert(1)</script> '; DROP TABLE webchat_broadcast_recipient; --`;
  const touser = { member: ["r1", "r2", "r3", "r4", "r5", "r1"], title: "five <people>" };
  alice.send({ type: "broadcast", touser, title, content, cid: "b1", fromuser: "mallory" });
  const ack = await alice.next((f) => f.type === "ack" && f.cid === "b1");
  assert(/^[0-9a-f]{24}$/.test(ack.bid) && Number.isInteger(ack.time), JSON.stringify(ack));
  const expected = {
    type: "broadcast",
    bid: ack.bid,
    fromuser: "alice",
    touserTitle: "five <people>",
    title,
    content,
    time: ack.time,
  };
  for (const client of online) {
    assertEquals(await client.next((f) => f.type === "broadcast"), expected);
  }
  // Sent again with the same cid: acknowledged again, delivered once.
  alice.send({ type: "broadcast", touser, title, content, cid: "b1" });
  assertEquals((await alice.next((f) => f.type === "ack" && f.cid === "b1")).bid, ack.bid);

  // Online recipients got the frame (no count); offline ones get the count instead.
  for (const id of ["r1", "r2", "r3"]) {
    assertEquals((await h.api(tokens[id], "/api/unread")).body.broadcast, 0, id);
  }
  for (const id of ["r4", "r5"]) {
    assertEquals((await h.api(tokens[id], "/api/unread")).body.broadcast, 1, id);
  }
  const r4 = await h.connect("r4", tokens.r4);
  assertEquals(r4.init.broadcastUnread, 1);
  assertEquals(r4.init.mayBroadcast, true, "everyone may by default");
  assertEquals((await h.api(tokens.r4, "/api/broadcasts/read", { method: "POST" })).status, 204);
  assertEquals((await h.api(tokens.r4, "/api/unread")).body.broadcast, 0);
  assertEquals((await h.api(tokens.r5, "/api/unread")).body.broadcast, 1);

  // Recipients and the sender see it in the list; nobody else does, nor can read it by id.
  for (const id of ["r5", "alice"]) {
    assertEquals(await broadcastsOf(h, tokens[id]), {
      broadcasts: [listed(expected, 5)],
      hasMore: false,
    }, id);
  }
  assertEquals(await broadcastsOf(h, tokens.other), { broadcasts: [], hasMore: false });
  assertEquals(
    (await h.api(tokens.r2, `/api/broadcasts/${ack.bid}`)).body.broadcast,
    listed(expected, 5),
  );
  const foreign = await h.api(tokens.other, `/api/broadcasts/${ack.bid}`);
  assertEquals([foreign.status, foreign.body.error.code], [404, "not_found"]);
  assertEquals(other.frames.filter((f) => f.type === "broadcast"), []);
  assertEquals(alice.frames.filter((f) => f.type === "broadcast"), []);

  // Six more to r1 and r2, in the string form: r1 pages through seven, newest first.
  const bids = [ack.bid];
  for (let i = 0; i < 6; i++) {
    alice.send({
      type: "broadcast",
      touser: "-r1-r2-",
      title: `n${i}`,
      content: `c${i}`,
      cid: `p${i}`,
    });
    bids.push((await alice.next((f) => f.type === "ack" && f.cid === `p${i}`)).bid);
  }
  const pages: string[][] = [];
  let before = "";
  for (let more = true; more;) {
    const page = await broadcastsOf(h, tokens.r1, `?limit=3${before && `&before=${before}`}`);
    pages.push(page.broadcasts.map((b: Frame) => b.bid));
    before = page.broadcasts.at(-1)?.bid ?? "";
    more = page.hasMore;
  }
  assertEquals(pages, [bids.slice(4).reverse(), bids.slice(1, 4).reverse(), [bids[0]]]);
  assertEquals((await broadcastsOf(h, tokens.r3)).broadcasts.length, 1);
  assertEquals((await broadcastsOf(h, tokens.r1)).broadcasts.length, 5); // the default limit
  for (const query of ["?limit=0", "?limit=51", "?before=nope"]) {
    assertEquals((await h.api(tokens.r1, `/api/broadcasts${query}`)).status, 400, query);
  }
});

bothBackends(
  "departments are targets, sub-departments included; unknown ones are refused",
  async (h) => {
    await h.addUser("alice", "Company,Board");
    await h.addUser("dev", "Company,R&D");
    await h.addUser("web", "Company,R&D,Web");
    await h.addUser("design", "Company,R&Design");
    await h.addUser("sales", "Company,Sales");
    const tokens: Record<string, string> = {};
    for (const id of ["alice", "dev", "web", "design", "sales"]) tokens[id] = await h.login(id);
    const alice = await h.connect("alice", tokens.alice);
    alice.send({
      type: "broadcast",
      touser: { depts: ["Company,R&D"], member: ["sales"], title: "R&D; Sales" },
      title: "all hands",
      content: "at noon",
      cid: "d1",
    });
    await alice.next((f) => f.type === "ack" && f.cid === "d1");
    for (const id of ["dev", "web", "sales"]) {
      assertEquals((await broadcastsOf(h, tokens[id])).broadcasts.map((b: Frame) => b.title), [
        "all hands",
      ], id);
    }
    assertEquals((await broadcastsOf(h, tokens.design)).broadcasts, []);
    assertEquals((await broadcastsOf(h, tokens.alice)).broadcasts[0].recipients, 3);
    alice.send({
      type: "broadcast",
      touser: { depts: ["Company,Nowhere"] },
      content: "x",
      cid: "d2",
    });
    const error = await alice.next((f) => f.type === "error" && f.cid === "d2");
    assertEquals([error.info, error.msg], [
      "bad_request",
      'nobody is in department "Company,Nowhere"',
    ]);
  },
);

bothBackends("who may broadcast is configurable; bad recipients change nothing", async (h) => {
  await h.addUser("boss", "Company,Board");
  await h.addUser("payroll", "Company,HR,Payroll");
  await h.addUser("alice", "Company,R&D");
  await h.addUser("bob", "Company,R&D");
  const tokens: Record<string, string> = {};
  for (const id of ["boss", "payroll", "alice", "bob"]) tokens[id] = await h.login(id);
  const [boss, payroll, alice] = await Promise.all(
    ["boss", "payroll", "alice"].map((id) => h.connect(id, tokens[id])),
  );
  // `init` says who may, so a page offers the composer only to them.
  assertEquals([boss, payroll, alice].map((c) => c.init.mayBroadcast), [true, true, false]);
  const { producer } = h.server.backend;
  const seqBefore = await producer.lastSeq(BROADCAST_CHATID);
  const cases: [typeof alice, Frame, string, RegExp][] = [
    [alice, { touser: ["bob"] }, "bad_request", /touser/],
    [alice, { touser: { member: ["bob"] } }, "forbidden", /may not send broadcasts/],
    [boss, { touser: { member: [] } }, "bad_request", /at least one recipient/],
    [boss, { touser: "" }, "bad_request", /at least one recipient/],
    [
      boss,
      { touser: { member: ["bob", "zed", "yan"] } },
      "bad_request",
      /unknown recipients: zed, yan/,
    ],
    [boss, { touser: "bob-zed" }, "bad_request", /unknown recipient: zed/],
    [boss, { touser: { member: ["bob", "o'neil"] } }, "bad_request", /not an accountid/],
    [
      boss,
      { touser: { member: ["alice", "bob", "payroll", "boss"] } },
      "bad_request",
      /at most 3 people/,
    ],
    [
      boss,
      { touser: { member: ["bob"] }, content: " " },
      "bad_request",
      /content must not be empty/,
    ],
    [
      boss,
      { touser: { member: ["bob"] }, title: "t".repeat(201) },
      "bad_request",
      /title is longer/,
    ],
    [
      boss,
      { touser: { member: ["bob"], title: "l".repeat(501) } },
      "bad_request",
      /touser.title is longer/,
    ],
  ];
  for (const [client, frame, info, msg] of cases) {
    client.send({ type: "broadcast", content: "notice", cid: "c", ...frame });
    const error = await client.next((f) => f.type === "error");
    assertEquals([error.info, error.cid], [info, "c"], JSON.stringify(frame));
    assert(msg.test(error.msg), `${JSON.stringify(frame)}: ${error.msg}`);
  }
  assertEquals(await producer.lastSeq(BROADCAST_CHATID), seqBefore, "nothing was queued");
  assertEquals((await h.api(tokens.bob, "/api/unread")).body.broadcast, 0);
  // The listed account and the listed department's people may.
  for (const [client, cid] of [[boss, "ok1"], [payroll, "ok2"]] as const) {
    client.send({ type: "broadcast", touser: { member: ["bob"] }, content: "allowed", cid });
    await client.next((f) => f.type === "ack" && f.cid === cid);
  }
  assertEquals((await broadcastsOf(h, tokens.bob)).broadcasts.length, 2);
}, {
  configure: (config) => {
    config.broadcast.senders = ["boss"];
    config.broadcast.senderDepts = ["Company,HR"];
    config.broadcast.maxRecipients = 3;
  },
});

bothBackends("a broadcast to 10,000 recipients is acknowledged at once", async (h) => {
  const many = Array.from({ length: 10_000 }, (_, i) => `p${i}`);
  await h.addUsers(many, "Company,Everyone");
  await h.addUser("alice", "Company,Board");
  const token = await h.login("alice");
  const alice = await h.connect("alice", token);
  const started = performance.now();
  alice.send({
    type: "broadcast",
    touser: { depts: ["Company,Everyone"] },
    content: "to all",
    cid: "big",
  });
  await alice.next((f) => f.type === "ack" && f.cid === "big", 10_000);
  const ackMs = performance.now() - started;
  // Looking up 10,001 accounts and queueing them takes milliseconds, not seconds.
  assert(ackMs < 1500, `acknowledged after ${ackMs.toFixed(0)} ms`);
  const { inbox } = h.server.backend;
  await h.archived();
  for (const id of ["p0", "p5000", "p9999", "alice"]) {
    assertEquals(await inbox.broadcastUnread(id), id === "alice" ? 0 : 1, id);
  }
  assertEquals((await broadcastsOf(h, token)).broadcasts[0].recipients, 10_000);
});
