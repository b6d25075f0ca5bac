import { describeSessionContract } from "./sessions_contract.ts";
import { tokenKey } from "./sessions.ts";
import { SqliteLoginLimiter, SqliteSessionStore } from "./sessions_sqlite.ts";
import { openTempSqlite } from "./temp_db_sqlite.ts";

const nowSeconds = () => Math.floor(Date.now() / 1000);

describeSessionContract("Sqlite", async () => {
  const temp = await openTempSqlite();
  const { db } = temp;
  const row = (key: string) =>
    db.prepare("SELECT count, expires FROM login_failure WHERE key = ?").get(key);
  return {
    sessions: (ttlSeconds) => new SqliteSessionStore(db, ttlSeconds),
    limiter: (limits) => new SqliteLoginLimiter(db, limits),
    endings: () => null,
    sessionKeys: () =>
      Promise.resolve(db.prepare("SELECT key FROM session").all().map((r) => String(r.key))),
    async sessionTtl(token) {
      const found = db.prepare("SELECT expires FROM session WHERE key = ?").get(
        await tokenKey(token),
      );
      return Number(found?.expires) - Date.now() / 1000;
    },
    async expireSession(token, seconds) {
      db.prepare("UPDATE session SET expires = ? WHERE key = ?")
        .run(nowSeconds() + seconds, await tokenKey(token));
    },
    windowEnd: (key) => Promise.resolve(Number(row(key)?.expires)),
    endWindow(key) {
      db.prepare("UPDATE login_failure SET expires = ? WHERE key = ?").run(nowSeconds(), key);
      return Promise.resolve();
    },
    failures: (key) => Promise.resolve(Number(row(key)?.count ?? 0)),
    close: temp.cleanup,
  };
});
