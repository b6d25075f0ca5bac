/**
 * webChat's accounts for the run: inserted straight into MySQL with one precomputed scrypt
 * hash of cheaper parameters (N=1024 instead of 16384: stored hashes carry their own
 * parameters, and 2,000 logins at the default cost would take minutes on 2 cores), then
 * logged in over HTTP for their tokens. Login speed is not what is measured here.
 *
 * @module
 */
import { scrypt } from "node:crypto";
import { receiverId, senderId } from "./bench_accounts.ts";
import { seconds } from "./bench_format.ts";
import { aborted, pool, sleep } from "./bounded_waits.ts";
import { MysqlUserStore } from "../../store/users_mysql.ts";
import type { TestStores } from "../support/stores.ts";
import { newUserValues, USER_COLUMNS } from "../../store/users_table.ts";

const PASSWORD = "bench-password";

/** How long the two setup steps took. */
export interface SetupTimes {
  users: number;
  usersSec: number;
  loginSec: number;
}

/**
 * Users straight into MySQL (the server created the table), then HTTP logins: the tokens by
 * account id, and the times.
 */
export async function setupUsers(
  baseUrl: string,
  stores: TestStores,
  pairs: number,
  loginConcurrency: number,
): Promise<{ tokens: Map<string, string>; times: SetupTimes }> {
  let started = performance.now();
  const hash = await cheapHash(PASSWORD);
  const users = new MysqlUserStore(stores.pool);
  const accounts = Array.from({ length: pairs }, (_, i) => [senderId(i), receiverId(i)]).flat();
  await pool(accounts, 8, (accountid) =>
    users.add({
      accountid,
      username: accountid.toUpperCase(),
      dept: "Bench",
      deptDetail: "Company,Bench",
      email: `${accountid}@example.com`,
      tel: "",
      mobile: "",
    }, hash));
  const usersSec = seconds(started);
  console.log(`webChat setup: ${accounts.length} users inserted in ${usersSec.toFixed(1)} s`);

  started = performance.now();
  const tokens = new Map<string, string>();
  await pool(accounts, loginConcurrency, async (accountid) => {
    for (let attempt = 0;; attempt++) {
      const response = await fetch(baseUrl + "/api/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ accountid, password: PASSWORD }),
        signal: AbortSignal.any([aborted.signal, AbortSignal.timeout(30_000)]),
      });
      const body = await response.json().catch(() => null);
      if (response.status === 200 && body?.token) {
        tokens.set(accountid, body.token);
        return;
      }
      if (attempt >= 3 || response.status < 500) {
        throw new Error(`login ${accountid}: ${response.status} ${JSON.stringify(body)}`);
      }
      await sleep(200 * (attempt + 1));
    }
  });
  const loginSec = seconds(started);
  console.log(
    `webChat setup: ${accounts.length} HTTP logins in ${loginSec.toFixed(1)} s ` +
      `(${(accounts.length / loginSec).toFixed(0)}/s)`,
  );
  return { tokens, times: { users: accounts.length, usersSec, loginSec } };
}

/** A scrypt hash in store/password.ts's format, with cheaper parameters (see the module doc). */
function cheapHash(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const [n, r, p] = [1024, 8, 1];
  return new Promise((resolve, reject) =>
    scrypt(password, salt, 32, { N: n, r, p }, (error, key) => {
      if (error) return reject(error);
      const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
      resolve(`scrypt$${n}$${r}$${p}$${b64(salt)}$${b64(new Uint8Array(key))}`);
    })
  );
}

/**
 * Accounts `ids` (department "Company,Bench", password hash `hash`, "" for none) straight into
 * `webchat_user`, 2,000 rows per statement: for benchmarks of thousands of accounts, where one
 * INSERT each would take longer than what is measured.
 */
export async function insertBenchUsers(
  stores: TestStores,
  ids: string[],
  hash: string,
): Promise<void> {
  for (let i = 0; i < ids.length; i += 2000) {
    const rows = ids.slice(i, i + 2000).map((id) =>
      newUserValues({
        accountid: id,
        username: id,
        dept: "Bench",
        deptDetail: "Company,Bench",
        email: "",
        tel: "",
        mobile: "",
      }, hash)
    );
    await stores.pool.query(
      `INSERT INTO webchat_user (${USER_COLUMNS}, pwd, updateTime) VALUES ?`,
      [rows],
    );
  }
}
