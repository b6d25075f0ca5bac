/**
 * `chat directory sync` and the server's scheduled sync: everybody under the base DN becomes or
 * stays an account with the directory's profile (department moves included), and directory
 * accounts no longer found are disabled ("left") with their sessions ended everywhere. People
 * who come back are enabled again; accounts an administrator disabled stay so.
 *
 * A sync that would disable more than a fifth of the directory's accounts (and more than five)
 * is refused without `force`: a wrong base DN or filter, or a directory half-answering, must not
 * lock the company out.
 *
 * @module
 */
import type { Directory, SkippedEntry } from "./directory.ts";
import type { SessionStore } from "./sessions.ts";
import type { User, UserStore } from "./users.ts";

/** What a sync changed (or, with `dryRun`, would change). */
export interface SyncReport {
  dryRun: boolean;
  /** People found under the base DN (entries that can be accounts). */
  found: number;
  created: string[];
  /** Profile changed (moved to another department, renamed, …) or turned from a local row. */
  updated: string[];
  unchanged: number;
  /** Not in the directory any more: disabled now. */
  left: string[];
  /** Back in the directory after having left: enabled again. */
  returned: string[];
  /** In the directory but disabled by an administrator (kept disabled). */
  keptDisabled: string[];
  skipped: SkippedEntry[];
  /** Sessions ended of the people who left. */
  sessionsEnded: number;
}

/** Thrown when a sync looks wrong enough to need `force`; nothing was changed. */
export class SyncRefusedError extends Error {
  constructor(reason: string) {
    super(
      `directory sync refused: ${reason}; nothing was changed (check the settings, or --force)`,
    );
    this.name = "SyncRefusedError";
  }
}

/** Options of {@link syncDirectory}. */
export interface SyncOptions {
  dryRun?: boolean;
  force?: boolean;
  /** Progress lines (entries read, accounts saved). */
  progress?: (line: string) => void;
}

/** Brings `webchat_user` in line with the directory. */
export async function syncDirectory(
  stores: { directory: Directory; users: UserStore; sessions: SessionStore },
  options: SyncOptions = {},
): Promise<SyncReport> {
  const { directory, users, sessions } = stores;
  const progress = options.progress ?? (() => {});
  const { people, skipped } = await directory.people((n) => progress(`read ${n} entries`));
  const accounts = await users.directoryAccounts();
  const present = new Set(people.map((p) => p.user.accountid.toLowerCase()));
  const leaving = accounts.filter((a) => !a.left && !a.disabled)
    .filter((a) => !present.has(a.accountid.toLowerCase())).map((a) => a.accountid);
  const active = accounts.filter((a) => !a.left && !a.disabled).length;
  if (!options.force) {
    if (people.length === 0 && active > 0) {
      throw new SyncRefusedError(`the directory lists nobody, which would disable ${active}`);
    }
    if (leaving.length > 5 && leaving.length > active / 5) {
      throw new SyncRefusedError(
        `${leaving.length} of ${active} directory accounts would be disabled (more than 20%)`,
      );
    }
  }
  const report: SyncReport = {
    dryRun: options.dryRun === true,
    found: people.length,
    created: [],
    updated: [],
    unchanged: 0,
    left: leaving,
    returned: [],
    keptDisabled: [],
    skipped,
    sessionsEnded: 0,
  };
  const known = new Map(accounts.map((a) => [a.accountid.toLowerCase(), a]));
  let saved = 0;
  for (const { user } of people) {
    const outcome = options.dryRun
      ? await preview(users, user, known.get(user.accountid.toLowerCase()))
      : await users.saveDirectoryUser(user);
    if (outcome.outcome === "created") report.created.push(outcome.accountid);
    else if (outcome.outcome === "updated") report.updated.push(outcome.accountid);
    else report.unchanged++;
    if (outcome.returned) report.returned.push(outcome.accountid);
    if (outcome.disabled) report.keptDisabled.push(outcome.accountid);
    saved++;
    if (saved % 500 === 0 || saved === people.length) {
      progress(`${options.dryRun ? "compared" : "saved"} ${saved}/${people.length}`);
    }
  }
  if (!options.dryRun && leaving.length > 0) {
    // Disabled first, then the sessions: a login in between is refused already.
    await users.markLeft(leaving);
    for (const accountid of leaving) report.sessionsEnded += await sessions.destroyAll(accountid);
  }
  return report;
}

/** What saving `user` would do, read without writing. */
async function preview(
  users: UserStore,
  user: User,
  known: { disabled: boolean; left: boolean } | undefined,
) {
  const row = await users.findWithPassword(user.accountid);
  if (!row) {
    return {
      outcome: "created" as const,
      accountid: user.accountid,
      disabled: false,
      returned: false,
    };
  }
  const same = (Object.keys(user) as (keyof User)[])
    .every((key) => key === "accountid" || row[key] === user[key]);
  const returned = known?.left === true;
  return {
    outcome: same && known && !returned ? "unchanged" as const : "updated" as const,
    accountid: row.accountid,
    disabled: row.disabled && !returned,
    returned,
  };
}

/** The report as lines for a person to read. */
export function describeSync(report: SyncReport): string[] {
  const list = (ids: string[]) =>
    (ids.length ? `: ${ids.slice(0, 20).join(", ")}` : "") +
    (ids.length > 20 ? `, … (${ids.length - 20} more)` : "");
  const verb = report.dryRun ? "would be " : "";
  const lines = [
    `${report.dryRun ? "dry run, nothing changed: " : ""}${report.found} people in the directory`,
    `created ${verb}${report.created.length}${list(report.created)}`,
    `updated ${verb}${report.updated.length}${list(report.updated)}`,
    `unchanged ${report.unchanged}`,
    `disabled (left the directory) ${verb}${report.left.length}${list(report.left)}`,
  ];
  if (report.returned.length) {
    lines.push(
      `enabled again (back in the directory) ${report.returned.length}${list(report.returned)}`,
    );
  }
  if (report.keptDisabled.length) {
    lines.push(
      `kept disabled by an administrator ${report.keptDisabled.length}${list(report.keptDisabled)}`,
    );
  }
  if (!report.dryRun) lines.push(`sessions ended ${report.sessionsEnded}`);
  for (const entry of report.skipped.slice(0, 50)) {
    lines.push(`skipped ${entry.dn}: ${entry.reason}`);
  }
  if (report.skipped.length > 50) lines.push(`skipped ${report.skipped.length - 50} more entries`);
  return lines;
}
