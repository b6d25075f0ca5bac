/**
 * {@link Presence} for the embedded backend. Nothing is written to SQLite: the embedded backend
 * is one process, so the set of accounts with a connection in this process is the whole truth,
 * and after a restart nobody is connected anyway (a table would only hold stale entries).
 *
 * @module
 */
import type { Presence } from "./presence.ts";

/** Presence of a single-process server, kept in memory. */
export class SqlitePresence implements Presence {
  readonly #online = new Set<string>();

  online(accountid: string): Promise<void> {
    this.#online.add(accountid);
    return Promise.resolve();
  }

  offline(accountid: string): Promise<void> {
    this.#online.delete(accountid);
    return Promise.resolve();
  }

  list(): Promise<string[]> {
    return Promise.resolve([...this.#online].sort());
  }

  isOnline(accountid: string): boolean {
    return this.#online.has(accountid);
  }

  /** Nothing to refresh: there is no other node to tell. */
  start(): void {}

  close(): Promise<void> {
    this.#online.clear();
    return Promise.resolve();
  }
}
