/**
 * `chat`: the webChat command line. Parses the command, builds the configuration once, and
 * starts the server or talks to a running one. The commands are in `cli/commands.ts`.
 *
 * Exit codes: 0 success, 1 failure (the message says why), 2 a usage or configuration error.
 *
 * @module
 */
import {
  ConfigError,
  type ConfigFlags,
  defaultConfig,
  loadConfig,
  readConfigFile,
} from "./config/mod.ts";
import { parseCommandLine, SETTINGS_HELP, UsageError } from "./cli/command_line.ts";
import { COMMANDS, mainHelp } from "./cli/commands.ts";
import { VERSION } from "./ops/version.ts";

async function main(argv: string[]): Promise<number> {
  if (argv.length === 1 && argv[0] === "--version") {
    console.log(`webChat ${VERSION} (Deno ${Deno.version.deno})`);
    return 0;
  }
  const parsed = parseCommandLine(argv, COMMANDS, mainHelp(SETTINGS_HELP));
  if (parsed.kind === "help") {
    console.log(parsed.text);
    return 0;
  }
  const flags = {
    ...parsed.values,
    ...parsed.command.settings?.(parsed.values),
  } as ConfigFlags & { config?: string };
  const env = Deno.env.toObject();
  const configPath = flags.config ?? env.CHAT_CONFIG;
  // The same sources again, for `chat reload`: the file may have changed, nothing else can.
  const reloadConfig = () => loadConfig({ file: readConfigFile(configPath), env, flags });
  let config;
  try {
    config = reloadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError) || !parsed.command.tolerant) throw error;
    config = { ...defaultConfig(), dataDir: dataDirOf(flags, env, configPath) };
    console.error(
      `chat: WARNING: ${error.message}; going on with the data folder ${config.dataDir}`,
    );
  }
  return await parsed.command.run({
    config,
    args: parsed.args,
    values: parsed.values,
    argv,
    reloadConfig,
  });
}

/** The data folder when the configuration as a whole does not load: flag, environment, file. */
function dataDirOf(
  flags: ConfigFlags,
  env: Record<string, string>,
  configPath: string | undefined,
): string {
  if (flags.data) return flags.data;
  if (env.CHAT_DATA_DIR) return env.CHAT_DATA_DIR;
  try {
    const data = (readConfigFile(configPath) as { data?: unknown } | undefined)?.data;
    if (typeof data === "string" && data.trim()) return data.trim();
  } catch {
    // unreadable as JSON: the default
  }
  return defaultConfig().dataDir;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    if (error instanceof UsageError) {
      const where = error.message.startsWith("chat") ? "" : "chat: ";
      console.error(`${where}${error.message}\n(chat --help lists the commands and their options)`);
      Deno.exit(2);
    }
    if (error instanceof ConfigError) {
      console.error(`chat: ${error.message}`);
      Deno.exit(2);
    }
    console.error(`chat: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
