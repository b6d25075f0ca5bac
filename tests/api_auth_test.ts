/**
 * In-process tier, authentication: `/api/login`, `/api/logout`, `/api/me`, the session on every
 * route, the login rate limit and the session lifetime (on fake time), and the Origin check,
 * through `app.request()` over the embedded backend.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { APP_ORIGIN, APP_PASSWORD, openAppHarness } from "./support/app_harness.ts";
import { FakeTime } from "./support/fake_time.ts";

const login = (accountid: unknown, password: unknown) => ({
  method: "POST",
  json: { accountid, password },
});

Deno.test("login: 200 with the user, a token and an HttpOnly cookie that both work", async () => {
  const h = await openAppHarness();
  try {
    await h.addUser("alice");
    const ok = await h.request("/api/login", login("alice", APP_PASSWORD));
    assertEquals(ok.status, 200);
    assertEquals(ok.body!.user, {
      accountid: "alice",
      username: "ALICE",
      dept: "R&D",
      deptDetail: "Company,R&D",
      email: "alice@example.com",
      tel: "",
      mobile: "",
    });
    const token = ok.body!.token as string;
    assert(/^[A-Za-z0-9_-]{40,}$/.test(token), token);
    const cookie = ok.headers.get("set-cookie")!;
    assert(cookie.startsWith(`chat_session=${token};`), cookie);
    for (const part of ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"]) {
      assert(cookie.includes(part), `${part} missing: ${cookie}`);
    }
    assert(!cookie.includes("Secure"), "no Secure cookie over http");
    assertEquals((await h.request("/api/me", { token })).body, { user: ok.body!.user });
    const byCookie = await h.request("/api/me", { headers: { cookie: `chat_session=${token}` } });
    assertEquals(byCookie.status, 200);
    // The query-string token is for WebSocket clients only.
    assertEquals((await h.request(`/api/me?token=${token}`)).status, 401);
    // Another spelling of the account logs in as the stored one.
    const upper = await h.request("/api/login", login("ALICE", APP_PASSWORD));
    assertEquals(upper.body!.user.accountid, "alice");
  } finally {
    await h.close();
  }
});

Deno.test("login: 400 for a bad body, 401 bad_credentials alike for every wrong pair, 413 when big", async () => {
  const h = await openAppHarness();
  try {
    await h.addUser("alice");
    const badBody = {
      error: { code: "bad_request", message: `body must be {"accountid":"...","password":"..."}` },
    };
    for (
      const body of ["{", "[]", "null", `{"accountid":"alice"}`, `{"accountid":1,"password":"x"}`]
    ) {
      const answer = await h.request("/api/login", { method: "POST", body });
      assertEquals([answer.status, answer.body], [400, badBody], body);
    }
    const wrong = {
      error: { code: "bad_credentials", message: "wrong account or password" },
    };
    for (
      const [accountid, password] of [["alice", "nope"], ["nobody", APP_PASSWORD], ["al-ice", "x"]]
    ) {
      const answer = await h.request("/api/login", login(accountid, password));
      assertEquals([answer.status, answer.body], [401, wrong], accountid);
      assertEquals(answer.headers.get("set-cookie"), null);
    }
    const big = await h.request("/api/login", login("alice", "x".repeat(64 * 1024)));
    assertEquals(big.status, 413);
    assertEquals(big.body!.error.code, "too_large");
  } finally {
    await h.close();
  }
});

Deno.test("login: 429 with Retry-After after maxFailures, per address; the window passes (fake time)", async () => {
  using time = new FakeTime();
  const h = await openAppHarness((c) => {
    c.login.maxFailures = 2;
    c.login.windowSeconds = 300;
  });
  try {
    await h.addUser("alice");
    // A success resets the count.
    assertEquals((await h.request("/api/login", login("alice", "nope"))).status, 401);
    assertEquals((await h.request("/api/login", login("alice", APP_PASSWORD))).status, 200);
    for (let i = 0; i < 2; i++) {
      assertEquals((await h.request("/api/login", login("alice", "nope"))).status, 401);
    }
    const blocked = await h.request("/api/login", login("alice", APP_PASSWORD));
    assertEquals(blocked.status, 429);
    assertEquals(blocked.body!.error.code, "rate_limited");
    assertEquals(blocked.headers.get("retry-after"), "300");
    assertEquals(blocked.headers.get("set-cookie"), null, "no session while blocked");
    const elsewhere = await h.request("/api/login", {
      ...login("alice", APP_PASSWORD),
      address: "10.0.0.9",
    });
    assertEquals(elsewhere.status, 200, "the count is per account and address");

    await time.tick(299_000);
    assertEquals((await h.request("/api/login", login("alice", APP_PASSWORD))).status, 429);
    await time.tick(1_000);
    assertEquals((await h.request("/api/login", login("alice", APP_PASSWORD))).status, 200);
  } finally {
    await h.close();
  }
});

Deno.test("sessions slide with use and end after ttlSeconds unused (fake time)", async () => {
  using time = new FakeTime();
  const h = await openAppHarness((c) => c.session.ttlSeconds = 3600);
  try {
    await h.addUser("alice");
    const token = await h.session("alice");
    await time.tick(3_599_000);
    assertEquals((await h.request("/api/me", { token })).status, 200);
    await time.tick(3_599_000);
    assertEquals((await h.request("/api/me", { token })).status, 200, "each use extends it");
    await time.tick(3_600_000);
    const expired = await h.request("/api/me", { token });
    assertEquals(expired.body, {
      error: { code: "unauthorized", message: "session expired or unknown" },
    });
    assertEquals(expired.status, 401);
  } finally {
    await h.close();
  }
});

Deno.test("logout ends the session for token and cookie; /api/me answers 404 for a removed account", async () => {
  const h = await openAppHarness();
  try {
    await h.addUser("alice");
    const token = await h.session("alice");
    const out = await h.request("/api/logout", { method: "POST", token });
    assertEquals([out.status, out.body], [204, null]);
    assert(
      /^chat_session=;.*Max-Age=0/.test(out.headers.get("set-cookie") ?? ""),
      "cookie cleared",
    );
    assertEquals((await h.request("/api/me", { token })).status, 401);
    assertEquals((await h.request("/api/logout", { method: "POST", token })).status, 401);
    const cookie = { cookie: `chat_session=${token}` };
    assertEquals((await h.request("/api/me", { headers: cookie })).status, 401);
    // A session whose account is gone (removed from the directory by hand).
    const ghost = await h.session("ghost");
    const me = await h.request("/api/me", { token: ghost });
    assertEquals([me.status, me.body!.error.code], [404, "not_found"]);
  } finally {
    await h.close();
  }
});

/** Every route that needs a session (`POST /api/login` and `/healthz` do not). */
const PROTECTED: [string, string][] = [
  ["POST", "/api/logout"],
  ["GET", "/api/me"],
  ["GET", "/api/users"],
  ["GET", "/api/users/alice"],
  ["GET", "/api/online"],
  ["GET", "/api/contacts"],
  ["DELETE", "/api/contacts/alice--bob"],
  ["GET", "/api/unread"],
  ["POST", "/api/chats/alice--bob/read"],
  ["GET", "/api/chats/alice--bob/messages"],
  ["GET", "/api/queue/status"],
  ["GET", "/api/groups/alice-1"],
  ["GET", "/api/broadcasts"],
  ["GET", "/api/broadcasts/0123456789abcdef01234567"],
  ["POST", "/api/broadcasts/read"],
  ["GET", "/ws"],
  // Who is not logged in learns nothing, not even which routes exist or which inputs are bad.
  ["GET", "/api/chats/not-a-chat!/messages?limit=0"],
  ["GET", "/api/broadcasts?before=nope"],
  ["GET", "/api/no-such-route"],
];

Deno.test("every route but login and healthz answers 401 unauthorized without a live session", async () => {
  const h = await openAppHarness();
  try {
    await h.addUser("alice");
    const ended = await h.session("alice");
    await h.backend.sessions.destroy(ended);
    for (const [method, path] of PROTECTED) {
      for (const token of [undefined, "x".repeat(43), ended]) {
        const answer = await h.request(path, { method, token });
        assertEquals(answer.status, 401, `${method} ${path} with ${token?.slice(0, 8)}`);
        assertEquals(answer.body!.error.code, "unauthorized", `${method} ${path}`);
        assertEquals(typeof answer.body!.error.message, "string");
      }
    }
  } finally {
    await h.close();
  }
});

Deno.test("Origin: a foreign page cannot change state or open /ws (403, nothing changed)", async () => {
  const h = await openAppHarness((c) => c.allowedOrigins = ["https://chat.example.com"]);
  try {
    await h.addUser("alice");
    await h.addUser("bob");
    const token = await h.session("alice");
    await h.say("alice--bob", "bob", "hello");
    await h.backend.inbox.deliver("alice--bob", ["alice"], [], "{}");
    const evil = { origin: "https://evil.example" };
    const attempts: [string, string][] = [
      ["POST", "/api/login"],
      ["POST", "/api/logout"],
      ["DELETE", "/api/contacts/alice--bob"],
      ["POST", "/api/chats/alice--bob/read"],
    ];
    for (const [method, path] of attempts) {
      const answer = await h.request(path, { method, token, headers: evil });
      assertEquals(answer.status, 403, `${method} ${path}`);
      assertEquals(answer.body, {
        error: { code: "forbidden", message: "origin https://evil.example is not allowed" },
      });
    }
    const upgrade = { ...evil, upgrade: "websocket", connection: "Upgrade" };
    assertEquals((await h.request("/ws", { token, headers: upgrade })).status, 403);
    // Nothing changed: still logged in, the contact and the unread count are still there.
    assertEquals((await h.request("/api/me", { token })).status, 200);
    const contacts = await h.request("/api/contacts", { token, headers: evil });
    assertEquals(contacts.body!.contacts.map((c: { chatid: string }) => c.chatid), ["alice--bob"]);
    assertEquals((await h.request("/api/unread", { token })).body!.unread, { "alice--bob": 1 });
    // The server's own origin and a configured one may.
    for (const origin of [APP_ORIGIN, "https://chat.example.com"]) {
      const read = await h.request("/api/chats/alice--bob/read", {
        method: "POST",
        token,
        headers: { origin },
      });
      assertEquals(read.status, 204, origin);
    }
  } finally {
    await h.close();
  }
});
