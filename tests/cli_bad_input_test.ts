/**
 * What the command line must survive (issue 9): unknown commands and options, a missing or
 * malformed config file, a pid file naming a dead process or another program, `stop` when
 * nothing runs, two starts on one data folder, a server that ignores SIGTERM; and `--help`
 * on every command and subcommand.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { COMMANDS } from "../cli/commands.ts";
import { runChat as chat } from "./support/chat_cli.ts";
import { readLines } from "./support/read_lines.ts";
import { freePort } from "./support/server_process.ts";

Deno.test("unknown commands, subcommands, options and arguments: exit 2, naming them", async () => {
  const cases: [string[], RegExp][] = [
    [["frobnicate"], /unknown command "frobnicate"/],
    [["user", "rename", "a"], /chat user: unknown subcommand "rename"/],
    [["user"], /chat user: which one\? \(add, passwd, list/],
    [["start", "--frob"], /chat start: unknown option --frob/],
    // An option of another command is not one of this one's.
    [["stop", "--name", "x"], /chat stop: unknown option --name/],
    [["user", "add", "bob", "--nmae", "Bob"], /chat user add: unknown option --nmae/],
    [["status", "--url"], /chat status: option --url needs a value/],
    [["stop", "now"], /chat stop: unexpected argument "now"/],
    [["user", "disable"], /chat user disable: missing argument/],
    [["stop", "--timeout", "soon"], /--timeout must be a whole number of seconds/],
    [["status", "--token", "t".repeat(20)], /--token goes with --url/],
    [[], /no command given/],
  ];
  const data = await Deno.makeTempDir();
  try {
    for (const [args, pattern] of cases) {
      const run = await chat(args, { CHAT_DATA_DIR: data });
      assertEquals(run.code, 2, `${args.join(" ")}: ${run.out}${run.err}`);
      assert(pattern.test(run.err), `${args.join(" ")}: ${run.err}`);
    }
    // Nothing was created by any of them.
    assertEquals([...Deno.readDirSync(data)].length, 0);
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("--help on every command and subcommand: its usage, exit 0", async () => {
  const names = [...COMMANDS.map((c) => c.name), "user", "queue"];
  // One child process per command would take a while: the help is the parser's answer, so
  // a handful run for real and the rest through the same code in-process.
  for (const name of ["start", "user import", "user", "status"]) {
    const run = await chat([...name.split(" "), "--help"], {});
    assertEquals(run.code, 0, run.err);
    assert(run.out.startsWith(`Usage: chat ${name}`), run.out);
  }
  const { parseCommandLine } = await import("../cli/command_line.ts");
  for (const name of names) {
    for (const flag of ["--help", "-h"]) {
      const parsed = parseCommandLine([...name.split(" "), flag], COMMANDS, "main");
      assertEquals(parsed.kind, "help", name);
      assert(parsed.kind === "help" && parsed.text.startsWith(`Usage: chat ${name}`), name);
    }
  }
  const main = await chat(["--help"], {});
  assertEquals(main.code, 0);
  for (const command of COMMANDS) assert(main.out.includes(`chat ${command.usage}`), command.name);
});

Deno.test("a missing or malformed config file: exit 2, naming the file or the field", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const missing = await chat(["status", "--config", `${dir}/nope.json`], {});
    assertEquals(missing.code, 2);
    assert(/in --config: cannot read .*nope\.json/.test(missing.err), missing.err);
    await Deno.writeTextFile(`${dir}/broken.json`, '{"port": 80,');
    const broken = await chat(["start", "--config", `${dir}/broken.json`], {});
    assertEquals(broken.code, 2);
    assert(/broken\.json: not valid JSON/.test(broken.err), broken.err);
    await Deno.writeTextFile(`${dir}/field.json`, JSON.stringify({ queue: { batchSize: 0 } }));
    const field = await chat(["start", "-d"], {
      CHAT_CONFIG: `${dir}/field.json`,
      CHAT_DATA_DIR: dir,
    });
    assertEquals(field.code, 2);
    assert(/in queue\.batchSize: expected an integer from 1/.test(field.err), field.err);
    await Deno.writeTextFile(`${dir}/typo.json`, JSON.stringify({ heartbeat: { pingSecond: 5 } }));
    const typo = await chat(["status", "--config", `${dir}/typo.json`], {});
    assertEquals(typo.code, 2);
    assert(/in heartbeat\.pingSecond: unknown setting/.test(typo.err), typo.err);
    // Nothing started, nothing created in the data folder.
    assert(![...Deno.readDirSync(dir)].some((e) => e.name.startsWith("chat.pid")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a pid file naming a dead process or another program is stale: nothing is signalled", async () => {
  const data = await Deno.makeTempDir();
  const env = { CHAT_DATA_DIR: data, CHAT_PORT: String(freePort()) };
  const bystander = new Deno.Command("sleep", { args: ["60"] }).spawn();
  try {
    const dead = new Deno.Command("true").spawn();
    await dead.status;
    await Deno.writeTextFile(`${data}/chat.pid`, `${dead.pid}\n`);
    const status = await chat(["status"], env);
    assertEquals(status.code, 1);
    assert(/^process: stopped$/m.test(status.out), status.out);
    assert(
      new RegExp(`stale pid file: pid ${dead.pid} is not running`).test(status.out),
      status.out,
    );
    const stop = await chat(["stop"], env);
    assertEquals(stop.code, 1);
    assert(/not running \(removed a stale pid file/.test(stop.out), stop.out);

    // A pid reused by another program: never stopped, never taken for a server.
    await Deno.writeTextFile(`${data}/chat.pid`, `${bystander.pid}\n`);
    const foreign = await chat(["stop"], env);
    assertEquals(foreign.code, 1);
    assert(/another program, not a webChat server/.test(foreign.out), foreign.out);
    // `stop` removed that stale file; a start that finds one replaces it and says so.
    await Deno.writeTextFile(`${data}/chat.pid`, `${bystander.pid}\n`);
    const started = await chat(["start", "-d"], { ...env, CHAT_PORT: String(freePort()) });
    assertEquals(started.code, 0, started.err);
    assert(/removing a stale pid file: pid \d+ is another program/.test(started.err), started.err);
    const pid = Number((await Deno.readTextFile(`${data}/chat.pid`)).trim());
    assert(pid !== bystander.pid);
    const log = await Deno.readTextFile(`${data}/chat.log`);
    assert(/WARN removing a stale pid file: pid \d+ is another program/.test(log), log);
    assertEquals((await chat(["stop"], env)).code, 0);
    // The bystander lived through all of it.
    Deno.kill(bystander.pid, "SIGCONT");
  } finally {
    try {
      bystander.kill("SIGKILL");
    } catch {
      // it was killed: the assertions above say by whom
    }
    await bystander.status;
    await chat(["stop"], { CHAT_DATA_DIR: data });
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("stop when nothing runs, two starts on one data folder, a server deaf to SIGTERM", async () => {
  const data = await Deno.makeTempDir();
  try {
    const nothing = await chat(["stop"], { CHAT_DATA_DIR: data });
    assertEquals(nothing.code, 1);
    assert(/not running \(no server on /.test(nothing.out), nothing.out);

    // Two starts at once on one data folder, on different ports: exactly one runs.
    const [a, b] = await Promise.all([
      chat(["start", "-d"], { CHAT_DATA_DIR: data, CHAT_PORT: String(freePort()) }),
      chat(["start", "-d"], { CHAT_DATA_DIR: data, CHAT_PORT: String(freePort()) }),
    ]);
    assertEquals([a.code, b.code].sort(), [0, 1], a.out + a.err + b.out + b.err);
    const loser = a.code === 1 ? a : b;
    assert(/already running/.test(loser.err), loser.err);
    // A foreground start too, on yet another port.
    const third = await chat(["start"], { CHAT_DATA_DIR: data, CHAT_PORT: String(freePort()) });
    assertEquals(third.code, 1);
    assert(/already running with pid \d+/.test(third.err), third.err);
    assertEquals((await chat(["stop"], { CHAT_DATA_DIR: data })).code, 0);

    // A process that holds the folder and ignores SIGTERM is killed after --timeout.
    const stubborn = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./testdata/stubborn_server.ts", import.meta.url).pathname, data],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const ready = Promise.withResolvers<void>();
    const pump = readLines(stubborn.stdout, (line) => line === "ready" && ready.resolve());
    await ready.promise;
    const started = Date.now();
    const stop = await chat(["stop", "--timeout", "1"], { CHAT_DATA_DIR: data });
    assertEquals(stop.code, 0, stop.err);
    assert(/did not stop within 1 s; sending SIGKILL/.test(stop.err), stop.err);
    assert(/killed \(pid \d+\)/.test(stop.out), stop.out);
    assert(Date.now() - started < 8000);
    assertEquals((await stubborn.status).signal, "SIGKILL");
    await pump;
    assert(!(await Deno.stat(`${data}/chat.pid`).then(() => true, () => false)));
  } finally {
    await chat(["stop"], { CHAT_DATA_DIR: data });
    await Deno.remove(data, { recursive: true });
  }
});
