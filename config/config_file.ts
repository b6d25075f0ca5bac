/**
 * Finds and reads the config file: `--config FILE`, else `CHAT_CONFIG`, else `./chat.json`
 * when it exists.
 *
 * @module
 */
import { ConfigError } from "./config.ts";

/** The parsed file, or undefined when none is given and `./chat.json` does not exist. */
export function readConfigFile(path: string | undefined): unknown {
  const explicit = path !== undefined;
  const file = path ?? "chat.json";
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (error) {
    if (!explicit && error instanceof Deno.errors.NotFound) return undefined;
    throw new ConfigError("--config", `cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, `not valid JSON: ${(error as Error).message}`);
  }
}
