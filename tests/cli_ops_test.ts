/**
 * The operator's cycle with the real `chat` command as a child process, on both backends:
 * `start -d` → `status` (the queue counts move once messages are sent) → `reload` (a changed
 * config file: what it applied, what needs a restart, and the applied setting in effect) →
 * `stop`; `status --json` parses and its exit code follows the state; `status --url` with the
 * admin token; `/metrics` of the child before and after the messages.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { type ChatRun, runChat as chat } from "./support/chat_cli.ts";
import { loginOver, openChatSession } from "./support/chat_session.ts";
import { eventually } from "./support/fixtures.ts";
import { freePort } from "./support/server_process.ts";
import { openTestStores, TEST_REDIS_URL } from "./support/stores.ts";

const ADMIN_TOKEN = "admin-token-for-the-cli-test-0123456789";

function json(run: ChatRun) {
  try {
    return JSON.parse(run.out);
  } catch {
    throw new Error(`not JSON (exit ${run.code}): ${run.out}${run.err}`);
  }
}

async function cycle(env: Record<string, string>, data: string): Promise<void> {
  const config = `${data}/chat.json`;
  await Deno.writeTextFile(config, JSON.stringify({ limits: { messageChars: 200 } }));
  const withConfig = { ...env, CHAT_CONFIG: config, CHAT_ADMIN_TOKEN: ADMIN_TOKEN };
  for (const id of ["alice", "bob"]) {
    const added = await chat(
      ["user", "add", id, "--name", id.toUpperCase(), "--password-stdin"],
      withConfig,
      `pw-of-${id}\n`,
    );
    assertEquals(added.code, 0, added.err);
  }
  const started = await chat(["start", "-d"], withConfig);
  assertEquals(started.code, 0, started.err);
  const url = /on (http:\/\/\S+);/.exec(started.out)?.[1];
  assert(url, started.out);

  const before = await chat(["status", "--json"], withConfig);
  assertEquals(before.code, 0, before.out + before.err);
  const first = json(before);
  assertEquals([first.process.state, first.source, first.healthy], ["running", "server", true]);
  assertEquals(first.queue.processedTotal, 0);
  assert(first.process.uptimeSeconds >= 0 && first.process.version, before.out);

  // The child's /metrics from this host (loopback is metrics.allow's default).
  const scrape = async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return Number(/^webchat_messages_in_total (\d+)$/m.exec(text)?.[1]);
  };
  assertEquals(await scrape(), 0);
  const token = await loginOver(url, "alice", "pw-of-alice");
  const session = await openChatSession(url, "alice", token);
  try {
    for (let i = 0; i < 5; i++) {
      session.ws.send({ type: "say", chatid: "alice--bob", content: `hello ${i}`, cid: `c${i}` });
      await session.ws.next((f) => f.type === "ack" && f.cid === `c${i}`);
    }
    // The worker's counters reach the status rows with its next heartbeat (every 5 s).
    const moved = await eventually(
      async () => {
        const run = await chat(["status", "--json"], withConfig);
        const report = json(run);
        return report.queue.processedTotal === 5 ? { run, report } : null;
      },
      15_000,
      "processed total 5",
    );
    assertEquals(moved.run.code, 0);
    assertEquals(await scrape(), 5);
    assertEquals(moved.report.queue.pending + moved.report.queue.inFlight, 0);
    // The rest of the queue's report: today's count, parked, lag, the worker's heartbeat.
    const q = moved.report.queue;
    assertEquals([q.processedToday, q.parked, q.archiveLag, q.worker], [5, 0, 0, "alive"]);
    assert(Math.abs(q.lastBeat - Date.now() / 1000) < 60, JSON.stringify(q));
    assert(Array.isArray(q.durability.warnings), JSON.stringify(q.durability));
    assertEquals(moved.report.connections.webSockets, 1);
    assertEquals(moved.report.connections.accountsOnline, 1);
    const text = await chat(["status"], withConfig);
    assertEquals(text.code, 0, text.out);
    for (
      const line of [
        /^process: running \(pid \d+\)$/m,
        /^version: \S+ \(Deno /m,
        /^listening: http:\/\/127\.0\.0\.1:\d+ /m,
        /^connections: 1 WebSocket, \d+ HTTP; accounts online: 1 \(1 on this node\)$/m,
        /^worker: alive /m,
        /^processed total: 5$/m,
        /^pending: 0$/m,
        /^worker: alive \(last heartbeat /m,
        /^archive lag: 0 s$/m,
        /^processed today: 5$/m,
        /^in flight: 0$/m,
        /^parked: 0$/m,
      ]
    ) assert(line.test(text.out), `${line} in\n${text.out}`);

    // Another host's view: the status endpoint with the admin token.
    const remote = await chat(["status", "--json", "--url", url, "--token", ADMIN_TOKEN], env);
    assertEquals(remote.code, 0, remote.out + remote.err);
    assertEquals(json(remote).queue.processedTotal, 5);
    const wrong = await chat(["status", "--url", url, "--token", "x".repeat(40)], env);
    assertEquals(wrong.code, 1);
    assert(/answered 401/.test(wrong.out), wrong.out);
    assertEquals((await chat(["status", "--url", url], env)).code, 2);

    // A reload applies what it can and names what needs a restart.
    await Deno.writeTextFile(
      config,
      JSON.stringify({ limits: { messageChars: 10, frameBytes: 4096 } }),
    );
    const reload = await chat(["reload"], withConfig);
    assertEquals(reload.code, 0, reload.err);
    assert(/^reloaded: limits\.messageChars$/m.test(reload.out), reload.out);
    assert(/applied only by `chat restart`: limits\.frameBytes/.test(reload.out), reload.out);
    assert(/archive worker: restarted/.test(reload.out), reload.out);
    session.ws.send({ type: "say", chatid: "alice--bob", content: "longer than ten", cid: "long" });
    const refused = await session.ws.next((f) => f.cid === "long");
    assertEquals([refused.type, refused.info], ["error", "bad_request"]);
    // A file that does not load: the command says which field (exit 2), and the server, asked
    // anyway, answers so too and keeps what it had.
    await Deno.writeTextFile(config, JSON.stringify({ limits: { messageChars: "many" } }));
    const bad = await chat(["reload"], withConfig);
    assertEquals(bad.code, 2);
    assert(/in limits\.messageChars: expected an integer/.test(bad.err), bad.err);
    const run = JSON.parse(await Deno.readTextFile(`${data}/chat.run.json`));
    const asked = await fetch(`${url}/api/admin/reload`, {
      method: "POST",
      headers: { authorization: `Bearer ${run.token}` },
    });
    assertEquals(asked.status, 400);
    assert(/nothing changed: in limits\.messageChars/.test(await asked.text()));
    session.ws.send({ type: "say", chatid: "alice--bob", content: "still long!", cid: "again" });
    assertEquals((await session.ws.next((f) => f.cid === "again")).info, "bad_request");
  } finally {
    await session.ws.close();
  }

  // The file is still broken: stop works all the same (it needs only the data folder).
  const stopped = await chat(["stop"], withConfig);
  assertEquals(stopped.code, 0, stopped.err);
  assert(/WARNING: in limits\.messageChars/.test(stopped.err), stopped.err);
  await Deno.writeTextFile(config, "{}");
  const after = await chat(["status", "--json"], withConfig);
  assertEquals(after.code, 1);
  const last = json(after);
  assertEquals([last.process.state, last.source, last.healthy], ["stopped", "stores", false]);
  assertEquals(last.queue.processedTotal, 5);
}

Deno.test("chat start -d, status, reload, stop on the embedded backend", async () => {
  const data = await Deno.makeTempDir();
  try {
    await cycle({ CHAT_DATA_DIR: data, CHAT_PORT: String(freePort()) }, data);
  } finally {
    await chat(["stop"], { CHAT_DATA_DIR: data });
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("chat start -d, status, reload, stop on Redis + MySQL", async () => {
  const data = await Deno.makeTempDir();
  const stores = await openTestStores();
  try {
    await cycle({
      CHAT_DATA_DIR: data,
      CHAT_PORT: String(freePort()),
      CHAT_REDIS_URL: TEST_REDIS_URL,
      CHAT_REDIS_PREFIX: stores.prefix,
      CHAT_MYSQL_URL: stores.mysqlUrl,
    }, data);
  } finally {
    await chat(["stop"], { CHAT_DATA_DIR: data });
    await stores.cleanup();
    await Deno.remove(data, { recursive: true });
  }
});
