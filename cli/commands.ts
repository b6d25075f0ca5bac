/**
 * Every command of `chat`, with its usage, its options and what it runs.
 *
 * @module
 */
import { reloadServer, startDaemon, stopServer } from "../api/daemon.ts";
import { runServer } from "../api/process.ts";
import { queueCommand } from "../api/queue_admin.ts";
import { printStatus } from "../api/status_report.ts";
import { VERSION } from "../ops/version.ts";
import { type Command, type CommandInput, commandList, UsageError } from "./command_line.ts";
import { firstStart } from "./first_start.ts";
import { prepareStart } from "./prepare_start.ts";
import { USER_COMMANDS } from "./user_commands.ts";
import { upgradeCommand } from "./upgrade_command.ts";
import { migrateCommand } from "./migrate_command.ts";
import { exportCommand } from "./export_command.ts";
import { searchIndexCommand } from "./search_index_command.ts";
import { directorySyncCommand } from "./directory_command.ts";
import { benchCommand } from "./bench_command.ts";

function seconds(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 3600) {
    throw new UsageError(`--${name} must be a whole number of seconds from 1 to 3600`);
  }
  return n;
}

async function start(input: CommandInput, daemon: boolean): Promise<number> {
  const prepared = await prepareStart(input.config);
  if (prepared !== 0) return prepared;
  if (daemon) return await startDaemon(input.config, input.argv);
  const demo = input.values.demo === true;
  return await runServer(input.config, {
    reloadConfig: input.reloadConfig,
    afterStart: (server, log) => firstStart(server.backend, input.config, { demo }, log),
  });
}

/** The table. */
export const COMMANDS: Command[] = [
  {
    name: "start",
    usage: "start [-d] [--demo]",
    summary: "run the server (-d: in the background)",
    details: "Runs the server in the foreground until SIGINT or SIGTERM. With -d it starts in " +
      "the background and returns once the server answers /healthz, or says why it did not " +
      "start (port in use, already running, a store unreachable). On the first start with no " +
      "accounts it creates `admin` and prints its password once. Tables of the PHP webChat " +
      "are offered an upgrade (see chat upgrade).",
    options: { daemon: { type: "boolean", short: "d" }, demo: { type: "boolean" } },
    optionHelp: [
      "  -d, --daemon           in the background (log in <data>/chat.log, pid in <data>/chat.pid)",
      "  --demo                 seed a small organisation (people, departments, chats) to try it",
    ],
    run: (input) => start(input, input.values.daemon === true),
  },
  {
    name: "stop",
    usage: "stop [--timeout SECONDS]",
    summary: "stop the background server",
    details: "Sends SIGTERM and waits for the ordered shutdown; after --timeout seconds " +
      "(default 20) SIGKILL. Exit 1 when no server runs on the data folder.",
    options: { timeout: { type: "string" } },
    optionHelp: ["  --timeout SECONDS      wait this long before SIGKILL (default 20)"],
    tolerant: true,
    run: (input) =>
      stopServer(input.config, { timeoutSeconds: seconds(input.values.timeout, "timeout") }),
  },
  {
    name: "restart",
    usage: "restart [-d] [--timeout SECONDS]",
    summary: "stop, then start",
    options: { daemon: { type: "boolean", short: "d" }, timeout: { type: "string" } },
    optionHelp: [
      "  -d, --daemon           start again in the background",
      "  --timeout SECONDS      wait this long for the stop before SIGKILL (default 20)",
    ],
    run: async (input) => {
      const timeoutSeconds = seconds(input.values.timeout, "timeout");
      const stopped = await stopServer(input.config, { quiet: true, timeoutSeconds });
      if (stopped !== 0) return stopped;
      return await start(input, input.values.daemon === true);
    },
  },
  {
    name: "reload",
    usage: "reload",
    summary: "re-read the configuration file and restart the archive worker",
    details: "The running server reads its configuration file again (with the environment and " +
      "flags it was started with), applies what can change while it runs, says which changed " +
      "settings need `chat restart`, and restarts its archive worker without dropping " +
      "connections. A file that does not load changes nothing.",
    run: (input) => reloadServer(input.config),
  },
  {
    name: "status",
    usage: "status [--json] [--url URL [--token TOKEN]]",
    summary: "process, connections, queue and stores (exit 0 only when running and healthy)",
    details: "Asks the running server through its status endpoint; when none runs here, reads " +
      "the stores. Exit 0 when the server runs and its archive worker is alive, 1 when not, 2 " +
      "for a usage error.",
    options: { json: { type: "boolean" }, url: { type: "string" }, token: { type: "string" } },
    optionHelp: [
      "  --json                 one JSON object instead of lines",
      "  --url URL              a server on another host, e.g. https://chat.example.com",
      "  --token TOKEN          its admin token (default: admin.token, CHAT_ADMIN_TOKEN)",
    ],
    run: (input) => {
      const url = input.values.url as string | undefined;
      const token = (input.values.token as string | undefined) ?? input.config.admin.token;
      if (input.values.token !== undefined && url === undefined) {
        throw new UsageError("chat status: --token goes with --url");
      }
      if (url !== undefined) {
        if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
          throw new UsageError(`chat status: --url must be an http(s):// URL, got "${url}"`);
        }
        if (!token) {
          throw new UsageError(
            "chat status: --url needs the server's admin token (--token, or admin.token / " +
              "CHAT_ADMIN_TOKEN)",
          );
        }
      }
      return printStatus(input.config, {
        json: input.values.json === true,
        url,
        token: token ?? undefined,
      });
    },
  },
  {
    name: "queue retry-parked",
    usage: "queue retry-parked",
    summary: "put messages the archive refused back on the queue",
    run: (input) => queueCommand(input.config, ["retry-parked"]),
  },
  ...USER_COMMANDS,
  {
    name: "export",
    usage: "export CHATID [--format html|csv] [--since T] [--until T] [--out FILE]",
    summary: "export a conversation as HTML or CSV (for administrators)",
    details: "Reads the conversation from the archive of the configured stores (MySQL, or the " +
      "embedded database of --data) and writes it as one self-contained HTML page (every " +
      "text escaped, images and files as links) or as CSV, to --out or standard output. " +
      "Recalled messages appear as recalled, edited ones with their edit time.",
    options: {
      format: { type: "string" },
      since: { type: "string" },
      until: { type: "string" },
      out: { type: "string" },
    },
    optionHelp: [
      "  --format html|csv      the format (default html)",
      "  --since T, --until T   only messages from/until T: unix seconds or YYYY-MM-DD (UTC)",
      "  --out FILE             write to FILE instead of standard output",
    ],
    args: [1, 1],
    run: (input) => exportCommand(input),
  },
  {
    name: "bench",
    usage: "bench [--quick] [--only=SCENARIOS] [--out=DIR]",
    summary: "run the benchmark suite (from a source checkout)",
    details: "Runs tests/bench/suite.ts (the same as deno task bench): every scenario starts its " +
      "own servers on 127.0.0.1 (Redis and MariaDB on their usual local ports), measures a " +
      "baseline in the same run, and the suite writes bench/results/<date>.json and a Markdown " +
      "report with SVG charts. --quick runs every scenario small, in a few minutes.",
    options: { quick: { type: "boolean" }, only: { type: "string" }, out: { type: "string" } },
    optionHelp: [
      "  --quick                every scenario small",
      "  --only=A,B             some of: connections, logins, one-to-one, groups, uploads, listener",
      "  --out=DIR              where the results go (default bench/results)",
    ],
    args: [0, 0],
    run: (input) => benchCommand(input),
  },
  {
    name: "search-index",
    usage: "search-index",
    summary: "put every archived message into the search index",
    details: "Indexes every message of the archive of the configured stores (MySQL, or the " +
      "embedded database of --data) for GET /api/search: needed once for messages archived " +
      "by a version without search, or brought over by chat upgrade. New messages are indexed " +
      "as they are archived. Safe to repeat and to run beside the server.",
    args: [0, 0],
    run: (input) => searchIndexCommand(input),
  },
  {
    name: "upgrade",
    usage: "upgrade [--yes] [--php-redis URL]",
    summary: "bring the PHP webChat's tables in the MySQL database to this version's schema",
    details: "Converts, in place, the original's webchat_user, webchat_messageYYYYMM, " +
      "webchat_broadcastYYYY and queue_deamon_status: messages get a mid and a per-chat seq " +
      "in time order, broadcasts a bid and their recipients as rows; the groups of the " +
      "history become groups (with --php-redis, with their members, join times and titles " +
      "from the original's Redis). Re-runnable: a run that was interrupted continues where it " +
      "stopped. Refuses, changing nothing, a database that is not the original's, or one a " +
      "server is using.",
    options: { yes: { type: "boolean" }, "php-redis": { type: "string" } },
    optionHelp: [
      "  --yes                  do not ask before starting",
      "  --php-redis URL        the original's Redis, only read: its groups' members and titles",
    ],
    run: (input) =>
      upgradeCommand(input.config, {
        yes: input.values.yes === true,
        phpRedisUrl: input.values["php-redis"] as string | undefined,
      }),
  },
  {
    name: "migrate",
    usage: "migrate --to-mysql URL --redis URL [--to-files DIR] [--sessions]",
    summary: "copy an embedded installation into Redis + MySQL",
    details: "Copies the embedded database of --data (users, groups with their members, " +
      "mutes, broadcasts, file records, history, what the queue holds, unread and mention " +
      "counts, recent contacts, offline messages, worker counters; sessions with --sessions) " +
      "into MySQL and Redis, and with --to-files the files' bytes into the production " +
      "servers' folder. Safe to run again: what was copied is not copied twice. The embedded " +
      "server must be stopped.",
    options: {
      "to-mysql": { type: "string" },
      "to-files": { type: "string" },
      sessions: { type: "boolean" },
    },
    optionHelp: [
      "  --to-mysql URL         the MySQL/MariaDB database to copy into",
      "  --redis URL            the Redis to copy the hot state into (the --redis setting)",
      "  --to-files DIR         copy the uploaded files into DIR (the servers' files.dir);",
      "                         without it they stay in the data folder's (or files.dir)",
      "  --sessions             also copy the sessions (people stay logged in)",
    ],
    settings: (values) => ({ mysql: values["to-mysql"] as string | undefined }),
    run: (input) => migrateCommand(input),
  },
  {
    name: "directory sync",
    usage: "directory sync [--dry-run] [--force]",
    summary: "import and update the people of the company directory (LDAP / AD)",
    details: "Reads everybody directory.listFilter finds under directory.baseDn, creates or " +
      "updates their accounts (profile, department path; never a password), disables the " +
      "directory accounts no longer found and ends their sessions, enables again those who " +
      "came back, and prints what changed. Refuses, changing nothing, when it would disable " +
      "more than a fifth of the directory accounts (use --force when that is meant).",
    options: { "dry-run": { type: "boolean" }, force: { type: "boolean" } },
    optionHelp: [
      "  --dry-run              show what would change, change nothing",
      "  --force                sync even when it would disable many accounts",
    ],
    run: (input) => directorySyncCommand(input),
  },
  {
    name: "version",
    usage: "version",
    summary: "print the version",
    run: () => {
      console.log(`webChat ${VERSION} (Deno ${Deno.version.deno})`);
      return Promise.resolve(0);
    },
  },
];

/** `chat --help`. */
export function mainHelp(settingsHelp: string): string {
  return [
    `webChat ${VERSION}: team chat server`,
    "",
    "Usage: chat COMMAND [OPTIONS]   (chat COMMAND --help for each)",
    "",
    ...commandList(COMMANDS),
    "  ./chat test",
    "      run the test suite (the launcher in a clone of the repository)",
    "",
    settingsHelp,
  ].join("\n");
}
