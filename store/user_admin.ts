/**
 * `chat user add|passwd`: account administration from the command line.
 *
 * @module
 */
import type { ResolvedConfig } from "../config/mod.ts";
import { openMysql } from "./mysql_pool.ts";
import { hashPassword } from "./password.ts";
import { openSqliteDb } from "./sqlite_db.ts";
import { ACCOUNT_ID, UserExistsError, type UserStore } from "./users.ts";
import { MysqlUserStore } from "./users_mysql.ts";
import { SqliteUserStore } from "./users_sqlite.ts";

/** Flags `chat user` understands. */
export interface UserFlags {
  name?: string;
  "dept-path"?: string;
  dept?: string;
  email?: string;
  tel?: string;
  mobile?: string;
  "password-stdin"?: boolean;
}

/** Runs `chat user <sub> ...`; returns the exit code. */
export async function userCommand(
  config: ResolvedConfig,
  args: string[],
  flags: UserFlags,
): Promise<number> {
  const [sub, accountid] = args;
  if (sub !== "add" && sub !== "passwd") {
    console.error(`chat user: unknown subcommand "${sub ?? ""}" (add, passwd)`);
    return 2;
  }
  if (!accountid || !ACCOUNT_ID.test(accountid)) {
    console.error("chat user: ACCOUNT must be 1-40 letters, digits, _ or .");
    return 2;
  }
  if (sub === "add" && !flags.name?.trim()) {
    console.error("chat user add: --name is required");
    return 2;
  }
  let password: string;
  let generated = false;
  if (flags["password-stdin"]) {
    password = await readLine();
    if (password === "") {
      console.error("chat user: the password read from standard input is empty");
      return 2;
    }
  } else {
    password = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
    generated = true;
  }
  const store = await openUsers(config);
  try {
    const users = store.users;
    const hash = await hashPassword(password);
    if (sub === "passwd") {
      if (!await users.setPassword(accountid, hash)) {
        console.error(`chat user passwd: no account "${accountid}"`);
        return 1;
      }
    } else {
      const path = (flags["dept-path"] ?? "").split(",").map((s) => s.trim()).filter(Boolean);
      await users.add({
        accountid,
        username: flags.name!.trim(),
        dept: flags.dept ?? path.at(-1) ?? "",
        deptDetail: path.join(","),
        email: flags.email ?? "",
        tel: flags.tel ?? "",
        mobile: flags.mobile ?? "",
      }, hash);
    }
    console.log(`${sub === "add" ? "added" : "password changed for"} ${accountid}`);
    if (generated) console.log(`password: ${password}`);
    return 0;
  } catch (error) {
    if (error instanceof UserExistsError) {
      console.error(`chat user add: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await store.close();
  }
}

/** MySQL's `webchat_user` when configured, else the embedded database's (created if new). */
async function openUsers(
  config: ResolvedConfig,
): Promise<{ users: UserStore; close(): Promise<void> }> {
  if (!config.mysqlUrl) {
    const sqlite = openSqliteDb(config.dataDir);
    return { users: new SqliteUserStore(sqlite.db), close: () => Promise.resolve(sqlite.close()) };
  }
  const pool = await openMysql(config.mysqlUrl);
  try {
    const users = new MysqlUserStore(pool);
    await users.ensureSchema();
    return { users, close: () => pool.end() };
  } catch (error) {
    await pool.end();
    throw error;
  }
}

async function readLine(): Promise<string> {
  const text = await new Response(Deno.stdin.readable).text();
  return text.split(/\r?\n/)[0];
}
