/**
 * The user directory port (`webchat_user`).
 *
 * @module
 */

/** `^[A-Za-z0-9_.]{1,40}$`: letters, digits, `_` and `.` (never `-`: chat ids use it). */
export const ACCOUNT_ID = /^[A-Za-z0-9_.]{1,40}$/;

/** A user as every API answer shows it; password material never leaves the server. */
export interface User {
  accountid: string;
  username: string;
  dept: string;
  /** Department path, top level first, comma separated. */
  deptDetail: string;
  email: string;
  tel: string;
  mobile: string;
}

/** A user with the stored password hash, for login only. */
export interface UserWithPassword extends User {
  passwordHash: string;
  /** A disabled account cannot log in (see {@link UserStore.setDisabled}). */
  disabled: boolean;
}

/** An account as administration sees it. */
export interface Account extends User {
  disabled: boolean;
  /** False for an account without a password (it cannot log in until one is set). */
  hasPassword: boolean;
}

/** A page of {@link UserStore.accounts}. */
export interface AccountQuery {
  /** Only accounts after this one, in accountid order (the last one of the previous page). */
  after?: string;
  /** Page size, 1..10000. */
  limit: number;
  /**
   * Only one department: a name (its `dept`, or any level of its `deptDetail` path) or, with a
   * comma, a path prefix (`Company,R&D` and everything under it). Case is ignored.
   */
  dept?: string;
}

/** One account of {@link UserStore.addMany}. */
export interface NewAccount {
  user: User;
  /** "" for an account without a password. */
  passwordHash: string;
  disabled?: boolean;
}

/** Thrown by `add` when the account exists. */
export class UserExistsError extends Error {
  constructor(accountid: string) {
    super(`Cannot add user: account "${accountid}" already exists`);
    this.name = "UserExistsError";
  }
}

/** What {@link UserStore.saveDirectoryUser} did. */
export interface DirectorySave {
  outcome: "created" | "updated" | "unchanged";
  /** The stored spelling of the account (an existing row keeps its own). */
  accountid: string;
  /** Disabled by an administrator (the directory does not enable it again). */
  disabled: boolean;
  /** It had left the directory and is back: enabled again. */
  returned: boolean;
}

/** A row that came from the company directory. */
export interface DirectoryAccount {
  accountid: string;
  /** Disabled by an administrator. */
  disabled: boolean;
  /** Disabled because it left the directory (see {@link UserStore.markLeft}). */
  left: boolean;
}

/** The user directory. */
export interface UserStore {
  /**
   * Creates or updates the row of a person of the company directory (its `source` becomes
   * `directory`; the password column is left as it is). One that had left is enabled again; one
   * an administrator disabled stays disabled.
   */
  saveDirectoryUser(user: User): Promise<DirectorySave>;
  /** Every row that came from the company directory. */
  directoryAccounts(): Promise<DirectoryAccount[]>;
  /**
   * Disables directory rows of people no longer in the directory (unless disabled already);
   * returns how many changed. Ending their sessions is the caller's part.
   */
  markLeft(accountids: string[]): Promise<number>;
  find(accountid: string): Promise<User | null>;
  findWithPassword(accountid: string): Promise<UserWithPassword | null>;
  /** The subset of `accountids` that exist. */
  existing(accountids: string[]): Promise<Set<string>>;
  /** Adds a user; throws {@link UserExistsError} when the account exists. */
  add(user: User, passwordHash: string): Promise<void>;
  /** Replaces a password hash; false when the account does not exist. */
  setPassword(accountid: string, passwordHash: string): Promise<boolean>;
  /**
   * Users whose account, name or department contains `q` (all when empty), by account: the
   * directory people see, so disabled accounts are left out.
   */
  list(q: string, limit: number): Promise<User[]>;
  /**
   * Disables (or enables again) an account: a disabled one keeps its profile and history but
   * cannot log in. Ending its sessions is the caller's part. False when there is no account.
   */
  setDisabled(accountid: string, disabled: boolean): Promise<boolean>;
  /** Deletes an account (its messages stay in history); false when there is none. */
  remove(accountid: string): Promise<boolean>;
  /** How many accounts there are, disabled ones included. */
  count(): Promise<number>;
  /** Accounts for administration, disabled ones included, by accountid. */
  accounts(query: AccountQuery): Promise<Account[]>;
  /**
   * Adds accounts in one transaction, all or none: throws {@link UserExistsError} naming an
   * account that exists (or appears twice) and then nothing is added.
   */
  addMany(accounts: NewAccount[]): Promise<void>;
  /**
   * The accounts in any of the departments `paths` (`deptDetail` paths such as "Company,R&D"),
   * sub-departments included ("Company,R&D,Web"), by account; at most `limit`.
   */
  inDepartments(paths: string[], limit: number): Promise<string[]>;
}

/**
 * A second, shared copy of profiles (Redis in production), read only when the directory's own
 * store cannot be reached, so a node restarted during a MySQL outage still knows who its
 * logged-in people are. It only caches: MySQL stays the source of truth.
 */
export interface UserProfileCache {
  /** The cached profiles among `accountids` (missing ones are absent). */
  get(accountids: string[]): Promise<Map<string, User>>;
  /** Remembers profiles just read from the source; failures are ignored. */
  put(users: User[]): void;
}
