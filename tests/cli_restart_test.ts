/**
 * `chat restart -d` with the real command as a child process: a new server process on the same
 * data folder and port, with the settings of its own command line (`--log-json` in both runs,
 * whose lines in `chat.log` are JSON objects with their level; `--log-level warn` for the second,
 * which then logs no info line); and a
 * `start -d` whose store cannot be reached says so on the terminal, exit 1, leaving no pid file.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { existsSync } from "node:fs";
import { runChat as chat } from "./support/chat_cli.ts";
import { freePort } from "./support/server_process.ts";

Deno.test("chat restart -d: a new process on the same folder and port; --log-json lines with their level", async () => {
  const data = await Deno.makeTempDir();
  const env = { CHAT_DATA_DIR: data, CHAT_PORT: String(freePort()) };
  try {
    const started = await chat(["start", "-d", "--log-json"], env);
    assertEquals(started.code, 0, started.err);
    const url = /on (http:\/\/\S+);/.exec(started.out)?.[1];
    assert(url, started.out);
    const pid = Number((await Deno.readTextFile(`${data}/chat.pid`)).trim());

    const restarted = await chat(["restart", "-d", "--log-json", "--log-level", "warn"], env);
    assertEquals(restarted.code, 0, restarted.out + restarted.err);
    assert(restarted.out.includes(url), restarted.out);
    const newPid = Number((await Deno.readTextFile(`${data}/chat.pid`)).trim());
    assert(newPid !== pid, `the same pid ${pid} after the restart`);
    const status = await chat(["status", "--json"], env);
    assertEquals(status.code, 0, status.out + status.err);
    const report = JSON.parse(status.out);
    assertEquals([report.process.state, report.process.pid], ["running", newPid]);
    assertEquals((await fetch(`${url}/healthz`)).status, 200);

    // Every line of the log is a JSON object with its level; the second run logged no info.
    const lines = (await Deno.readTextFile(`${data}/chat.log`)).split("\n").filter((l) => l);
    const parsed = lines.map((line) => {
      try {
        return JSON.parse(line) as { level: string; msg: string; time: string };
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
    assert(parsed.every((l) => typeof l.msg === "string" && typeof l.time === "string"));
    assert(parsed.every((l) => ["info", "warn", "error"].includes(l.level)), lines.join("\n"));
    assertEquals(parsed.filter((l) => /listening/.test(l.msg)).length, 1, lines.join("\n"));
  } finally {
    await chat(["stop"], env);
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("start -d with a Redis that cannot be reached: the reason on the terminal, no pid file", async () => {
  const data = await Deno.makeTempDir();
  const env = {
    CHAT_DATA_DIR: data,
    CHAT_PORT: String(freePort()),
    CHAT_REDIS_URL: `redis://127.0.0.1:${freePort()}/0`,
    CHAT_MYSQL_URL: `mysql://root@127.0.0.1:${freePort()}/nothing_listens_here`,
  };
  try {
    const started = await chat(["start", "-d"], env);
    assertEquals(started.code, 1, started.out + started.err);
    assert(/Cannot start: Redis at redis:\/\/127\.0\.0\.1:\d+/.test(started.err), started.err);
    assert(!existsSync(`${data}/chat.pid`), "a pid file for a server that never ran");
    const status = await chat(["status"], env);
    assertEquals(status.code, 1, status.out);
  } finally {
    await chat(["stop"], env);
    await Deno.remove(data, { recursive: true });
  }
});
