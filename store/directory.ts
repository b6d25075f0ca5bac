/**
 * The company directory port: who may log in with a domain password, and who works here (for
 * `chat directory sync`). The LDAP adapter is `directory_ldap.ts`; webChat's own `webchat_user`
 * keeps a copy of each person's profile, never their password.
 *
 * @module
 */
import type { User } from "./users.ts";

/** A person as the directory describes them, mapped onto a profile. */
export interface DirectoryPerson {
  /** The entry's distinguished name. */
  dn: string;
  user: User;
}

/** What the directory said about a login. */
export type DirectoryLogin =
  | { result: "ok"; person: DirectoryPerson }
  /** No entry matches the account (it may still be a local one). */
  | { result: "unknown" }
  /** More than one entry matches: nobody logs in as it until the directory is fixed. */
  | { result: "ambiguous" }
  /** The entry exists and the password is wrong (or empty: never sent to a bind). */
  | { result: "bad_password" };

/** An entry under the base DN that cannot become an account, and why. */
export interface SkippedEntry {
  dn: string;
  reason: string;
}

/** Everybody under the base DN. */
export interface DirectoryPeople {
  people: DirectoryPerson[];
  /** Entries left out (no account attribute, a name webChat cannot use, the same account twice). */
  skipped: SkippedEntry[];
}

/** The directory could not answer (down, slow, TLS refused, the service bind refused). */
export class DirectoryUnavailableError extends Error {
  constructor(
    /** The step that failed: `connect`, `tls`, `bind` (the service account) or `search`. */
    readonly during: "connect" | "tls" | "bind" | "search",
    reason: string,
  ) {
    super(`the directory is unavailable (${during}): ${reason}`);
    this.name = "DirectoryUnavailableError";
  }
}

/** The company directory. */
export interface Directory {
  /** Checks an account's password against the directory; throws {@link DirectoryUnavailableError}. */
  login(account: string, password: string): Promise<DirectoryLogin>;
  /** Everybody `listFilter` finds, `progress` told the count after each page. */
  people(progress?: (found: number) => void): Promise<DirectoryPeople>;
}
