/**
 * {@link GroupStore} over a source of truth (MySQL or SQLite) with a copy of each group in the
 * process and, in production, a shared copy in Redis. The say path asks for a group's members
 * on every message, and a group may have 2,000 of them: the process copy is used as long as its
 * version is the current one, which costs one small read (the version in Redis, or in SQLite)
 * instead of the whole member list. Every change bumps the version in the source, forgets the
 * shared copy before writing and caches the new state after, so every node sees it at once.
 *
 * While MySQL is away the shared copy (and else the process copy) keeps answering, so chats in
 * groups go on in degraded mode; changes to groups wait for MySQL.
 *
 * @module
 */
import type { Group, GroupCache, GroupChange, GroupStore, MemberSpan, NewGroup } from "./groups.ts";

/** The source of truth: a {@link GroupStore} that can also tell a group's version alone. */
export interface GroupSource extends GroupStore {
  /** The group's version, or null when it does not exist. */
  version(chatid: string): Promise<number | null>;
}

/** Groups kept in the process at most; the least recently used are dropped first. */
const LOCAL_GROUPS = 10_000;

/** The group store the server uses: source + caches. */
export class CachedGroups implements GroupStore {
  readonly #source: GroupSource;
  readonly #shared: GroupCache | undefined;
  readonly #local = new Map<string, Group>();

  /** `shared` (optional): the copy other nodes see (Redis); without it the source is asked. */
  constructor(source: GroupSource, shared?: GroupCache) {
    this.#source = source;
    this.#shared = shared;
  }

  async find(chatid: string): Promise<Group | null> {
    const local = this.#local.get(chatid);
    if (!this.#shared) {
      const version = await this.#source.version(chatid);
      if (version === null) {
        this.#local.delete(chatid);
        return null;
      }
      if (local?.version === version) return this.#remember(local);
      return this.#load(chatid);
    }
    let version: number | null | undefined;
    try {
      version = await this.#shared.version(chatid);
    } catch {
      version = undefined; // Redis away: the source decides
    }
    if (typeof version === "number") {
      if (local?.version === version) return this.#remember(local);
      const cached = await this.#shared.get(chatid).catch(() => null);
      if (cached?.version === version) return this.#remember(cached);
    }
    try {
      return await this.#load(chatid);
    } catch (error) {
      // The source is away: an older copy is better than stopping every group chat.
      if (local) return local;
      const cached = await this.#shared.get(chatid).catch(() => null);
      if (cached) return this.#remember(cached);
      throw error;
    }
  }

  async create(group: NewGroup): Promise<Group | null> {
    const created = await this.#source.create(group);
    if (created) await this.#publish(created);
    return created;
  }

  async change(chatid: string, version: number, change: GroupChange): Promise<Group | null> {
    // Forgotten first: a node that reads between our commit and our put then loads from the
    // source instead of trusting the old copy. If Redis is away, nothing is changed.
    await this.#shared?.forget(chatid);
    const changed = await this.#source.change(chatid, version, change);
    if (changed) await this.#publish(changed);
    else this.#local.delete(chatid);
    return changed;
  }

  spans(chatid: string, accountid: string): Promise<MemberSpan[]> {
    return this.#source.spans(chatid, accountid);
  }

  memberships(accountid: string): Promise<Map<string, MemberSpan[]>> {
    return this.#source.memberships(accountid);
  }

  setMuted(accountid: string, chatid: string, muted: boolean): Promise<void> {
    return this.#source.setMuted(accountid, chatid, muted);
  }

  muted(accountid: string): Promise<string[]> {
    return this.#source.muted(accountid);
  }

  async #load(chatid: string): Promise<Group | null> {
    const group = await this.#source.find(chatid);
    if (!group) {
      this.#local.delete(chatid);
      return null;
    }
    this.#remember(group);
    // The shared copy is rebuilt on the way (after FLUSHDB, or once it expired).
    await this.#shared?.put(group).catch(() => {});
    return group;
  }

  /** Keeps the group locally, and shared; a failed shared put leaves the key forgotten. */
  async #publish(group: Group): Promise<void> {
    this.#remember(group);
    await this.#shared?.put(group).catch(() => {});
  }

  #remember(group: Group): Group {
    this.#local.delete(group.chatid);
    this.#local.set(group.chatid, group);
    if (this.#local.size > LOCAL_GROUPS) {
      this.#local.delete(this.#local.keys().next().value!);
    }
    return group;
  }
}
