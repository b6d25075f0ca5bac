/**
 * The server process: run in the foreground with a pid file and signal handling, or in the
 * background (`start -d`), and stop or signal a running one.
 *
 * @module
 */
import { join } from "node:path";
import type { ResolvedConfig } from "../config/mod.ts";
import { LogWriter } from "../ops/log.ts";
import { startServer } from "./server.ts";

/** Where the pid file of a data folder lives. */
export function pidFile(config: ResolvedConfig): string {
  return join(config.dataDir, "chat.pid");
}

/** Where a background server logs. */
export function logFile(config: ResolvedConfig): string {
  return join(config.dataDir, "chat.log");
}

function readPid(config: ResolvedConfig): number | null {
  try {
    const pid = Number(Deno.readTextFileSync(pidFile(config)).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

/** "running (pid N)" or "stopped". */
export function serverState(config: ResolvedConfig): string {
  const pid = readPid(config);
  return pid && alive(pid) ? `running (pid ${pid})` : "stopped";
}

/** Runs the server until SIGINT/SIGTERM; returns the exit code. */
export async function runServer(config: ResolvedConfig): Promise<number> {
  Deno.mkdirSync(config.dataDir, { recursive: true });
  const logPath = Deno.env.get("CHAT_DAEMON_CHILD");
  const logFileHandle = logPath ? Deno.openSync(logPath, { append: true, create: true }) : null;
  const encoder = new TextEncoder();
  const writer = new LogWriter(config.log, (text) => {
    if (logFileHandle) logFileHandle.writeSync(encoder.encode(`${text}\n`));
    else console.error(text);
  });
  const log = writer.log;
  // Why the server cannot start goes to the terminal, and for `start -d` (whose terminal is
  // its parent) into the log, where the parent finds it and shows it.
  const refuse = (reason: string) => {
    console.error(`chat: ${reason}`);
    if (logFileHandle) {
      log(`cannot start: ${reason}`, "error");
      logFileHandle.close();
    }
    return 1;
  };
  const existing = readPid(config);
  if (existing && existing !== Deno.pid && alive(existing)) {
    return refuse(`already running with pid ${existing} (${pidFile(config)})`);
  }
  let server;
  try {
    server = await startServer(config, { log });
  } catch (error) {
    return refuse((error as Error).message);
  }
  Deno.writeTextFileSync(pidFile(config), `${Deno.pid}\n`);
  // One line, on the terminal in the foreground and in the log in the background.
  log(`webChat listening on ${server.url} (node ${server.nodeId}, ${server.backend.kind})`);

  const done = Promise.withResolvers<void>();
  const stop = () => done.resolve();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  const reload = () => {
    log("reload: restarting the archive worker");
    server.restartWorker().catch((error) => log(`reload failed: ${error}`));
  };
  Deno.addSignalListener("SIGHUP", reload);
  await done.promise;
  log("shutting down");
  Deno.removeSignalListener("SIGINT", stop);
  Deno.removeSignalListener("SIGTERM", stop);
  Deno.removeSignalListener("SIGHUP", reload);
  await server.close();
  try {
    if (readPid(config) === Deno.pid) Deno.removeSync(pidFile(config));
  } catch {
    // already gone
  }
  log("stopped");
  logFileHandle?.close();
  return 0;
}

/** Starts the server in the background and waits until it listens (or fails). */
export async function startDaemon(config: ResolvedConfig, argv: string[]): Promise<number> {
  Deno.mkdirSync(config.dataDir, { recursive: true });
  const running = readPid(config);
  if (running && alive(running)) {
    console.error(`chat: already running with pid ${running} (${pidFile(config)})`);
    return 1;
  }
  const args = argv.filter((a) => a !== "-d" && a !== "--daemon").map((a) =>
    a === "restart" ? "start" : a
  );
  const mainModule = new URL("../main.ts", import.meta.url).href;
  const runArgs = Deno.build.standalone ? args : ["run", "-A", mainModule, ...args];
  // What the child logs from here on is this start's own story (the log is appended to).
  const logStart = fileSize(logFile(config));
  const child = new Deno.Command(Deno.execPath(), {
    args: runArgs,
    env: { CHAT_DAEMON_CHILD: logFile(config), RUST_BACKTRACE: "0", NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  child.unref();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (readPid(config) === child.pid) {
      console.log(`webChat started in the background (pid ${child.pid}); log: ${logFile(config)}`);
      return 0;
    }
    const exited = await Promise.race([
      child.status.then((s) => s),
      new Promise<null>((r) => setTimeout(() => r(null), 100)),
    ]);
    if (exited) {
      console.error(
        `chat: the server exited with code ${exited.code} before listening` +
          logTail(config, logStart),
      );
      return 1;
    }
  }
  console.error(`chat: the server did not start within 30 s` + logTail(config, logStart));
  return 1;
}

function fileSize(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch {
    return 0;
  }
}

/** The last lines the log got since `from`, indented, and where the whole log is. */
function logTail(config: ResolvedConfig, from: number): string {
  let text = "";
  try {
    text = new TextDecoder().decode(Deno.readFileSync(logFile(config)).subarray(from));
  } catch {
    // no log at all
  }
  const lines = text.trimEnd().split("\n").filter(Boolean).slice(-10);
  if (lines.length === 0) return `; it logged nothing (${logFile(config)})`;
  return `:\n${lines.map((line) => `  ${line}`).join("\n")}\n(log: ${logFile(config)})`;
}

/** Stops the background server (SIGTERM, then waits up to 20 s). */
export async function stopServer(
  config: ResolvedConfig,
  options: { quiet?: boolean } = {},
): Promise<number> {
  const pid = readPid(config);
  if (!pid || !alive(pid)) {
    if (!options.quiet) console.log("chat: not running");
    return options.quiet ? 0 : 1;
  }
  Deno.kill(pid, "SIGTERM");
  const deadline = Date.now() + 20_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) {
    console.error(`chat: pid ${pid} did not stop within 20 s`);
    return 1;
  }
  if (!options.quiet) console.log(`chat: stopped (pid ${pid})`);
  return 0;
}

/** Sends a signal to the running server. */
export function signalServer(config: ResolvedConfig, signal: Deno.Signal): number {
  const pid = readPid(config);
  if (!pid || !alive(pid)) {
    console.error("chat: not running");
    return 1;
  }
  Deno.kill(pid, signal);
  console.log(`chat: sent ${signal} to pid ${pid}`);
  return 0;
}
