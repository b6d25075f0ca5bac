/**
 * What `chat start` does before the server starts, in the command's own process (so that what
 * it has to say reaches the terminal also under `-d`):
 *
 * 1. Tables of the PHP webChat in the MySQL database: offered the upgrade on a terminal,
 *    else the start is refused with how to run it (the server would fail on them).
 * 2. No accounts at all: an `admin` account with a random password, printed once.
 * 3. `--demo`: the demo organisation.
 *
 * A server already running on the data folder skips all of it (the start is refused anyway).
 * A MySQL that cannot be reached skips it too, saying so: the server starts degraded.
 *
 * @module
 */
import { probeServer } from "../api/run_files.ts";
import type { ResolvedConfig } from "../config/mod.ts";
import { generatePassword, hashPassword } from "../store/password.ts";
import { openAccountStores } from "../store/user_admin.ts";
import { UserExistsError } from "../store/users.ts";
import { seedDemo } from "./demo_seed.ts";
import { offerUpgrade } from "./upgrade_command.ts";

/** Options of {@link prepareStart}. */
export interface PrepareOptions {
  demo?: boolean;
}

/** Runs the steps; answers 0 to go on, else the exit code of a refused start. */
export async function prepareStart(
  config: ResolvedConfig,
  options: PrepareOptions = {},
): Promise<number> {
  if (probeServer(config).running) return 0;
  if (config.mysqlUrl) {
    const offered = await offerUpgrade(config);
    // MySQL did not answer: the server starts degraded and says so; nothing to prepare now.
    if (offered === "unreachable") return 0;
    if (offered !== 0) return offered;
  }
  try {
    await firstAdmin(config);
  } catch (error) {
    console.error(
      `chat: could not check for a first account (${(error as Error).message}); ` +
        "`chat user add` makes one once the store answers",
    );
    return 0;
  }
  if (options.demo) {
    const seed = await seedDemo(config, () => {});
    if (seed.password) {
      console.log(
        `demo: ${seed.accounts.length} people in ${seed.departments} departments and ` +
          `${seed.messages} messages; ` +
          `log in as any of ${seed.accounts.join(", ")}`,
      );
      console.log(`demo password (the same for all, shown once): ${seed.password}`);
    } else console.log("demo: seeded before; log in with the password printed then");
  }
  return 0;
}

/** Creates `admin` when there is no account at all, and prints its password once. */
async function firstAdmin(config: ResolvedConfig): Promise<void> {
  const stores = await openAccountStores(config);
  try {
    if (await stores.users.count() > 0) return;
    const password = generatePassword(config.password.minLength);
    try {
      await stores.users.add({
        accountid: "admin",
        username: "Administrator",
        dept: "",
        deptDetail: "",
        email: "",
        tel: "",
        mobile: "",
      }, await hashPassword(password));
    } catch (error) {
      // Another node's first start made it a moment ago: its terminal has the password.
      if (error instanceof UserExistsError) return;
      throw error;
    }
    console.log("created the first account: admin");
    console.log(`admin password (shown once): ${password}`);
    console.log("change it with `chat user passwd admin`; add people with `chat user add`");
  } finally {
    await stores.close();
  }
}
