/**
 * Bad input over the real wire: each gets its error frame or status, the connection stays
 * usable where the protocol says so, and nothing reaches Redis or MySQL.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { RowDataPacket } from "mysql2/promise";
import { type Frame, openWs } from "./support/ws_client.ts";
import { eventually, startTestServer, type TestServer } from "./support/chat_server.ts";

/** Keys that would show a message got anywhere: seq counters, cid records, queue items. */
async function traces(t: TestServer): Promise<string[]> {
  const found: string[] = [];
  for await (const keys of t.stores.redis.scanIterator({ MATCH: `${t.stores.prefix}*` })) {
    for (const key of keys) {
      const name = key.slice(t.stores.prefix.length);
      // Infrastructure, not traces of a message: sessions, presence, login counters, the
      // worker's and the node's leases and the profile cache.
      if (
        /^(session:|sessions:|presence:|login:fail:|chat:msg-list:lease:|node:lease:|user:)/.test(
          name,
        )
      ) {
        continue;
      }
      if (/:unread:msgnum$/.test(name) && await t.stores.redis.hLen(key) === 0) continue;
      found.push(name);
    }
  }
  const [tables] = await t.stores.pool.query<RowDataPacket[]>(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES
     WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE 'webchat\\_message%'`,
    [t.stores.database],
  );
  for (const { name } of tables) {
    const [[row]] = await t.stores.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${name}`);
    if (row.n > 0) found.push(`${name}: ${row.n} rows`);
  }
  return found.sort();
}

async function withAliceAndBob(
  fn: (t: TestServer, tokens: Record<string, string>) => Promise<void>,
) {
  const t = await startTestServer();
  try {
    await t.addUser("alice");
    await t.addUser("bob");
    await t.addUser("carol");
    await t.addUser("dave");
    const tokens = { alice: await t.login("alice"), bob: await t.login("bob") };
    await fn(t, tokens);
  } finally {
    await t.close();
  }
}

const isError = (info: string, cid?: string) => (f: Frame) =>
  f.type === "error" && f.info === info && (cid === undefined || f.cid === cid);

Deno.test("bad frames get error frames, keep the connection, and leave no trace", async () => {
  await withAliceAndBob(async (t, tokens) => {
    const ws = await openWs(t.url, tokens.alice);
    // say before login
    ws.send({ type: "say", chatid: "alice--bob", content: "too early", cid: "early" });
    await ws.next(isError("unauthorized", "early"));
    ws.send({ type: "read", chatid: "alice--bob" });
    await ws.next(isError("unauthorized"));
    ws.send({ type: "login", clientName: "alice" });
    await ws.next((f) => f.type === "init");

    const cases: [unknown, string, string?][] = [
      ["{not json", "bad_request"],
      ["[]", "bad_request"],
      [{ type: "fly" }, "bad_request"],
      [{ chatid: "alice--bob" }, "bad_request"],
      [{ type: "say", content: "no chat", cid: "k1" }, "bad_request", "k1"],
      [{ type: "say", chatid: "alice--bob", cid: "k2" }, "bad_request", "k2"],
      [{ type: "say", chatid: 7, content: "x", cid: "k3" }, "bad_request", "k3"],
      [{ type: "say", chatid: "alice--bob", content: { a: 1 }, cid: "k4" }, "bad_request", "k4"],
      [
        { type: "say", chatid: "alice--bob", content: "x", msgType: 3, cid: "k5" },
        "bad_request",
        "k5",
      ],
      [{ type: "say", chatid: "alice--bob", content: "", cid: "k6" }, "bad_request", "k6"],
      [{ type: "say", chatid: "alice--bob", content: " \n\t ", cid: "k7" }, "bad_request", "k7"],
      [
        { type: "say", chatid: "alice--bob", content: "x".repeat(5001), cid: "k8" },
        "bad_request",
        "k8",
      ],
      [{ type: "say", chatid: "bob--alice", content: "unsorted", cid: "k9" }, "bad_request", "k9"],
      [{ type: "say", chatid: "alice--zed", content: "nobody", cid: "k10" }, "bad_request", "k10"],
      [{ type: "say", chatid: "carol--dave", content: "not mine", cid: "k11" }, "forbidden", "k11"],
      [{ type: "say", chatid: "alice-123", content: "no group", cid: "k12" }, "forbidden", "k12"],
      [{ type: "say", chatid: "alice'--bob", content: "quote", cid: "k13" }, "bad_request", "k13"],
      [
        { type: "say", chatid: "../../etc--passwd", content: "dots", cid: "k14" },
        "bad_request",
        "k14",
      ],
      [
        { type: "say", chatid: "alice--bob", content: "x", msgType: "image", cid: "k15" },
        "bad_request",
        "k15",
      ],
      [
        { type: "say", chatid: "alice--bob", content: "\ud800 lone", cid: "k16" },
        "bad_request",
        "k16",
      ],
      [{ type: "read", chatid: "carol--dave" }, "forbidden"],
      [{ type: "read", chatid: "a'--b" }, "bad_request"],
      [{ type: "login", clientName: "alice" }, "conflict"],
    ];
    for (const [frame, info, cid] of cases) {
      if (typeof frame === "string") ws.sendText(frame);
      else ws.send(frame);
      await ws.next(isError(info, cid));
    }
    // A slightly-too-long message in characters is refused, exactly 5000 (emoji count as one
    // character each) is accepted: the limit counts characters, not bytes or UTF-16 units.
    ws.send({ type: "say", chatid: "alice--bob", content: "😀".repeat(5000), cid: "max" });
    await ws.next((f) => f.type === "ack" && f.cid === "max");

    // The connection is still open and answers a ping.
    ws.send({ type: "ping" });
    await ws.next((f) => f.type === "pong");
    await ws.close();
    // Only the one valid message left traces: one archived row, one cid record, seq 1.
    const left = await eventually(async () => {
      const found = await traces(t);
      return found.some((x) => x.startsWith("webchat_message")) ? found : null;
    });
    assertEquals(left.filter((x) => x.startsWith("webchat_message")).map((x) => x.split(": ")[1]), [
      "1 rows",
    ]);
    assertEquals(left.filter((x) => x.startsWith("cid:")), ["cid:alice:max"]);
    assertEquals(await t.stores.redis.get(`${t.stores.prefix}alice--bob:seq`), "1");
  });
});

Deno.test("nothing of a refused frame is stored: full trace check", async () => {
  await withAliceAndBob(async (t, tokens) => {
    const ws = await t.connect("alice", tokens.alice);
    for (
      const frame of [
        { type: "say", chatid: "alice--zed", content: "x", cid: "a" },
        { type: "say", chatid: "carol--dave", content: "x", cid: "b" },
        { type: "say", chatid: "alice--bob", content: "", cid: "c" },
        { type: "say", chatid: "alice--bob", content: "y".repeat(6000), cid: "d" },
      ]
    ) {
      ws.send(frame);
      await ws.next(isError(frame.cid === "b" ? "forbidden" : "bad_request", frame.cid));
    }
    assertEquals(await traces(t), []);
  });
});

Deno.test("a 1 MB frame closes the connection with 1009 and stores nothing", async () => {
  await withAliceAndBob(async (t, tokens) => {
    const ws = await t.connect("alice", tokens.alice);
    ws.send({ type: "say", chatid: "alice--bob", content: "z".repeat(1 << 20), cid: "big" });
    assertEquals((await ws.closed).code, 1009);
    assertEquals(await traces(t), []);
  });
});

Deno.test("login as somebody else is refused with 4403", async () => {
  await withAliceAndBob(async (t, tokens) => {
    const ws = await openWs(t.url, tokens.alice);
    ws.send({ type: "login", clientName: "bob" });
    await ws.next(isError("forbidden"));
    assertEquals((await ws.closed).code, 4403);
  });
});

Deno.test("the same cid twice: one message, two acks with the same mid and seq", async () => {
  await withAliceAndBob(async (t, tokens) => {
    const alice = await t.connect("alice", tokens.alice);
    const bob = await t.connect("bob", tokens.bob);
    for (let i = 0; i < 2; i++) {
      alice.send({ type: "say", chatid: "alice--bob", content: "once", cid: "same" });
    }
    const first = await alice.next((f) => f.type === "ack" && f.cid === "same");
    const second = await alice.next((f) => f.type === "ack" && f.cid === "same");
    assertEquals([second.mid, second.seq], [first.mid, first.seq]);
    await bob.next((f) => f.type === "say" && f.cid === "same");
    const page = await eventually(async () => {
      const { body } = await t.api(tokens.bob, "/api/chats/alice--bob/messages");
      return body!.messages.length > 0 ? body : null;
    });
    assertEquals(page.messages.length, 1);
    await new Promise((r) => setTimeout(r, 200));
    assertEquals(bob.frames.filter((f) => f.type === "say").length, 1);
  });
});

Deno.test("SQL and HTML in every text field are stored and returned verbatim", async () => {
  await withAliceAndBob(async (t, tokens) => {
    const alice = await t.connect("alice", tokens.alice);
    const nasty = [
      "'; DROP TABLE webchat_user; --",
      '<script>alert("x")</script><img src=x onerror=alert(1)>',
      "\\'\\\"%_\\\\ \u0000 null byte",
      "emoji 😀 and 中文 and RTL \u202e",
    ];
    for (const [i, content] of nasty.entries()) {
      alice.send({ type: "say", chatid: "alice--bob", content, cid: `<b>${i}</b>' OR 1=1 --` });
      const ack = await alice.next((f) => f.type === "ack" && f.cid === `<b>${i}</b>' OR 1=1 --`);
      assertEquals(ack.seq, i + 1);
    }
    const page = await eventually(
      async () => {
        const { body } = await t.api(tokens.bob, "/api/chats/alice--bob/messages?q=DROP%20TABLE");
        return body!.messages.length === 1 ? body : null;
      },
      10_000,
      "search hit",
    );
    assertEquals(page.messages[0].message, nasty[0]);
    const all = await t.api(tokens.bob, "/api/chats/alice--bob/messages?before=100");
    assertEquals(all.body!.messages.map((m: Frame) => m.message), nasty);
    assertEquals(all.body!.messages[1].cid, "<b>1</b>' OR 1=1 --");
    // The users table is intact.
    const [[row]] = await t.stores.pool.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM webchat_user",
    );
    assertEquals(row.n, 4);
  });
});

Deno.test("wrong passwords are refused alike, then rate limited", async () => {
  await withAliceAndBob(async (t) => {
    const attempt = (accountid: unknown, password: unknown) =>
      t.api(null, "/api/login", { method: "POST", body: JSON.stringify({ accountid, password }) });
    const wrong = await attempt("alice", "nope");
    const unknown = await attempt("zed", "nope");
    assertEquals([wrong.status, wrong.body!.error.code], [401, "bad_credentials"]);
    assertEquals(unknown.body, wrong.body);
    assertEquals((await attempt("alice'; --", "x")).status, 401);
    // Another spelling of the account logs in as the account itself.
    const shouted = await attempt("BOB", "pw-bob");
    assertEquals([shouted.status, shouted.body!.user.accountid], [200, "bob"]);
    const me = await t.api(shouted.body!.token, "/api/me");
    assertEquals(me.body!.user.accountid, "bob");
    assertEquals((await attempt(42, "x")).status, 400);
    assertEquals(
      (await t.api(null, "/api/login", { method: "POST", body: "not json" })).status,
      400,
    );
    const huge = await t.api(null, "/api/login", {
      method: "POST",
      body: JSON.stringify({ accountid: "alice", password: "p".repeat(1 << 20) }),
    });
    assertEquals([huge.status, huge.body!.error.code], [413, "too_large"]);
    await attempt("alice", "nope");
    await attempt("alice", "nope");
    const limited = await attempt("alice", "pw-alice");
    assertEquals([limited.status, limited.body!.error.code], [429, "rate_limited"]);
  });
});

Deno.test("every route and the upgrade need a session", async () => {
  await withAliceAndBob(async (t) => {
    for (
      const [method, path] of [
        ["GET", "/api/me"],
        ["POST", "/api/logout"],
        ["GET", "/api/users"],
        ["GET", "/api/users/alice"],
        ["GET", "/api/online"],
        ["GET", "/api/contacts"],
        ["GET", "/api/unread"],
        ["GET", "/api/queue/status"],
        ["GET", "/api/chats/alice--bob/messages"],
        ["POST", "/api/chats/alice--bob/read"],
        ["DELETE", "/api/contacts/alice--bob"],
        ["GET", "/ws"],
      ]
    ) {
      const response = await t.api("not-a-real-token-000000000000", path, { method });
      assertEquals(response.status, 401, `${method} ${path}`);
      assertEquals(response.body!.error.code, "unauthorized");
      assertEquals((await t.api(null, path, { method })).status, 401, `${method} ${path}`);
    }
    const ws = new WebSocket(t.url.replace("http", "ws") + "/ws");
    const failed = await new Promise((resolve) => {
      ws.onerror = () => resolve(true);
      ws.onopen = () => resolve(false);
    });
    assert(failed, "upgrade without a session succeeded");
    await new Promise((r) => ws.readyState === WebSocket.CLOSED ? r(0) : (ws.onclose = r));
  });
});

Deno.test("logout ends the session for cookie and token alike", async () => {
  await withAliceAndBob(async (t, tokens) => {
    assertEquals((await t.api(tokens.alice, "/api/me")).status, 200);
    assertEquals((await t.api(tokens.alice, "/api/logout", { method: "POST" })).status, 204);
    assertEquals((await t.api(tokens.alice, "/api/me")).status, 401);
    const cookie = `chat_session=${tokens.alice}`;
    assertEquals((await t.api(null, "/api/me", { headers: { cookie } })).status, 401);
  });
});

Deno.test("cross-origin upgrades and state changes are refused with 403", async () => {
  await withAliceAndBob(async (t, tokens) => {
    const evil = { origin: "http://evil.example" };
    const upgrade = await fetch(t.url + "/ws", {
      headers: { ...evil, authorization: `Bearer ${tokens.alice}`, upgrade: "websocket" },
    });
    assertEquals(upgrade.status, 403);
    await upgrade.body?.cancel();
    const read = await t.api(tokens.alice, "/api/chats/alice--bob/read", {
      method: "POST",
      headers: evil,
    });
    assertEquals(read.status, 403);
    const login = await t.api(null, "/api/login", {
      method: "POST",
      headers: evil,
      body: JSON.stringify({ accountid: "alice", password: "pw-alice" }),
    });
    assertEquals(login.status, 403);
    // The server's own origin is fine.
    const own = await t.api(tokens.alice, "/api/chats/alice--bob/read", {
      method: "POST",
      headers: { origin: t.url },
    });
    assertEquals(own.status, 204);
  });
});

Deno.test("HTTP chat ids with quotes, ../ or other people's chats are refused", async () => {
  await withAliceAndBob(async (t, tokens) => {
    for (
      const [path, status] of [
        ["/api/chats/alice'--bob/messages", 400],
        ["/api/chats/..%2F..%2Fetc--passwd/messages", 400],
        ["/api/chats/bob--alice/messages", 400],
        ["/api/chats/carol--dave/messages", 403],
        ["/api/chats/alice--bob/messages?limit=0", 400],
        ["/api/chats/alice--bob/messages?limit=abc", 400],
        ["/api/chats/alice--bob/messages?before=-1", 400],
        ["/api/chats/alice--bob/messages?type=video", 400],
        ["/api/chats/alice--bob/messages?since=1'%20OR%201=1", 400],
        ["/api/users/al'ice", 400],
        ["/api/users/nobody", 404],
      ] as const
    ) {
      const { status: got, body } = await t.api(tokens.alice, path);
      assertEquals(got, status, path);
      assert(typeof body?.error?.message === "string", `${path}: no error message`);
    }
    assertEquals(await traces(t), []);
  });
});
