/**
 * The command line's grammar: `chat [SETTINGS] COMMAND [SUBCOMMAND] [ARGS] [OPTIONS]`, parsed
 * against the table of commands (`commands.ts`). Every command knows its own options; an
 * option another command has, or none has, is an error naming it, and `--help` works on
 * every command and subcommand.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { ResolvedConfig } from "../config/mod.ts";

/** Options as `node:util` `parseArgs` takes them. */
export type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;

/** What a command receives. */
export interface CommandInput {
  config: ResolvedConfig;
  /** Positional arguments after the command's words. */
  args: string[];
  /** Parsed options (the settings included). */
  values: Record<string, string | boolean | string[] | undefined>;
  /** The whole command line, for `start -d` to pass on to its child. */
  argv: string[];
  /** Loads the configuration again from the same file, environment and flags. */
  reloadConfig: () => ResolvedConfig;
}

/** One command or subcommand. */
export interface Command {
  /** "start", "user add". */
  name: string;
  /** The usage line after `chat `. */
  usage: string;
  /** One line for the command list. */
  summary: string;
  /** What it does, for `--help`. */
  details?: string;
  /** Its own options (the settings are every command's). */
  options?: OptionSpecs;
  /** Help lines for its own options. */
  optionHelp?: string[];
  /** Settings the command's own options stand for (`migrate --to-mysql` is `--mysql`). */
  settings?: (values: CommandInput["values"]) => Record<string, string | undefined>;
  /**
   * Runs even when the configuration does not load (with the defaults and the data folder
   * the flags, the environment or the file name): `chat stop` must stop a server whose config
   * file was broken after it started.
   */
  tolerant?: boolean;
  /** Positional arguments: [fewest, most]. */
  args?: [number, number];
  run(input: CommandInput): Promise<number>;
}

/** Settings every command understands (flags win over `CHAT_*`, which win over the file). */
export const SETTING_OPTIONS: OptionSpecs = {
  config: { type: "string" },
  host: { type: "string" },
  port: { type: "string" },
  redis: { type: "string" },
  mysql: { type: "string" },
  data: { type: "string" },
  origin: { type: "string", multiple: true },
  "public-url": { type: "string" },
  "log-level": { type: "string" },
  "log-json": { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** Help lines of {@link SETTING_OPTIONS}. */
export const SETTINGS_HELP =
  `Settings (every command; flags win over CHAT_* environment, which wins over the file):
  --config FILE          JSON config file (default ./chat.json when present; CHAT_CONFIG)
  --host HOST            CHAT_HOST (default 127.0.0.1)
  --port PORT            CHAT_PORT (default 8080)
  --redis URL            CHAT_REDIS_URL, e.g. redis://127.0.0.1:6379/0
  --mysql URL            CHAT_MYSQL_URL, e.g. mysql://root@127.0.0.1:3306/webChat
  --data DIR             CHAT_DATA_DIR (default ./data): pid, log, embedded database
  --origin ORIGIN        CHAT_ORIGINS (comma separated): extra allowed browser origins
  --public-url URL       CHAT_PUBLIC_URL: the URL people open (behind a proxy)
  --log-level LEVEL      CHAT_LOG_LEVEL: debug, info (default), warn or error
  --log-json             CHAT_LOG_JSON: one JSON object per log line`;

/** A usage error: printed with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** What the command line asks for. */
export type Parsed =
  | { kind: "help"; text: string }
  | { kind: "run"; command: Command; args: string[]; values: CommandInput["values"] };

/**
 * Finds the command and parses its options strictly. Throws {@link UsageError} for an unknown
 * command, subcommand or option, a missing option value, or a wrong number of arguments.
 */
export function parseCommandLine(
  argv: string[],
  commands: Command[],
  mainHelp: string,
): Parsed {
  // A first, lenient pass only to find the command words: every option any command knows is
  // declared, so option values are not taken for words.
  const everyOption: OptionSpecs = { ...SETTING_OPTIONS };
  for (const command of commands) Object.assign(everyOption, command.options ?? {});
  const loose = parseArgs({
    args: argv,
    options: everyOption,
    allowPositionals: true,
    strict: false,
  });
  const words = loose.positionals;
  const wantsHelp = loose.values.help === true;
  if (words.length === 0) {
    if (wantsHelp) return { kind: "help", text: mainHelp };
    throw new UsageError("no command given");
  }
  const two = commands.find((c) => c.name === `${words[0]} ${words[1]}`);
  const one = commands.find((c) => c.name === words[0]);
  const command = two ?? one;
  const group = commands.filter((c) => c.name.startsWith(`${words[0]} `));
  if (!command) {
    if (group.length > 0) {
      const text = groupHelp(words[0], group);
      if (wantsHelp && words.length === 1) return { kind: "help", text };
      const which = words[1] === undefined ? "which one?" : `unknown subcommand "${words[1]}"`;
      throw new UsageError(
        `chat ${words[0]}: ${which} (${group.map((c) => c.name.split(" ")[1]).join(", ")})`,
      );
    }
    throw new UsageError(`unknown command "${words[0]}"`);
  }
  if (wantsHelp) return { kind: "help", text: commandHelp(command) };

  let strict;
  try {
    strict = parseArgs({
      args: argv,
      options: { ...SETTING_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`chat ${command.name}: ${optionProblem(error as Error)}`);
  }
  const args = strict.positionals.slice(command.name.split(" ").length);
  const [fewest, most] = command.args ?? [0, 0];
  if (args.length < fewest || args.length > most) {
    throw new UsageError(
      args.length < fewest
        ? `chat ${command.name}: missing argument (usage: chat ${command.usage})`
        : `chat ${command.name}: unexpected argument "${
          args[most]
        }" (usage: chat ${command.usage})`,
    );
  }
  return { kind: "run", command, args, values: strict.values as CommandInput["values"] };
}

/** `parseArgs`'s complaint in the command line's words. */
function optionProblem(error: Error): string {
  const code = (error as { code?: string }).code;
  const option = /'(-[^']*)'/.exec(error.message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${option ?? ""}`.trim();
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    return option ? `option ${option.split(" ")[0]} needs a value` : error.message;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return error.message;
  return error.message;
}

/** Text broken into lines of at most `width` characters, each starting with `indent`. */
export function wrap(text: string, width = 96, indent = ""): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** The command list: each usage, its summary under it. */
export function commandList(commands: Command[]): string[] {
  return commands.flatMap((c) => [`  chat ${c.usage}`, ...wrap(c.summary, 96, "      ")]);
}

/** `chat COMMAND --help`. */
export function commandHelp(command: Command): string {
  const lines = [
    ...wrap(`Usage: chat ${command.usage}`, 96),
    "",
    ...wrap(command.details ?? command.summary),
  ];
  if (command.optionHelp?.length) lines.push("", "Options:", ...command.optionHelp);
  lines.push("", SETTINGS_HELP);
  return lines.join("\n");
}

/** `chat GROUP --help`: the group's subcommands. */
export function groupHelp(group: string, commands: Command[]): string {
  return [
    `Usage: chat ${group} SUBCOMMAND ... (chat ${group} SUBCOMMAND --help for each)`,
    "",
    ...commandList(commands),
  ].join("\n");
}
