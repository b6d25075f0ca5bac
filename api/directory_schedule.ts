/**
 * The server's own directory sync, every `directory.syncHours` (0: never): the same sync as
 * `chat directory sync`, its report summed up in the log, a failure logged and counted, the
 * next one tried at the next interval. Sessions it ends close at once on this node.
 *
 * @module
 */
import type { DirectoryConfig } from "../config/directory_config.ts";
import type { Log } from "../ops/log.ts";
import type { Directory } from "../store/directory.ts";
import { DirectoryUnavailableError } from "../store/directory.ts";
import { syncDirectory } from "../store/directory_sync.ts";
import type { SessionStore } from "../store/sessions.ts";
import type { UserStore } from "../store/users.ts";

/** What the schedule needs. */
export interface DirectorySchedule {
  settings: DirectoryConfig;
  directory: Directory;
  users: UserStore;
  sessions: SessionStore;
  log: Log;
  /** Closes this node's sockets of sessions that ended. */
  recheckSessions: () => Promise<void>;
  onError?: (error: DirectoryUnavailableError) => void;
}

/** Starts the timer; the returned function stops it and waits for a sync under way. */
export function scheduleDirectorySync(schedule: DirectorySchedule): () => Promise<void> {
  const hours = schedule.settings.syncHours;
  if (hours <= 0) return () => Promise.resolve();
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => syncOnce(schedule));
  }, hours * 3600_000);
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/** One scheduled sync (errors logged, never thrown). */
export async function syncOnce(schedule: DirectorySchedule): Promise<void> {
  const { log } = schedule;
  try {
    const report = await syncDirectory(schedule);
    log(
      `directory sync: ${report.found} people; created ${report.created.length}, updated ` +
        `${report.updated.length}, disabled ${report.left.length} (left), enabled again ` +
        `${report.returned.length}, skipped ${report.skipped.length}; ` +
        `${report.sessionsEnded} sessions ended`,
    );
    if (report.sessionsEnded > 0) await schedule.recheckSessions();
  } catch (error) {
    if (error instanceof DirectoryUnavailableError) schedule.onError?.(error);
    log(`directory sync failed: ${(error as Error).message}`, "warn");
  }
}
