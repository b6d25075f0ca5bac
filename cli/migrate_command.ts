/**
 * `chat migrate --to-mysql URL --redis URL [--to-files DIR] [--sessions]`.
 *
 * @module
 */
import { MigrationRefused, runMigration } from "../migrate/run_migration.ts";
import { type CommandInput, UsageError } from "./command_line.ts";
import { Progress } from "./progress.ts";

/** Runs the migration with a progress bar per copier; returns the exit code. */
export async function migrateCommand(input: CommandInput): Promise<number> {
  const { config } = input;
  if (input.values["to-mysql"] === undefined || !config.redisUrl) {
    throw new UsageError("chat migrate: give both --to-mysql URL and --redis URL");
  }
  const filesTo = input.values["to-files"];
  if (filesTo === "") throw new UsageError("chat migrate: --to-files needs a folder");
  let bar: Progress | null = null;
  try {
    const lines = await runMigration(config, {
      sessions: input.values.sessions === true,
      filesTo: typeof filesTo === "string" ? filesTo : undefined,
      onProgress: (copier, total, rows) => {
        if (total !== null) {
          bar?.finish();
          bar = new Progress(copier, total);
        } else bar?.add(rows);
      },
    });
    (bar as Progress | null)?.finish();
    for (const line of lines) console.log(line);
    console.log(
      "migrated. Start the server with the same --redis and --mysql; running this again " +
        "copies only what is not there yet.",
    );
    return 0;
  } catch (error) {
    (bar as Progress | null)?.finish();
    if (!(error instanceof MigrationRefused)) throw error;
    console.error(`chat migrate: ${error.message}; nothing was copied`);
    return 1;
  }
}
