/**
 * The hub: every logged-in connection of this node, by account, and delivery to them.
 *
 * @module
 */

/** What the hub needs of a connection. */
export interface HubMember {
  readonly accountid: string;
  /** Queues a frame; a connection that cannot keep up disconnects itself. */
  send(text: string): void;
}

/** Connections by account. */
export class Hub<C extends HubMember = HubMember> {
  #byAccount = new Map<string, Set<C>>();

  /** Adds a logged-in connection; true when it is the account's first on this node. */
  add(connection: C): boolean {
    let set = this.#byAccount.get(connection.accountid);
    const first = set === undefined;
    if (!set) this.#byAccount.set(connection.accountid, set = new Set());
    set.add(connection);
    return first;
  }

  /** Removes a connection; true when it was the account's last on this node. */
  remove(connection: C): boolean {
    const set = this.#byAccount.get(connection.accountid);
    if (!set?.delete(connection)) return false;
    if (set.size > 0) return false;
    this.#byAccount.delete(connection.accountid);
    return true;
  }

  /** True when the account has a connection on this node. */
  has(accountid: string): boolean {
    return this.#byAccount.has(accountid);
  }

  /**
   * Sends a frame to every connection of the given accounts, except `skip`; answers to how
   * many connections.
   */
  sendTo(accountids: Iterable<string>, text: string, skip?: C): number {
    let sent = 0;
    for (const accountid of new Set(accountids)) {
      for (const connection of this.#byAccount.get(accountid) ?? []) {
        if (connection === skip) continue;
        connection.send(text);
        sent++;
      }
    }
    return sent;
  }

  /** Accounts with a connection on this node. */
  get accounts(): number {
    return this.#byAccount.size;
  }

  /** Sends a frame to every connection of every account except `exceptAccount`. */
  sendToAll(text: string, exceptAccount?: string): void {
    for (const [accountid, set] of this.#byAccount) {
      if (accountid === exceptAccount) continue;
      for (const connection of set) connection.send(text);
    }
  }

  /** Every logged-in connection. */
  *connections(): IterableIterator<C> {
    for (const set of this.#byAccount.values()) yield* set;
  }
}
