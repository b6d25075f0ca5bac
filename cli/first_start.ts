/**
 * What a start does once its server runs (so a start that fails, on a port in use say, has
 * touched no store): on an installation without any account, `admin` with a random password;
 * with `--demo`, the demo organisation. What they say is for the operator's terminal only,
 * never the log (a password in a log file outlives its use): the foreground prints it, a
 * background server hands it to the `start -d` that started it (see `api/daemon.ts`).
 *
 * @module
 */
import type { ResolvedConfig } from "../config/mod.ts";
import type { Backend } from "../store/backend.ts";
import { generatePassword, hashPassword } from "../store/password.ts";
import { UserExistsError } from "../store/users.ts";
import { seedDemo } from "./demo_seed.ts";

/** Runs the first-start steps; answers the lines for the terminal. */
export async function firstStart(
  backend: Backend,
  config: ResolvedConfig,
  options: { demo?: boolean },
  log: (line: string) => void,
): Promise<string[]> {
  const lines: string[] = [];
  try {
    lines.push(...await firstAdmin(backend, config, log));
  } catch (error) {
    // MySQL away (a degraded start): the next start looks again.
    lines.push(
      `could not check for a first account (${(error as Error).message}); ` +
        "`chat user add` makes one once the store answers",
    );
  }
  if (!options.demo) return lines;
  try {
    const seed = await seedDemo(backend, config, log);
    if (!seed.password) {
      lines.push("demo: seeded before; log in with the password printed then");
      return lines;
    }
    lines.push(
      `demo: ${seed.accounts.length} people in ${seed.departments} departments, ` +
        `${seed.groups} groups, ${seed.broadcasts} broadcast and ${seed.messages} messages; ` +
        `log in as any of ${seed.accounts.join(", ")}`,
      `demo password (the same for all, shown once): ${seed.password}`,
    );
  } catch (error) {
    lines.push(`demo: not seeded: ${(error as Error).message}`);
  }
  return lines;
}

async function firstAdmin(
  backend: Backend,
  config: ResolvedConfig,
  log: (line: string) => void,
): Promise<string[]> {
  if (await backend.users.count() > 0) return [];
  const password = generatePassword(config.password.minLength);
  try {
    await backend.users.add({
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
    if (error instanceof UserExistsError) return [];
    throw error;
  }
  log("created the first account, admin (its password went to the terminal that started it)");
  return [
    "created the first account: admin",
    `admin password (shown once): ${password}`,
    "change it with `chat user passwd admin`; add people with `chat user add`",
  ];
}
