/**
 * Whose password a login is checked against: the company directory when one is configured
 * (`directory.url`), local password hashes otherwise, and beside a directory only for the
 * accounts of `directory.localAccounts` (before the directory with `directory.order`
 * `local-first`, else only when the directory did not accept the login, or is down).
 *
 * A directory login writes the person's profile into `webchat_user` (created or updated, never
 * a password), so the rest of the server knows them like any account.
 *
 * @module
 */
import type { DirectoryConfig } from "../config/directory_config.ts";
import type { Directory } from "../store/directory.ts";
import { DirectoryUnavailableError } from "../store/directory.ts";
import { hashPassword, verifyPassword } from "../store/password.ts";
import { ACCOUNT_ID, type UserStore, type UserWithPassword } from "../store/users.ts";

/** A hash to verify against when the account does not exist, so timing does not tell. */
const DUMMY_HASH = await hashPassword(crypto.randomUUID());

/** The outcome of {@link checkCredentials}. */
export type Credentials =
  | { ok: true; user: UserWithPassword; via: "local" | "directory"; needsRehash: boolean }
  | { ok: false };

/** What a check needs. */
export interface CredentialSources {
  users: UserStore;
  directory?: Directory;
  settings: DirectoryConfig;
  /** Told when the directory could not answer and a local account was checked instead. */
  onDirectoryError?: (error: DirectoryUnavailableError) => void;
}

/**
 * Checks `password` for `accountid`. Throws {@link DirectoryUnavailableError} when the directory
 * is needed and cannot answer (the caller answers 503), and store errors as they come.
 */
export async function checkCredentials(
  sources: CredentialSources,
  accountid: string,
  password: string,
): Promise<Credentials> {
  const { directory, settings } = sources;
  if (!directory) return await checkLocal(sources.users, accountid, password);
  const listed = settings.localAccounts.some((a) => a.toLowerCase() === accountid.toLowerCase());
  if (listed && settings.order === "local-first") {
    const local = await checkLocal(sources.users, accountid, password);
    if (local.ok) return local;
  }
  let login;
  try {
    login = await directory.login(accountid, password);
  } catch (error) {
    if (!(error instanceof DirectoryUnavailableError) || !listed) throw error;
    sources.onDirectoryError?.(error);
    return settings.order === "local-first"
      ? { ok: false }
      : await checkLocal(sources.users, accountid, password);
  }
  if (login.result === "ok") {
    const saved = await sources.users.saveDirectoryUser(login.person.user);
    const user = await sources.users.findWithPassword(saved.accountid);
    // Deleted between the write and the read: no account to log in to.
    if (!user) return { ok: false };
    return { ok: true, user, via: "directory", needsRehash: false };
  }
  if (listed && settings.order === "directory-first") {
    return await checkLocal(sources.users, accountid, password);
  }
  return { ok: false };
}

async function checkLocal(
  users: UserStore,
  accountid: string,
  password: string,
): Promise<Credentials> {
  const user = ACCOUNT_ID.test(accountid) ? await users.findWithPassword(accountid) : null;
  // A row without a password (a directory person, an import without one) never matches.
  const check = await verifyPassword(password, user?.passwordHash || DUMMY_HASH);
  if (!user || !user.passwordHash || !check.ok) return { ok: false };
  return { ok: true, user, via: "local", needsRehash: check.needsRehash };
}
