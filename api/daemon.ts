/**
 * The commands that start, stop and signal a background server: `start -d` (returns once the
 * server answers `/healthz`, or says why it did not start), `stop` (SIGTERM, a bounded wait,
 * SIGKILL as the last resort) and `reload` (asks the server, which says what it applied).
 *
 * @module
 */
import type { ResolvedConfig } from "../config/mod.ts";
import { AdminRequestError, requestReload } from "./admin_client.ts";
import {
  logFile,
  noticeFile,
  pidFile,
  probeServer,
  processAlive,
  readRunInfo,
  removeRunFiles,
  type RunInfo,
} from "./run_files.ts";

/** Flags the parent handles itself and never passes to the background child. */
const PARENT_ONLY = new Set(["-d", "--daemon"]);

/** The command line of the background child: `start` with the settings, not `-d`. */
function childArgs(argv: string[]): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (PARENT_ONLY.has(arg) || arg.startsWith("--timeout=")) continue;
    // `restart --timeout N` is the stop's business.
    if (arg === "--timeout") {
      i++;
      continue;
    }
    args.push(arg === "restart" ? "start" : arg);
  }
  return args;
}

/** How long `start -d` waits for the server to answer. */
const START_TIMEOUT_MS = 60_000;

/** Starts the server in the background and waits until `/healthz` answers (or it failed). */
export async function startDaemon(config: ResolvedConfig, argv: string[]): Promise<number> {
  Deno.mkdirSync(config.dataDir, { recursive: true });
  const probe = probeServer(config);
  if (probe.running) {
    console.error(`chat: already running with pid ${probe.pid ?? "?"} (${pidFile(config)})`);
    return 1;
  }
  if (probe.stale) console.error(`chat: removing a stale pid file: ${probe.stale.reason}`);
  const args = childArgs(argv);
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
  const state: { exited: Deno.CommandStatus | null } = { exited: null };
  child.status.then((status) => state.exited = status);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const exited = state.exited;
    if (exited) {
      console.error(
        `chat: the server exited with code ${exited.code} before it answered` +
          logTail(config, logStart),
      );
      return 1;
    }
    const info = readRunInfo(config);
    const health = info?.pid === child.pid ? await healthOf(info) : null;
    if (health) {
      console.log(
        `webChat started in the background (pid ${child.pid}) on ${info!.url}; log: ${
          logFile(config)
        }`,
      );
      // What the child had to say to this terminal (the first admin's password …).
      for (const line of takeNotice(config)) console.log(line);
      // Started degraded (MySQL unreachable): it serves, and says what waits.
      if (health !== "ok") console.log(`WARNING: not healthy yet: ${health}`);
      return 0;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  console.error(
    `chat: the server did not answer /healthz within ${START_TIMEOUT_MS / 1000} s` +
      logTail(config, logStart),
  );
  return 1;
}

/**
 * "ok", what `/healthz` says is wrong, or null while it does not answer yet (or answers
 * "starting": the stores are still being opened).
 */
async function healthOf(info: RunInfo): Promise<string | null> {
  try {
    const response = await fetch(`${info.url}/healthz`, { signal: AbortSignal.timeout(2000) });
    const body = await response.json().catch(() => null);
    if (response.ok) return "ok";
    const message = String(body?.error?.message ?? `HTTP ${response.status}`);
    return message === "starting" ? null : message;
  } catch {
    return null;
  }
}

/** Reads and removes the lines a background server left for its starter. */
function takeNotice(config: ResolvedConfig): string[] {
  try {
    const text = Deno.readTextFileSync(noticeFile(config));
    Deno.removeSync(noticeFile(config));
    return text.trimEnd().split("\n").filter(Boolean);
  } catch {
    return [];
  }
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

/** Options of {@link stopServer}. */
export interface StopOptions {
  /** Print nothing when nothing runs, and answer 0 (for `restart`). */
  quiet?: boolean;
  /** Seconds to wait for the ordered shutdown before SIGKILL (default 20). */
  timeoutSeconds?: number;
}

/**
 * Stops the server of this data folder: SIGTERM, a wait of `timeoutSeconds`, then SIGKILL.
 * A pid file naming a dead process or another program is removed, and nothing is signalled.
 */
export async function stopServer(
  config: ResolvedConfig,
  options: StopOptions = {},
): Promise<number> {
  const probe = probeServer(config);
  if (!probe.running) {
    if (probe.stale) {
      removeRunFiles(config);
      console.log(`chat: not running (removed a stale pid file: ${probe.stale.reason})`);
    } else if (!options.quiet) console.log(`chat: not running (no server on ${config.dataDir})`);
    return options.quiet ? 0 : 1;
  }
  const pid = probe.pid;
  if (pid === null) {
    console.error(`chat: a server holds ${config.dataDir} but left no pid file; stop it by hand`);
    return 1;
  }
  Deno.kill(pid, "SIGTERM");
  const timeoutSeconds = options.timeoutSeconds ?? 20;
  if (await exitsWithin(pid, timeoutSeconds * 1000)) {
    if (!options.quiet) console.log(`chat: stopped (pid ${pid})`);
    return 0;
  }
  console.error(
    `chat: pid ${pid} did not stop within ${timeoutSeconds} s; sending SIGKILL (acknowledged ` +
      "messages are safe in the queue: the next start takes its batch back)",
  );
  try {
    Deno.kill(pid, "SIGKILL");
  } catch {
    // it ended just now
  }
  if (!await exitsWithin(pid, 5000)) {
    console.error(`chat: pid ${pid} is still running after SIGKILL`);
    return 1;
  }
  // A killed server removes nothing itself.
  removeRunFiles(config);
  console.log(`chat: killed (pid ${pid})`);
  return 0;
}

async function exitsWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return !processAlive(pid);
}

/**
 * `chat reload`: asks the running server to re-read its configuration; it answers what it
 * applied and what needs a restart. A server that cannot be asked (no run file) gets SIGHUP.
 */
export async function reloadServer(config: ResolvedConfig): Promise<number> {
  const probe = probeServer(config);
  if (!probe.running || probe.pid === null) {
    console.error(`chat: not running (no server on ${config.dataDir})`);
    return 1;
  }
  if (!probe.info) {
    Deno.kill(probe.pid, "SIGHUP");
    console.log(`chat: sent SIGHUP to pid ${probe.pid}; its log says what it reloaded`);
    return 0;
  }
  try {
    const report = await requestReload({ url: probe.info.url, token: probe.info.token });
    console.log(
      report.applied.length
        ? `reloaded: ${report.applied.join(", ")}`
        : "reloaded: no setting changed that a reload applies",
    );
    if (report.needRestart.length > 0) {
      console.log(
        `changed, but applied only by \`chat restart\`: ${report.needRestart.join(", ")}`,
      );
    }
    console.log(`archive worker: ${report.worker}`);
    return 0;
  } catch (error) {
    if (error instanceof AdminRequestError && error.status === 400) {
      console.error(`chat reload: ${error.message}`);
      return 1;
    }
    // The server did not answer: the signal still reaches it, and its log tells the rest.
    Deno.kill(probe.pid, "SIGHUP");
    console.error(
      `chat: ${(error as Error).message}; sent SIGHUP to pid ${probe.pid} instead (see its log)`,
    );
    return 1;
  }
}
