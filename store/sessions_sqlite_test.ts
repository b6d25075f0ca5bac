import { describeSessionContract } from "./sessions_contract.ts";
import { tokenKey } from "./sessions.ts";
import { SqliteLoginLimiter, SqliteSessionStore } from "./sessions_sqlite.ts";
import { openTempSqlite } from "./temp_db_sqlite.ts";

const nowSeconds = () => Math.floor(Date.now() / 1000);

describeSessionContract("Sqlite", async () => {
  const temp = await openTempSqlite();
  const { db } = temp;
  return {
    sessions: (ttlSeconds) => new SqliteSessionStore(db, ttlSeconds),
    limiter: (maxFailures, windowSeconds) => new SqliteLoginLimiter(db, maxFailures, windowSeconds),
    sessionKeys: () =>
      Promise.resolve(db.prepare("SELECT key FROM session").all().map((r) => String(r.key))),
    async sessionTtl(token) {
      const row = db.prepare("SELECT expires FROM session WHERE key = ?").get(
        await tokenKey(token),
      );
      return Number(row?.expires) - Date.now() / 1000;
    },
    async expireSession(token, seconds) {
      db.prepare("UPDATE session SET expires = ? WHERE key = ?")
        .run(nowSeconds() + seconds, await tokenKey(token));
    },
    windowEnd: (key) =>
      Promise.resolve(
        Number(db.prepare("SELECT expires FROM login_failure WHERE key = ?").get(key)?.expires),
      ),
    endWindow(key) {
      db.prepare("UPDATE login_failure SET expires = ? WHERE key = ?").run(nowSeconds(), key);
      return Promise.resolve();
    },
    failures: (key) =>
      Promise.resolve(
        Number(db.prepare("SELECT count FROM login_failure WHERE key = ?").get(key)?.count),
      ),
    close: temp.cleanup,
  };
});
