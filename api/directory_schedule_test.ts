import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { defaultDirectory } from "../config/directory_config.ts";
import type { Directory, DirectoryPeople } from "../store/directory.ts";
import { DirectoryUnavailableError } from "../store/directory.ts";
import { SqliteSessionStore } from "../store/sessions_sqlite.ts";
import { openTempSqlite } from "../store/temp_db_sqlite.ts";
import { SqliteUserStore } from "../store/users_sqlite.ts";
import { FakeTime } from "../tests/support/fake_time.ts";
import { testUser } from "../tests/support/fixtures.ts";
import { scheduleDirectorySync } from "./directory_schedule.ts";

/** A directory whose answers the test sets (the LDAP one is tested against slapd). */
class ScriptedDirectory implements Directory {
  answers: (DirectoryPeople | Error)[] = [];
  calls = 0;
  login(): Promise<never> {
    throw new Error("not used");
  }
  people(): Promise<DirectoryPeople> {
    this.calls++;
    const next = this.answers.shift() ?? { people: [], skipped: [] };
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  }
}

Deno.test("the server syncs every directory.syncHours; a failure is logged, counted, retried", async () => {
  const db = await openTempSqlite();
  using time = new FakeTime();
  const users = new SqliteUserStore(db.db);
  const directory = new ScriptedDirectory();
  const person = (id: string) => ({ dn: `uid=${id},dc=x`, user: testUser(id) });
  directory.answers = [
    new DirectoryUnavailableError("connect", "refused"),
    { people: [person("ann"), person("ben")], skipped: [] },
  ];
  const logs: string[] = [];
  const errors: string[] = [];
  let rechecks = 0;
  const stop = scheduleDirectorySync({
    settings: { ...defaultDirectory(), url: "ldap://x", syncHours: 2 },
    directory,
    users,
    sessions: new SqliteSessionStore(db.db, 3600),
    log: (line) => logs.push(line),
    recheckSessions: () => Promise.resolve(void rechecks++),
    onError: (error) => errors.push(error.during),
  });
  try {
    await time.tick(2 * 3600_000 - 1);
    assertEquals(directory.calls, 0);
    await time.tick(1);
    assertEquals([directory.calls, errors], [1, ["connect"]]);
    assertEquals(
      logs.at(-1),
      "directory sync failed: the directory is unavailable (connect): refused",
    );
    await time.tick(2 * 3600_000);
    assertEquals(directory.calls, 2);
    assertEquals((await users.directoryAccounts()).map((a) => a.accountid), ["ann", "ben"]);
    assertEquals(
      logs.at(-1)?.startsWith("directory sync: 2 people; created 2"),
      true,
      String(logs.at(-1)),
    );
    assertEquals(rechecks, 0, "no session ended, nothing to recheck");
  } finally {
    await stop();
    db.close();
  }
  await time.tick(10 * 3600_000);
  assertEquals(directory.calls, 2, "stopped");
});
