/**
 * The server process in the foreground (`chat start`, and the child of `start -d`): it takes
 * the data folder's lock, starts the server, writes the pid and run files, and handles
 * SIGINT/SIGTERM (ordered stop) and SIGHUP (`chat reload`: configuration re-read, worker
 * restarted) until it stops.
 *
 * @module
 */
import type { ResolvedConfig } from "../config/mod.ts";
import { type Log, LogWriter } from "../ops/log.ts";
import { VERSION } from "../ops/version.ts";
import { newToken } from "../store/sessions.ts";
import {
  lockDataFolder,
  noticeFile,
  pidFile,
  probeServer,
  readPid,
  removeRunFiles,
  writeRunFiles,
} from "./run_files.ts";
import { type RunningServer, startServer } from "./server.ts";

/** Options of {@link runServer}. */
export interface RunOptions {
  /** Loads the configuration again (the same file, environment and flags) for a reload. */
  reloadConfig?: () => ResolvedConfig;
  /**
   * Runs once the server runs, before it is announced; its lines are for the operator's
   * terminal only (the first admin's password): printed in the foreground, handed to the
   * `start -d` that started a background server through the notice file.
   */
  afterStart?: (server: RunningServer, log: Log) => Promise<string[]>;
}

/** Where commands on this machine reach a server listening on `host`. */
export function localUrl(host: string, port: number): string {
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
}

/** Runs the server until SIGINT/SIGTERM; returns the exit code. */
export async function runServer(config: ResolvedConfig, options: RunOptions = {}): Promise<number> {
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
  // The lock comes first, before the port and the stores: two starts on one data folder never
  // both run, whatever ports they were given.
  // Looked at before the lock is taken: once this process holds it, the folder reads as busy.
  const before = probeServer(config);
  const lock = await lockDataFolder(config);
  if (!lock) {
    const probe = probeServer(config);
    const pid = probe.running ? probe.pid : readPid(config);
    return refuse(`already running${pid ? ` with pid ${pid}` : ""} (${pidFile(config)})`);
  }
  if (!before.running && before.stale) {
    log(`removing a stale pid file: ${before.stale.reason}`, "warn");
  }
  removeRunFiles(config);
  // The pid at once, so `chat stop` finds a server that is still opening its stores.
  Deno.writeTextFileSync(pidFile(config), `${Deno.pid}\n`);
  const runToken = newToken();
  let server;
  try {
    server = await startServer(config, {
      log,
      reloadConfig: options.reloadConfig,
      onLogFormat: (format) => writer.configure(format),
      runToken,
    });
  } catch (error) {
    removeRunFiles(config);
    lock.release();
    return refuse((error as Error).message);
  }
  const notice = await options.afterStart?.(server, log) ?? [];
  if (notice.length > 0) {
    if (logFileHandle) {
      Deno.writeTextFileSync(noticeFile(config), notice.join("\n") + "\n", { mode: 0o600 });
    } else for (const line of notice) console.log(line);
  }
  writeRunFiles(config, {
    pid: Deno.pid,
    url: localUrl(config.host, server.port),
    startedAt: server.startedAt,
    version: VERSION,
    nodeId: server.nodeId,
    nodeName: server.nodeName,
    backend: server.backend.kind,
    token: runToken,
  });
  // One line, on the terminal in the foreground and in the log in the background.
  log(`webChat listening on ${server.url} (node ${server.nodeId}, ${server.backend.kind})`);

  const done = Promise.withResolvers<void>();
  const stop = () => done.resolve();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  const reload = () => {
    server.reload().catch((error) =>
      log(`reload failed, nothing changed: ${(error as Error).message}`, "error")
    );
  };
  Deno.addSignalListener("SIGHUP", reload);
  await done.promise;
  log("shutting down");
  Deno.removeSignalListener("SIGINT", stop);
  Deno.removeSignalListener("SIGTERM", stop);
  Deno.removeSignalListener("SIGHUP", reload);
  await server.close();
  removeRunFiles(config);
  lock.release();
  log("stopped");
  logFileHandle?.close();
  return 0;
}
