/**
 * What a running server leaves in its data folder, and how the other commands find it:
 *
 * - the data folder itself is locked (flock, exclusive) by the server for its whole life. The
 *   kernel drops the lock when the process dies, however it dies, so "is a server running
 *   here" never depends on a pid that may have been reused: two `start`s on one folder cannot
 *   both run, and a pid file left by a killed server is recognised as stale. (The folder, not
 *   a lock file: a start that fails leaves nothing behind, and there is no file to delete.)
 * - `chat.pid`: the pid, for operators and service managers (`PIDFile=`).
 * - `chat.run.json` (mode 0600): pid, local URL, start time, version, node, and the run's
 *   admin token, which local commands (`chat status`, `chat reload`) use to talk to it.
 *
 * @module
 */
import { join } from "node:path";
import type { ResolvedConfig } from "../config/mod.ts";

/** Where the pid file of a data folder lives. */
export function pidFile(config: ResolvedConfig): string {
  return join(config.dataDir, "chat.pid");
}

/** Where a background server logs. */
export function logFile(config: ResolvedConfig): string {
  return join(config.dataDir, "chat.log");
}

/**
 * Lines a background server leaves for the `start -d` that started it (mode 0600, read and
 * removed by it): what must reach the operator's terminal but not the log, such as the first
 * admin's password.
 */
export function noticeFile(config: ResolvedConfig): string {
  return join(config.dataDir, "chat.notice");
}

function runFile(config: ResolvedConfig): string {
  return join(config.dataDir, "chat.run.json");
}

/** What `chat.run.json` holds. */
export interface RunInfo {
  pid: number;
  /** Where local commands reach it (a wildcard listen address becomes loopback). */
  url: string;
  /** Unix seconds. */
  startedAt: number;
  version: string;
  nodeId: string;
  nodeName: string;
  backend: string;
  /** The admin token of this run (see the module comment). */
  token: string;
}

/** The data folder's lock, held by a running server. */
export interface DataFolderLock {
  /** Gives the lock up (when the server has stopped); idempotent. */
  release(): void;
}

/**
 * Takes the data folder's lock, or answers null when another process holds it. A few quick
 * retries: another command may be probing it with a shared lock for a moment.
 */
export async function lockDataFolder(config: ResolvedConfig): Promise<DataFolderLock | null> {
  Deno.mkdirSync(config.dataDir, { recursive: true });
  const file = Deno.openSync(config.dataDir, { read: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    if (file.tryLockSync(true)) {
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          file.close();
        },
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  file.close();
  return null;
}

/** What runs on a data folder, as the lock and the files tell. */
export type ServerProbe =
  | { running: true; pid: number | null; info: RunInfo | null }
  | {
    running: false;
    /** A pid file left behind: the pid it names and what that pid is now. */
    stale: { pid: number; reason: string } | null;
  };

/** Looks (without changing anything) whether a server holds the data folder. */
export function probeServer(config: ResolvedConfig): ServerProbe {
  const pid = readPid(config);
  if (lockHeld(config)) {
    const info = readRunInfo(config);
    return { running: true, pid: info?.pid ?? pid, info };
  }
  if (pid === null) return { running: false, stale: null };
  const reason = processAlive(pid)
    ? `pid ${pid} is another program, not a webChat server on this data folder`
    : `pid ${pid} is not running`;
  return { running: false, stale: { pid, reason } };
}

/** True when some process holds the lock (a shared lock cannot be had beside it). */
function lockHeld(config: ResolvedConfig): boolean {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(config.dataDir, { read: true });
  } catch {
    return false; // no data folder: no server ever started here
  }
  try {
    return !file.tryLockSync(false);
  } finally {
    file.close();
  }
}

/** Writes the pid file and the run file (the latter readable by its owner only). */
export function writeRunFiles(config: ResolvedConfig, info: RunInfo): void {
  Deno.writeTextFileSync(pidFile(config), `${info.pid}\n`);
  const path = runFile(config);
  Deno.writeTextFileSync(path, JSON.stringify(info, null, 2) + "\n", { mode: 0o600 });
  // `mode` applies to a new file only; an old one is narrowed too.
  Deno.chmodSync(path, 0o600);
}

/** Removes the pid and run files (the caller holds the lock, so nobody else wrote them). */
export function removeRunFiles(config: ResolvedConfig): void {
  for (const path of [pidFile(config), runFile(config), noticeFile(config)]) {
    try {
      Deno.removeSync(path);
    } catch {
      // already gone
    }
  }
}

/** The pid file's pid, or null. */
export function readPid(config: ResolvedConfig): number | null {
  try {
    const pid = Number(Deno.readTextFileSync(pidFile(config)).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The run file, or null when missing or unreadable. */
export function readRunInfo(config: ResolvedConfig): RunInfo | null {
  try {
    const info = JSON.parse(Deno.readTextFileSync(runFile(config)));
    return typeof info?.url === "string" && typeof info?.token === "string" ? info : null;
  } catch {
    return null;
  }
}

/** True when a process with this pid exists (ours or not). */
export function processAlive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to somebody else.
    return error instanceof Deno.errors.PermissionDenied;
  }
}
