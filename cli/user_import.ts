/**
 * `chat user import FILE.csv`: reads every row, reports every bad one with its line number,
 * then adds the good ones in one transaction (in multi-row batches): all or nothing, unless
 * `--skip-bad`. Nothing is written before every row has been checked, so a file with a bad
 * row changes nothing.
 *
 * Plain-text passwords are hashed with scrypt, which takes tens of milliseconds each by
 * design; the hashes are computed in parallel (the runtime's thread pool), and the progress
 * bar shows it. A file of hashes (`--hashed`) or of empty passwords needs no hashing.
 *
 * @module
 */
import { hashPassword } from "../store/password.ts";
import { allAccounts, openAccountStores } from "../store/user_admin.ts";
import { ACCOUNT_ID, type NewAccount, type User, UserExistsError } from "../store/users.ts";
import { type CommandInput, UsageError } from "./command_line.ts";
import { parseCsv } from "./csv.ts";
import { Progress } from "./progress.ts";

/** The columns of the file; accountid and username are required, the others may be left out. */
export const IMPORT_COLUMNS = [
  "accountid",
  "username",
  "password",
  "deptDetail",
  "dept",
  "email",
  "tel",
  "mobile",
] as const;
type Column = (typeof IMPORT_COLUMNS)[number];

/** The widths of `webchat_user`, in characters. */
const WIDTHS: Record<Exclude<Column, "accountid" | "password">, number> = {
  username: 40,
  deptDetail: 128,
  dept: 40,
  email: 255,
  tel: 40,
  mobile: 100,
};

/** What a hashed password column may hold: webChat's scrypt, or the PHP original's md5. */
const STORED_HASH = /^(scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+|[0-9a-f]{32})$/;

/** A row that can be imported: the account and what its password column held. */
interface GoodRow {
  line: number;
  user: User;
  password: string;
}

/** One bad row (or a problem with the whole file, line 0 = no line). */
export interface BadRow {
  line: number;
  problem: string;
}

/** Checks a whole file; nothing is written. */
export function checkImport(
  text: string,
  options: { hashed: boolean; minLength: number; taken: Set<string> },
): { good: GoodRow[]; bad: BadRow[]; fatal: string | null } {
  const { records, problems } = parseCsv(text);
  const bad: BadRow[] = problems.map(({ line, problem }) => ({ line, problem }));
  const [header, ...rows] = records;
  if (!header) return { good: [], bad, fatal: "the file is empty: no header row" };
  const names = header.fields.map((f) => f.trim());
  const unknown = names.filter((n) => !(IMPORT_COLUMNS as readonly string[]).includes(n));
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  const missing = ["accountid", "username"].filter((n) => !names.includes(n));
  if (unknown.length || repeated.length || missing.length) {
    const parts = [
      missing.length ? `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}` : "",
      unknown.length ? `unknown column${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}` : "",
      repeated.length ? `repeated column ${repeated.join(", ")}` : "",
    ].filter(Boolean);
    return {
      good: [],
      bad,
      fatal: `line ${header.line}: the header has ${parts.join("; ")} ` +
        `(expected ${IMPORT_COLUMNS.join(",")})`,
    };
  }
  const seen = new Map<string, number>();
  const good: GoodRow[] = [];
  for (const { line, fields } of rows) {
    const problem = (text: string) => bad.push({ line, problem: text });
    if (fields.length !== names.length) {
      problem(`${fields.length} fields, the header has ${names.length}`);
      continue;
    }
    const value = (column: Column) => {
      const at = names.indexOf(column);
      return at < 0 ? "" : fields[at].trim();
    };
    const accountid = value("accountid");
    if (!ACCOUNT_ID.test(accountid)) {
      problem(`accountid "${accountid}" is not 1-40 letters, digits, _ or .`);
      continue;
    }
    const key = accountid.toLowerCase();
    if (seen.has(key)) {
      problem(`accountid ${accountid} repeats line ${seen.get(key)}`);
      continue;
    }
    seen.set(key, line);
    if (options.taken.has(key)) {
      problem(`account ${accountid} exists already`);
      continue;
    }
    const user: User = {
      accountid,
      username: value("username"),
      dept: value("dept"),
      deptDetail: value("deptDetail").split(",").map((s) => s.trim()).filter(Boolean).join(","),
      email: value("email"),
      tel: value("tel"),
      mobile: value("mobile"),
    };
    if (!user.dept && user.deptDetail) user.dept = user.deptDetail.split(",").at(-1)!;
    const why = fieldProblem(user) ?? passwordProblem(value("password"), options);
    if (why) problem(why);
    else good.push({ line, user, password: value("password") });
  }
  bad.sort((a, b) => a.line - b.line);
  return { good, bad, fatal: null };
}

function fieldProblem(user: User): string | null {
  if (!user.username) return "username is empty";
  for (const [column, width] of Object.entries(WIDTHS)) {
    const text = user[column as keyof typeof WIDTHS];
    // deno-lint-ignore no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(text)) return `${column} holds a control character`;
    if ([...text].length > width) return `${column} is longer than ${width} characters`;
  }
  return null;
}

function passwordProblem(
  password: string,
  options: { hashed: boolean; minLength: number },
): string | null {
  if (password === "") return null;
  if (options.hashed) {
    return STORED_HASH.test(password)
      ? null
      : "password is not a hash webChat reads (scrypt$… or 32 hex digits of md5)";
  }
  if ([...password].length < options.minLength) {
    return `password is shorter than ${options.minLength} characters (password.minLength)`;
  }
  return null;
}

/** Decodes the file; a bad byte is reported with the lines that hold one. */
function decode(bytes: Uint8Array, encoding: string): { text: string } | { bad: BadRow[] } {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    throw new UsageError(`chat user import: unknown --encoding "${encoding}"`);
  }
  try {
    return { text: decoder.decode(bytes) };
  } catch {
    const bad: BadRow[] = [];
    let start = 0, line = 1;
    for (let i = 0; i <= bytes.length && bad.length < 20; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      try {
        new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(start, i));
      } catch {
        bad.push({ line, problem: `not valid ${decoder.encoding}` });
      }
      start = i + 1;
      line++;
    }
    const hint = decoder.encoding === "utf-8"
      ? " (a file from Excel in China: --encoding gbk)"
      : "";
    if (bad.length === 0) bad.push({ line: 0, problem: `not valid ${decoder.encoding}${hint}` });
    else bad[0].problem += hint;
    return { bad };
  }
}

function report(bad: BadRow[]): void {
  for (const { line, problem } of bad) {
    console.error(line > 0 ? `line ${line}: ${problem}` : problem);
  }
}

/** Runs the import; returns the exit code. */
export async function importCommand(input: CommandInput): Promise<number> {
  const path = input.args[0];
  const hashed = input.values.hashed === true;
  const skipBad = input.values["skip-bad"] === true;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    console.error(`chat user import: cannot read ${path}: ${(error as Error).message}`);
    return 1;
  }
  const decoded = decode(bytes, String(input.values.encoding ?? "utf-8"));
  if ("bad" in decoded) {
    report(decoded.bad);
    console.error("chat user import: the file cannot be read; nothing was imported");
    return 1;
  }
  const stores = await openAccountStores(input.config);
  try {
    const taken = new Set(
      (await allAccounts(stores.users)).map((account) => account.accountid.toLowerCase()),
    );
    const checked = checkImport(decoded.text, {
      hashed,
      minLength: input.config.password.minLength,
      taken,
    });
    report(checked.bad);
    if (checked.fatal) {
      console.error(`chat user import: ${checked.fatal}; nothing was imported`);
      return 1;
    }
    const rows = checked.good.length + checked.bad.length;
    if (checked.bad.length > 0 && !skipBad) {
      console.error(
        `chat user import: ${checked.bad.length} bad row${checked.bad.length === 1 ? "" : "s"} ` +
          `of ${rows}; nothing was imported (--skip-bad imports the others)`,
      );
      return 1;
    }
    const accounts = await hashAll(checked.good, hashed);
    await stores.users.addMany(accounts);
    console.log(
      `imported ${accounts.length} account${accounts.length === 1 ? "" : "s"}` +
        (checked.bad.length ? `; skipped ${checked.bad.length} bad row(s)` : ""),
    );
    return 0;
  } catch (error) {
    if (!(error instanceof UserExistsError)) throw error;
    // Added by somebody else while the file was being checked: the transaction undid it all.
    console.error(`chat user import: ${error.message}; nothing was imported`);
    return 1;
  } finally {
    await stores.close();
  }
}

/** Hashes plain passwords, a few at a time in parallel, with a progress bar. */
async function hashAll(rows: GoodRow[], hashed: boolean): Promise<NewAccount[]> {
  const progress = new Progress(
    "hashing passwords",
    hashed ? 0 : rows.filter((r) => r.password).length,
  );
  const accounts: NewAccount[] = new Array(rows.length);
  let next = 0;
  const lane = async () => {
    while (next < rows.length) {
      const i = next++;
      const { user, password } = rows[i];
      const plain = password !== "" && !hashed;
      accounts[i] = { user, passwordHash: plain ? await hashPassword(password) : password };
      if (plain) progress.add();
    }
  };
  // More lanes than cores keeps the thread pool busy; each scrypt holds 16 MiB meanwhile.
  await Promise.all(Array.from({ length: 8 }, lane));
  progress.finish();
  return accounts;
}
