/**
 * In-process tier, operations and the error mapping: `/api/queue/status`, `/healthz`, unknown
 * routes, and how `app.onError` turns store failures and bugs into answers, through
 * `app.request()` over the embedded backend.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { openAppHarness } from "./support/app_harness.ts";
import { FakeTime } from "./support/fake_time.ts";

Deno.test("queue status: counts and the worker's heartbeat, which goes stale after 30 s (fake time)", async () => {
  using time = new FakeTime();
  const h = await openAppHarness();
  try {
    await h.addUser("alice");
    const token = await h.session("alice");
    const status = async () => {
      const answer = await h.request("/api/queue/status", { token });
      assertEquals(answer.status, 200);
      return answer.body!;
    };
    const idle = await status();
    assertEquals(
      [idle.alive, idle.lastBeat, idle.processedTotal, idle.processedToday],
      [false, 0, 0, 0],
    );
    assertEquals([idle.pending, idle.inFlight, idle.parked, idle.archive], [0, 0, 0, "ok"]);

    await h.backend.workerStatus.beat(
      "w1",
      { processed: 7, lastProgress: 0, state: "running" },
      new Date(time.now),
    );
    const beating = await status();
    assertEquals(
      [beating.alive, beating.lastBeat, beating.processedTotal],
      [true, Math.floor(time.now / 1000), 7],
    );
    await time.tick(15_000);
    assertEquals((await status()).alive, true);
    await time.tick(1_000);
    assertEquals((await status()).alive, false, "no heartbeat for 16 s");
    assertEquals((await status()).worker, "not running");

    await h.say("alice--alice", "alice", "a note to self");
    assertEquals((await status()).pending, 1, "queued, no worker took it");
  } finally {
    await h.close();
  }
});

Deno.test("healthz: 200 without a session while the store answers, 503 naming it when it does not", async () => {
  const h = await openAppHarness();
  try {
    const up = await h.request("/healthz");
    assertEquals(up.status, 200);
    assertEquals([up.body!.ok, up.body!.stores.sqlite], [true, "ok"]);
    await h.backend.close();
    const down = await h.request("/healthz");
    assertEquals(down.status, 503);
    assertEquals([down.body!.ok, down.body!.stores.sqlite], [false, "down: closed"]);
    assertEquals(down.body!.error, { code: "unavailable", message: "sqlite: down: closed" });
  } finally {
    await h.close();
  }
});

Deno.test("unknown routes: 404 not_found naming the route, for whoever has a session", async () => {
  const h = await openAppHarness();
  try {
    await h.addUser("alice");
    const token = await h.session("alice");
    for (
      const [method, path] of [
        ["GET", "/api/no-such-route"],
        ["POST", "/api/users/alice/extra"],
        ["PUT", "/api/login"],
        ["GET", "/no-such-page"],
        ["GET", "/web/..%2Fmain.ts"],
      ]
    ) {
      const answer = await h.request(path, { method, token });
      assertEquals([answer.status, answer.body], [
        404,
        { error: { code: "not_found", message: `no route ${method} ${path}` } },
      ]);
      assertEquals(answer.headers.get("x-content-type-options"), "nosniff");
      assertEquals(answer.headers.get("content-type"), "application/json");
    }
  } finally {
    await h.close();
  }
});

Deno.test("a store that is down answers 503 unavailable; a bug answers 500 and one log line", async () => {
  const h = await openAppHarness();
  try {
    await h.addUser("alice");
    const token = await h.session("alice");
    const users = h.backend.users;
    users.list = () =>
      Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
    const down = await h.request("/api/users", { token });
    assertEquals([down.status, down.body], [
      503,
      { error: { code: "unavailable", message: "a store is unavailable; retry later" } },
    ]);

    users.list = () => Promise.reject(new TypeError("boom: a bug"));
    const before = h.logs.length;
    const bug = await h.request("/api/users", { token });
    assertEquals([bug.status, bug.body], [
      500,
      { error: { code: "internal", message: "internal server error" } },
    ]);
    const logged = h.logs.slice(before);
    assertEquals(logged.length, 1, logged.join("\n"));
    assert(/GET \/api\/users: unexpected error: TypeError: boom: a bug/.test(logged[0]), logged[0]);

    // The session lookup itself failing is 503, not 401: the client should retry, not log in.
    h.backend.sessions.resolve = () => Promise.reject(new Error("database is locked"));
    const noSessions = await h.request("/api/me", { token });
    assertEquals([noSessions.status, noSessions.body], [
      503,
      { error: { code: "unavailable", message: "sessions are unavailable; retry later" } },
    ]);
  } finally {
    await h.close();
  }
});
