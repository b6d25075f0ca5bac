/**
 * `chat user …`: account administration on the configured backend (MySQL, or the embedded
 * database). Changes that should end an account's sessions (a new password, disabling,
 * deleting) end them everywhere, which closes its open sockets with 4401.
 *
 * @module
 */
import { hashPassword } from "../store/password.ts";
import { type AccountStores, allAccounts, openAccountStores } from "../store/user_admin.ts";
import { ACCOUNT_ID, UserExistsError } from "../store/users.ts";
import { type Command, type CommandInput, UsageError } from "./command_line.ts";
import { passwordInput } from "./password_input.ts";
import { importCommand } from "./user_import.ts";

/**
 * An account named on the command line: as `ACCOUNT_ID` for a new one; for an existing one
 * anything printable up to 40 characters, so accounts an upgrade brought along with names
 * webChat would not accept today can still be disabled or deleted.
 */
const EXISTING_ACCOUNT = /^[\x21-\x7e\u00a0-\uffff]{1,40}$/;

function accountArg(command: string, accountid: string, isNew: boolean): string {
  if (isNew ? !ACCOUNT_ID.test(accountid) : !EXISTING_ACCOUNT.test(accountid)) {
    throw new UsageError(
      isNew
        ? `${command}: ACCOUNT must be 1-40 letters, digits, _ or .`
        : `${command}: ACCOUNT must be 1-40 characters without spaces`,
    );
  }
  return accountid;
}

/** Opens the stores, runs `work`, closes them. */
async function withStores<T>(input: CommandInput, work: (s: AccountStores) => Promise<T>) {
  const stores = await openAccountStores(input.config);
  try {
    return await work(stores);
  } finally {
    await stores.close();
  }
}

/** The stored spelling of an account (lookups ignore case; sessions are filed under it). */
async function storedAccount(stores: AccountStores, accountid: string): Promise<string | null> {
  return (await stores.users.findWithPassword(accountid))?.accountid ?? null;
}

function sessionsEnded(n: number): string {
  return `${n} session${n === 1 ? "" : "s"} ended`;
}

async function addUser(input: CommandInput): Promise<number> {
  const accountid = accountArg("chat user add", input.args[0], true);
  const name = String(input.values.name ?? "").trim();
  if (!name) throw new UsageError("chat user add: --name is required");
  const { password, generated } = await passwordInput(
    "chat user add",
    input.values["password-stdin"] === true,
    input.config.password.minLength,
  );
  return await withStores(input, async ({ users }) => {
    const path = String(input.values["dept-path"] ?? "").split(",").map((s) => s.trim())
      .filter(Boolean);
    try {
      await users.add({
        accountid,
        username: name,
        dept: (input.values.dept as string | undefined) ?? path.at(-1) ?? "",
        deptDetail: path.join(","),
        email: (input.values.email as string | undefined) ?? "",
        tel: (input.values.tel as string | undefined) ?? "",
        mobile: (input.values.mobile as string | undefined) ?? "",
      }, await hashPassword(password));
    } catch (error) {
      if (!(error instanceof UserExistsError)) throw error;
      console.error(`chat user add: ${error.message}`);
      return 1;
    }
    console.log(`added ${accountid}`);
    if (generated) console.log(`password: ${password}`);
    return 0;
  });
}

async function changePassword(input: CommandInput): Promise<number> {
  const accountid = accountArg("chat user passwd", input.args[0], false);
  const { password, generated } = await passwordInput(
    "chat user passwd",
    input.values["password-stdin"] === true,
    input.config.password.minLength,
  );
  return await withStores(input, async (stores) => {
    const stored = await storedAccount(stores, accountid);
    if (!stored || !await stores.users.setPassword(stored, await hashPassword(password))) {
      console.error(`chat user passwd: no account "${accountid}"`);
      return 1;
    }
    const ended = await stores.sessions.destroyAll(stored);
    console.log(`password changed for ${stored}; ${sessionsEnded(ended)}`);
    if (generated) console.log(`password: ${password}`);
    return 0;
  });
}

async function setDisabled(input: CommandInput, disabled: boolean): Promise<number> {
  const command = `chat user ${disabled ? "disable" : "enable"}`;
  const accountid = accountArg(command, input.args[0], false);
  return await withStores(input, async (stores) => {
    const found = await stores.users.findWithPassword(accountid);
    if (!found) {
      console.error(`${command}: no account "${accountid}"`);
      return 1;
    }
    const stored = found.accountid;
    // Disabled first, then the sessions: a login in between is refused already.
    await stores.users.setDisabled(stored, disabled);
    if (!disabled) {
      console.log(found.disabled ? `enabled ${stored}` : `${stored} was not disabled`);
      return 0;
    }
    const ended = await stores.sessions.destroyAll(stored);
    console.log(
      `${found.disabled ? `${stored} was disabled already` : `disabled ${stored}`}; ` +
        `${sessionsEnded(ended)}`,
    );
    return 0;
  });
}

async function deleteUser(input: CommandInput): Promise<number> {
  const accountid = accountArg("chat user delete", input.args[0], false);
  return await withStores(input, async (stores) => {
    const found = await stores.users.findWithPassword(accountid);
    if (!found) {
      console.error(`chat user delete: no account "${accountid}"`);
      return 1;
    }
    if (input.values.yes !== true) {
      if (!Deno.stdin.isTerminal()) {
        throw new UsageError("chat user delete: add --yes to delete without being asked");
      }
      const answer = prompt(
        `Delete ${found.accountid} (${found.username})? Their messages stay in history. ` +
          "Type the account to confirm:",
      );
      if (answer?.trim() !== found.accountid) {
        console.log("not deleted");
        return 1;
      }
    }
    await stores.users.remove(found.accountid);
    const ended = await stores.sessions.destroyAll(found.accountid);
    console.log(
      `deleted ${found.accountid}; ${sessionsEnded(ended)}; their messages stay in history`,
    );
    return 0;
  });
}

async function listUsers(input: CommandInput): Promise<number> {
  const dept = input.values.dept as string | undefined;
  const onlyDisabled = input.values.disabled === true;
  return await withStores(input, async ({ users }) => {
    const found = (await allAccounts(users, dept)).filter((a) => !onlyDisabled || a.disabled);
    if (input.values.json === true) {
      console.log(JSON.stringify(found, null, 2));
      return 0;
    }
    const rows = found.map((a) => [
      a.accountid,
      a.username,
      a.deptDetail || a.dept,
      [a.disabled ? "disabled" : "", a.hasPassword ? "" : "no password"].filter(Boolean).join(", "),
    ]);
    const header = ["ACCOUNT", "NAME", "DEPARTMENT", "STATE"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const row of [header, ...rows]) {
      console.log(row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd());
    }
    console.log(`${found.length} account${found.length === 1 ? "" : "s"}`);
    return 0;
  });
}

const ACCOUNT_SETTINGS_NOTE = "It writes to the configured backend (MySQL, or the embedded " +
  "database of --data).";

/** The `chat user` subcommands. */
export const USER_COMMANDS: Command[] = [
  {
    name: "user add",
    usage: "user add ACCOUNT --name NAME [--dept-path L1,L2] [--dept D] [--email E] [--tel T] " +
      "[--mobile M] [--password-stdin]",
    summary: "add an account",
    details: "Adds an account. The password is one line of standard input with " +
      "--password-stdin, else asked for (without echo) on a terminal, else generated and " +
      `printed once. ${ACCOUNT_SETTINGS_NOTE}`,
    args: [1, 1],
    options: {
      name: { type: "string" },
      "dept-path": { type: "string" },
      dept: { type: "string" },
      email: { type: "string" },
      tel: { type: "string" },
      mobile: { type: "string" },
      "password-stdin": { type: "boolean" },
    },
    optionHelp: [
      "  --name NAME            the name people see (required)",
      '  --dept-path "L1,L2"    department path, top level first',
      "  --dept D               department (default: the last level of the path)",
      "  --email E, --tel T, --mobile M",
      "  --password-stdin       read the password as one line from standard input",
    ],
    run: addUser,
  },
  {
    name: "user passwd",
    usage: "user passwd ACCOUNT [--password-stdin]",
    summary: "set a new password and end the account's sessions",
    args: [1, 1],
    options: { "password-stdin": { type: "boolean" } },
    optionHelp: ["  --password-stdin       read the password as one line from standard input"],
    run: changePassword,
  },
  {
    name: "user list",
    usage: "user list [--dept DEPT] [--disabled] [--json]",
    summary: "list accounts",
    details: "Lists every account, disabled ones included. --dept takes a department name " +
      "(its own, or any level of its path) or a path prefix (Company,R&D).",
    options: { dept: { type: "string" }, disabled: { type: "boolean" }, json: { type: "boolean" } },
    optionHelp: [
      "  --dept DEPT            only this department (a name, or a path prefix with commas)",
      "  --disabled             only disabled accounts",
      "  --json                 a JSON array instead of a table",
    ],
    run: listUsers,
  },
  {
    name: "user disable",
    usage: "user disable ACCOUNT",
    summary: "stop an account from logging in and end its sessions",
    details: "A disabled account keeps its profile and its history but cannot log in; its " +
      "sessions end and its open sockets close (4401).",
    args: [1, 1],
    run: (input) => setDisabled(input, true),
  },
  {
    name: "user enable",
    usage: "user enable ACCOUNT",
    summary: "let a disabled account log in again",
    args: [1, 1],
    run: (input) => setDisabled(input, false),
  },
  {
    name: "user delete",
    usage: "user delete ACCOUNT [--yes]",
    summary: "delete an account (its messages stay in history)",
    args: [1, 1],
    options: { yes: { type: "boolean" } },
    optionHelp: ["  --yes                  do not ask (needed when not on a terminal)"],
    run: deleteUser,
  },
  {
    name: "user import",
    usage: "user import FILE.csv [--skip-bad] [--hashed] [--encoding ENC]",
    summary: "add the accounts of a CSV file",
    details: "The header row is accountid,username,password,deptDetail,dept,email,tel,mobile " +
      "(any order; accountid and username required). Every bad row is reported with its line " +
      "number; by default nothing is imported then. Passwords are plain text (hashed here; " +
      "an empty one leaves the account without a password until `chat user passwd`).",
    args: [1, 1],
    options: {
      "skip-bad": { type: "boolean" },
      hashed: { type: "boolean" },
      encoding: { type: "string" },
    },
    optionHelp: [
      "  --skip-bad             import the good rows even when some are bad",
      "  --hashed               the password column holds hashes (webChat's scrypt$…, or the",
      "                         PHP webChat's md5), stored as they are",
      "  --encoding ENC         the file's encoding (default utf-8; e.g. gbk, gb18030)",
    ],
    run: importCommand,
  },
];
