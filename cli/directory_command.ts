/**
 * `chat directory sync [--dry-run] [--force]`: the accounts of the company directory, now (the
 * server can also run it every `directory.syncHours`).
 *
 * @module
 */
import { DirectoryUnavailableError } from "../store/directory.ts";
import { LdapDirectory } from "../store/directory_ldap.ts";
import { describeSync, syncDirectory, SyncRefusedError } from "../store/directory_sync.ts";
import { openAccountStores } from "../store/user_admin.ts";
import type { CommandInput } from "./command_line.ts";

/** Runs one sync, progress on standard error, the report on standard output. */
export async function directorySyncCommand(input: CommandInput): Promise<number> {
  const { config } = input;
  if (!config.directory.url) {
    console.error(
      "chat directory sync: no directory is configured (set directory.url, directory.baseDn, " +
        "directory.bindDn and its password; see the README's Company directory section)",
    );
    return 1;
  }
  const directory = new LdapDirectory(config.directory);
  const stores = await openAccountStores(config);
  try {
    const report = await syncDirectory(
      { directory, users: stores.users, sessions: stores.sessions },
      {
        dryRun: input.values["dry-run"] === true,
        force: input.values.force === true,
        progress: (line) => console.error(`directory: ${line}`),
      },
    );
    for (const line of describeSync(report)) console.log(line);
    return 0;
  } catch (error) {
    if (error instanceof SyncRefusedError || error instanceof DirectoryUnavailableError) {
      console.error(`chat directory sync: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await stores.close();
  }
}
