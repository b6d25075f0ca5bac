/**
 * The hub: every logged-in connection of this node, by account, and delivery to them. Big
 * deliveries (a group of 2,000, a broadcast to 10,000) go out in slices with a turn of the event
 * loop between them, so other sockets' frames are not held up; deliveries under one key (a chat)
 * go out one after another, so every member sees a chat's messages in the order they were sent.
 *
 * Delivery is local to this node; the cross-node fan-out replaces {@link Hub.deliver} later.
 *
 * @module
 */
import { yieldToEventLoop } from "./event_loop_yield.ts";

/** Connections one slice of a delivery sends to before the event loop gets a turn. */
export const DELIVERY_SLICE = 500;

/** What the hub needs of a connection. */
export interface HubMember {
  readonly accountid: string;
  /** Queues a frame; a connection that cannot keep up disconnects itself. */
  send(text: string): void;
}

/** How {@link Hub.deliver} sends. */
export interface DeliveryOptions {
  /** Deliveries with the same key go out in the order they were asked for (a chat id). */
  key?: string;
  /** The frame for one account, when not all get the same (a mention); default `text`. */
  textFor?: (accountid: string) => string;
}

/** Connections by account. */
export class Hub<C extends HubMember = HubMember> {
  #byAccount = new Map<string, Set<C>>();
  /** The last delivery of each key still going out. */
  #pending = new Map<string, Promise<number>>();

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

  /**
   * Sends a frame to every connection of the given (distinct) accounts, in slices of
   * {@link DELIVERY_SLICE} connections with a turn of the event loop between slices; resolves
   * once all are sent, with how many connections got it. A small delivery with nothing ahead
   * of it under its key is sent at once.
   */
  deliver(
    accountids: readonly string[],
    text: string,
    options: DeliveryOptions = {},
  ): Promise<number> {
    const key = options.key ?? "";
    const ahead = this.#pending.get(key);
    if (!ahead && accountids.length <= DELIVERY_SLICE) {
      return Promise.resolve(this.#sendSlice(accountids, 0, Infinity, text, options.textFor).sent);
    }
    const run = (ahead ?? Promise.resolve(0)).catch(() => 0).then(() =>
      this.#sliced(accountids, text, options.textFor)
    );
    this.#pending.set(key, run);
    void run.finally(() => {
      if (this.#pending.get(key) === run) this.#pending.delete(key);
    });
    return run;
  }

  async #sliced(
    accountids: readonly string[],
    text: string,
    textFor?: (accountid: string) => string,
  ): Promise<number> {
    let total = 0;
    for (let next = 0; next < accountids.length;) {
      const slice = this.#sendSlice(accountids, next, DELIVERY_SLICE, text, textFor);
      total += slice.sent;
      next = slice.next;
      if (next < accountids.length) await yieldToEventLoop();
    }
    return total;
  }

  /**
   * Sends from `accountids[from]` on until about `budget` connections got it; answers the next
   * index and how many connections were sent to.
   */
  #sendSlice(
    accountids: readonly string[],
    from: number,
    budget: number,
    text: string,
    textFor?: (accountid: string) => string,
  ): { next: number; sent: number } {
    let sent = 0, i = from;
    for (; i < accountids.length && sent < budget; i++) {
      const set = this.#byAccount.get(accountids[i]);
      if (!set) continue;
      const frame = textFor ? textFor(accountids[i]) : text;
      for (const connection of set) connection.send(frame);
      sent += set.size;
    }
    return { next: i, sent };
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
