import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { tokenKey } from "./sessions.ts";
import { SqliteLoginLimiter, SqliteSessionStore } from "./sessions_sqlite.ts";
import { openTempSqlite } from "./temp_db_sqlite.ts";

Deno.test("SqliteSessionStore stores only the token's hash and slides the expiry", async () => {
  const temp = await openTempSqlite();
  try {
    const sessions = new SqliteSessionStore(temp.db, 3600);
    const token = await sessions.create("alice");
    assertEquals(await sessions.resolve(token), "alice");
    const rows = temp.db.prepare("SELECT key, expires FROM session").all();
    assertEquals(rows.map((r) => r.key), [await tokenKey(token)]);
    // Pretend the session is about to expire: a use extends it again.
    temp.db.prepare("UPDATE session SET expires = ?").run(Math.floor(Date.now() / 1000) + 5);
    assertEquals(await sessions.resolve(token), "alice");
    const expires = Number(temp.db.prepare("SELECT expires FROM session").get()?.expires);
    assert(expires > Date.now() / 1000 + 3000, "extended");
    // Expired: gone.
    temp.db.prepare("UPDATE session SET expires = ?").run(Math.floor(Date.now() / 1000) - 1);
    assertEquals(await sessions.resolve(token), null);
    const other = await sessions.create("bob");
    await sessions.destroy(other);
    assertEquals(await sessions.resolve(other), null);
    assertEquals(await sessions.resolve("short"), null);
    assertEquals(await sessions.resolve("'; DROP TABLE session; --xxxxxxxxxxxxxxx"), null);
  } finally {
    await temp.cleanup();
  }
});

Deno.test("SqliteLoginLimiter blocks after max failures within the window", async () => {
  const temp = await openTempSqlite();
  try {
    const limiter = new SqliteLoginLimiter(temp.db, 3, 300);
    const key = "alice|127.0.0.1";
    for (let i = 0; i < 2; i++) await limiter.fail(key);
    assertEquals(await limiter.blocked(key), false);
    await limiter.fail(key);
    assertEquals(await limiter.blocked(key), true);
    assertEquals(await limiter.blocked("bob|127.0.0.1"), false);
    // Later failures do not extend the window.
    const before = temp.db.prepare("SELECT expires FROM login_failure").get()?.expires;
    await limiter.fail(key);
    assertEquals(temp.db.prepare("SELECT expires FROM login_failure").get()?.expires, before);
    await limiter.reset(key);
    assertEquals(await limiter.blocked(key), false);
    // A passed window starts over at one.
    for (let i = 0; i < 3; i++) await limiter.fail(key);
    temp.db.prepare("UPDATE login_failure SET expires = ?").run(Math.floor(Date.now() / 1000));
    assertEquals(await limiter.blocked(key), false);
    await limiter.fail(key);
    assertEquals(temp.db.prepare("SELECT count FROM login_failure").get()?.count, 1);
  } finally {
    await temp.cleanup();
  }
});
