/**
 * The group directory port: groups, their members with join times, the stretches of time each
 * account was a member (what it may read of the history), and per-account mutes. MySQL (SQLite
 * when embedded) is the source of truth; Redis only caches (see `group_cache_redis.ts`).
 *
 * Contract, for every implementation:
 * - `create` makes a group once: a second `create` of the same chat id answers null and changes
 *   nothing.
 * - `change` is all-or-nothing and applies only to the version the caller read (optimistic
 *   concurrency): when the group changed meanwhile it answers null and changes nothing, and the
 *   caller reads again and re-checks its rules. Every change raises `version`.
 * - `find` answers the current state, also right after a change made through another instance
 *   (another node) sharing the same stores.
 * - A member's stretches (`spans`) survive removal: a removed member keeps what it could read.
 *
 * @module
 */

/** Most chars of a group title (code points). */
export const MAX_GROUP_TITLE = 100;

/** Stretches kept per account and group; older ones are forgotten (their history too). */
export const MAX_SPANS_PER_MEMBER = 20;

/** A current member of a group. */
export interface GroupMember {
  accountid: string;
  /** Milliseconds since the epoch when this membership began. */
  joinedMs: number;
}

/** A group chat with its current members. */
export interface Group {
  chatid: string;
  title: string;
  owner: string;
  /** Unix seconds of creation and of the last change. */
  ctime: number;
  mtime: number;
  /** Current members, longest-standing first (ties in the order they were added). */
  members: GroupMember[];
  /** Raised by every change; what caches compare. */
  version: number;
}

/** One stretch of membership: `[fromMs, toMs)`, `toMs` null while it lasts. */
export interface MemberSpan {
  fromMs: number;
  toMs: number | null;
}

/** What `create` needs. */
export interface NewGroup {
  chatid: string;
  title: string;
  owner: string;
  /** Every member, the owner included, in the order they are added. */
  members: string[];
  atMs: number;
}

/** One change, applied at once. */
export interface GroupChange {
  /** Accounts that join (not current members), in the order they are added. */
  add: string[];
  /** Current members that leave or are removed. */
  remove: string[];
  /** A new title, when it changes. */
  title?: string;
  /** A new owner (a member after the change), when it changes. */
  owner?: string;
  atMs: number;
}

/** The group directory. */
export interface GroupStore {
  /** The group and its current members, or null when no such group exists. */
  find(chatid: string): Promise<Group | null>;
  /** Creates the group; null when the chat id is taken (nothing changes then). */
  create(group: NewGroup): Promise<Group | null>;
  /**
   * Applies `change` if the group is still at `version`; the new state, or null when it moved
   * on meanwhile (or does not exist): nothing was changed then.
   */
  change(chatid: string, version: number, change: GroupChange): Promise<Group | null>;
  /** The stretches `accountid` was a member of the group, oldest first ([] when never). */
  spans(chatid: string, accountid: string): Promise<MemberSpan[]>;
  /** Every group `accountid` has stretches in (current or former member), with them. */
  memberships(accountid: string): Promise<Map<string, MemberSpan[]>>;
  /** Mutes (true) or unmutes the group for the account, on all of its devices. */
  setMuted(accountid: string, chatid: string, muted: boolean): Promise<void>;
  /** The groups the account muted. */
  muted(accountid: string): Promise<string[]>;
}

/**
 * A second, shared copy of groups (Redis in production), so that every node sees a change at
 * once without asking MySQL on every message, and keeps working while MySQL is away. Only a
 * cache: losing it (FLUSHDB) costs a reload from the source.
 */
export interface GroupCache {
  /** The cached version of the group, or null when it is not cached. */
  version(chatid: string): Promise<number | null>;
  /** The cached group, or null. */
  get(chatid: string): Promise<Group | null>;
  /** Caches `group` unless a newer version is cached already. */
  put(group: Group): Promise<void>;
  /** Forgets the group (before a change, so nobody keeps trusting the old version). */
  forget(chatid: string): Promise<void>;
}
