/**
 * The command line as an operator uses it: `user add`, `start -d`, `status`, `reload`, `stop`,
 * what `status` says once the server stopped, and configuration errors that name the field.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { runChat as chat } from "./support/chat_cli.ts";
import { freePort, spawnServer } from "./support/server_process.ts";
import { openTestStores, TEST_REDIS_URL } from "./support/stores.ts";

Deno.test("chat user add, start -d, status, reload and stop on the embedded backend", async () => {
  const data = await Deno.makeTempDir();
  const port = freePort();
  const env = { CHAT_DATA_DIR: data, CHAT_PORT: String(port) };
  try {
    const added = await chat(
      ["user", "add", "alice", "--name", "Alice A", "--dept-path", "Co,R&D", "--password-stdin"],
      env,
      "s3cret pass\n",
    );
    assertEquals(added.code, 0, added.err);
    const again = await chat(
      ["user", "add", "alice", "--name", "X", "--password-stdin"],
      env,
      "another password\n",
    );
    assertEquals(again.code, 1);
    assert(/already exists/.test(again.err), again.err);
    const badName = await chat(["user", "add", "al-ice", "--name", "X"], env);
    assertEquals(badName.code, 2);

    const started = await chat(["start", "-d"], env);
    assertEquals(started.code, 0, started.err);
    assert(/started in the background/.test(started.out), started.out);
    const pid = Number((await Deno.readTextFile(`${data}/chat.pid`)).trim());

    // The password read from standard input works, without its line break.
    const login = await fetch(`http://127.0.0.1:${port}/api/login`, {
      method: "POST",
      body: JSON.stringify({ accountid: "alice", password: "s3cret pass" }),
    });
    assertEquals(login.status, 200);
    const { user } = await login.json();
    assertEquals([user.username, user.deptDetail, user.dept], ["Alice A", "Co,R&D", "R&D"]);

    const status = await chat(["status"], env);
    assert(status.out.includes(`process: running (pid ${pid})`), status.out);
    assert(/pending: 0/.test(status.out) && /in flight: 0/.test(status.out), status.out);
    assert(/worker: alive/.test(status.out), status.out + status.err);

    const reload = await chat(["reload"], env);
    assertEquals(reload.code, 0, reload.err);
    const secondStart = await chat(["start"], env);
    assertEquals(secondStart.code, 1);
    assert(/already running/.test(secondStart.err), secondStart.err);

    const stopped = await chat(["stop"], env);
    assertEquals(stopped.code, 0, stopped.err);
    assert(!(await exists(`${data}/chat.pid`)), "pid file left behind");
    const log = await Deno.readTextFile(`${data}/chat.log`);
    assert(/reload: restarting the archive worker/.test(log), log);
    assert(/stopped/.test(log), log);
    assertEquals((await chat(["stop"], env)).code, 1);
  } finally {
    await chat(["stop"], { CHAT_DATA_DIR: data });
    await Deno.remove(data, { recursive: true });
  }
});

/**
 * `start -d`, `status` (exit 0, worker alive), `stop`, `status` again: it must say the process
 * and its worker stopped and exit 1, although the last heartbeat is only a moment old.
 */
async function statusAroundStop(env: Record<string, string>): Promise<void> {
  const started = await chat(["start", "-d"], env);
  assertEquals(started.code, 0, started.err);
  const running = await chat(["status"], env);
  assertEquals(running.code, 0, running.out + running.err);
  assert(/^process: running \(pid \d+\)$/m.test(running.out), running.out);
  assert(/^worker: alive /m.test(running.out), running.out);

  assertEquals((await chat(["stop"], env)).code, 0);
  const stopped = await chat(["status"], env);
  assertEquals(stopped.code, 1, stopped.out + stopped.err);
  assert(/^process: stopped$/m.test(stopped.out), stopped.out);
  assert(/^worker: stopped /m.test(stopped.out), stopped.out);
}

Deno.test("chat status right after chat stop: exit 1, process and worker stopped (embedded)", async () => {
  const data = await Deno.makeTempDir();
  try {
    await statusAroundStop({ CHAT_DATA_DIR: data, CHAT_PORT: String(freePort()) });
  } finally {
    await chat(["stop"], { CHAT_DATA_DIR: data });
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("chat status right after chat stop: exit 1, process and worker stopped (Redis + MySQL)", async () => {
  const data = await Deno.makeTempDir();
  const stores = await openTestStores();
  try {
    await statusAroundStop({
      CHAT_DATA_DIR: data,
      CHAT_PORT: String(freePort()),
      CHAT_REDIS_URL: TEST_REDIS_URL,
      CHAT_REDIS_PREFIX: stores.prefix,
      CHAT_MYSQL_URL: stores.mysqlUrl,
    });
  } finally {
    await chat(["stop"], { CHAT_DATA_DIR: data });
    await stores.cleanup();
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("start -d says on the terminal why the server did not start", async () => {
  const data = await Deno.makeTempDir();
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const takenPort = (taken.addr as Deno.NetAddr).port;
  try {
    const inUseEnv = { CHAT_DATA_DIR: data, CHAT_PORT: String(takenPort) };
    await chat(["start", "-d"], inUseEnv);
    // Twice: the log keeps every start's lines, the terminal shows only this start's.
    const inUse = await chat(["start", "-d"], inUseEnv);
    assertEquals(inUse.code, 1, inUse.err);
    assert(inUse.err.includes(`127.0.0.1:${takenPort}`), inUse.err);
    assert(/port \d+ is in use/i.test(inUse.err), inUse.err);
    assertEquals(inUse.err.match(/cannot start/g)?.length, 1, inUse.err);
    assert(!(await exists(`${data}/chat.pid`)), "no pid file for a server that never ran");

    const env = { CHAT_DATA_DIR: data, CHAT_PORT: String(freePort()) };
    const started = await chat(["start", "-d"], env);
    assertEquals(started.code, 0, started.err);
    const pid = Number((await Deno.readTextFile(`${data}/chat.pid`)).trim());
    const again = await chat(["start", "-d"], { ...env, CHAT_PORT: String(freePort()) });
    assertEquals(again.code, 1);
    assert(again.err.includes(`already running with pid ${pid}`), again.err);
  } finally {
    taken.close();
    await chat(["stop"], { CHAT_DATA_DIR: data });
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("the foreground server prints its listening line once", async () => {
  const data = await Deno.makeTempDir();
  try {
    const server = await spawnServer(["--port", "0"], { CHAT_DATA_DIR: data });
    await server.kill("SIGTERM");
    const listening = server.output.filter((line) => line.includes("webChat listening on"));
    assertEquals(listening.length, 1, server.output.join("\n"));
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("passwords shorter than password.minLength are refused; generated ones are long enough", async () => {
  const data = await Deno.makeTempDir();
  const env = { CHAT_DATA_DIR: data };
  try {
    const short = await chat(
      ["user", "add", "bob", "--name", "Bob", "--password-stdin"],
      env,
      "1234567\n",
    );
    assertEquals(short.code, 2);
    assert(
      /at least 8 characters long \(password\.minLength\); nothing was changed/.test(short.err),
      short.err,
    );
    // Characters, not bytes: seven emoji are seven characters.
    const emoji = await chat(
      ["user", "add", "bob", "--name", "Bob", "--password-stdin"],
      env,
      "😀".repeat(7) + "\n",
    );
    assertEquals(emoji.code, 2, emoji.err);
    const added = await chat(
      ["user", "add", "bob", "--name", "Bob", "--password-stdin"],
      env,
      "12345678\n",
    );
    assertEquals(added.code, 0, added.err);
    const shortChange = await chat(["user", "passwd", "bob", "--password-stdin"], env, "short\n");
    assertEquals(shortChange.code, 2);
    assert(/at least 8 characters/.test(shortChange.err), shortChange.err);
    // A longer minimum applies to generated passwords too.
    const long = { ...env, CHAT_PASSWORD_MIN_LENGTH: "40" };
    const generated = await chat(["user", "passwd", "bob"], long);
    assertEquals(generated.code, 0, generated.err);
    const password = /password: (\S+)/.exec(generated.out)?.[1] ?? "";
    assert(password.length >= 40 && /^[A-Za-z0-9_-]+$/.test(password), generated.out);
    assert(/password changed for bob; 0 sessions ended/.test(generated.out), generated.out);
    const tooShort = await chat(
      ["user", "add", "carol", "--name", "C", "--password-stdin"],
      long,
      "12345678\n",
    );
    assertEquals(tooShort.code, 2);
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test(".gitignore keeps the config file (it may hold passwords) and the data folder out", async () => {
  const ignored = (await Deno.readTextFile(new URL("../.gitignore", import.meta.url)))
    .split("\n").map((line) => line.trim());
  for (const entry of ["chat.json", "data/"]) assert(ignored.includes(entry), entry);
});

Deno.test("configuration errors name the field and exit 2", async () => {
  const bad = await chat(["status", "--port", "http"], {});
  assertEquals(bad.code, 2);
  assert(/in --port: expected an integer/.test(bad.err), bad.err);
  const env = await chat(["status"], { CHAT_REDIS_URL: "redis://127.0.0.1:6379" });
  assertEquals(env.code, 2);
  assert(/in mysql.url: Redis and MySQL go together/.test(env.err), env.err);
  const unknown = await chat(["frobnicate"], {});
  assertEquals(unknown.code, 2);
  const help = await chat(["--help"], {});
  assertEquals(help.code, 0);
  assert(/chat start \[-d\]/.test(help.out));
});

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
