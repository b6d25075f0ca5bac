/**
 * Open connections by the session they were opened with, so a session that ends (logout,
 * expiry, password change) takes its sockets with it: at once when this node hears of it, and
 * otherwise at the next periodic look, which asks the session store about every open session
 * in batches (one round trip per batch, not per connection).
 *
 * @module
 */
import type { Log } from "../ops/log.ts";
import type { SessionStore } from "../store/sessions.ts";
import { CloseCode } from "./protocol.ts";

/** What the watch needs of a connection. */
export interface WatchedConnection {
  /** The session's key (the hash of its token). */
  readonly sessionKey: string;
  /** Set when the client sent a frame that counts as use (not `ping`/`pong`); reset here. */
  usedSinceCheck: boolean;
  close(code: number, reason: string): void;
}

/** Sessions asked about in one round trip. */
const BATCH = 500;

/** Connections grouped by session. */
export class SessionWatch<C extends WatchedConnection> {
  #bySession = new Map<string, Set<C>>();
  #checking = false;
  #failing = false;

  constructor(
    private readonly sessions: Pick<SessionStore, "live">,
    private readonly log: Log,
    private readonly batchSize = BATCH,
  ) {}

  add(connection: C): void {
    let set = this.#bySession.get(connection.sessionKey);
    if (!set) this.#bySession.set(connection.sessionKey, set = new Set());
    set.add(connection);
  }

  remove(connection: C): void {
    const set = this.#bySession.get(connection.sessionKey);
    if (!set?.delete(connection)) return;
    if (set.size === 0) this.#bySession.delete(connection.sessionKey);
  }

  /** Closes every connection of the given sessions with 4401; answers how many. */
  end(keys: Iterable<string>): number {
    let closed = 0;
    for (const key of keys) {
      for (const connection of [...this.#bySession.get(key) ?? []]) {
        connection.close(CloseCode.unauthenticated, "session ended");
        this.remove(connection);
        closed++;
      }
    }
    return closed;
  }

  /**
   * Asks the store which open sessions still live, extending those used since the last look,
   * and ends the others. A look that fails (store down) ends nothing: a store outage must not
   * log everybody out. Looks never overlap.
   */
  async recheck(): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    try {
      const keys = [...this.#bySession.keys()];
      for (let i = 0; i < keys.length; i += this.batchSize) {
        if (!await this.#checkBatch(keys.slice(i, i + this.batchSize))) return;
      }
      if (this.#failing) this.log("sessions: recheck works again");
      this.#failing = false;
    } finally {
      this.#checking = false;
    }
  }

  async #checkBatch(keys: string[]): Promise<boolean> {
    // Flags are reset before the round trip, so frames that arrive during it count next time.
    const used = new Set<string>();
    for (const key of keys) {
      for (const connection of this.#bySession.get(key) ?? []) {
        if (connection.usedSinceCheck) used.add(key);
        connection.usedSinceCheck = false;
      }
    }
    let alive: Set<string>;
    try {
      alive = await this.sessions.live(keys, used);
    } catch (error) {
      for (const key of used) {
        for (const connection of this.#bySession.get(key) ?? []) connection.usedSinceCheck = true;
      }
      if (!this.#failing) this.log(`sessions: cannot recheck open sockets: ${error}`, "warn");
      this.#failing = true;
      return false;
    }
    this.end(keys.filter((key) => !alive.has(key)));
    return true;
  }
}
