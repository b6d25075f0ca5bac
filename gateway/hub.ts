/**
 * The hub: every logged-in connection of this node, by account, and delivery to them. Big
 * deliveries (a group of 2,000, a broadcast to 10,000) go out in slices with a turn of the event
 * loop between them, so other sockets' frames are not held up; deliveries under one key (a chat)
 * go out one after another, so every member sees a chat's messages in the order they were sent.
 *
 * With other nodes ({@link NodeLink}), a delivery also goes to each other node where some of its
 * accounts are connected, once per node, with just those accounts (the node map is in memory:
 * a delivery whose accounts are all here costs no round trip); what other nodes hand over is
 * delivered here by {@link Hub.receive}. Messages (deliveries with a `seq`) then pass through a
 * per-chat {@link SeqOrder}, since a chat's messages sent on different nodes may arrive in
 * either order.
 *
 * @module
 */
import type { NodeLink } from "../store/node_link.ts";
import { yieldToEventLoop } from "./event_loop_yield.ts";
import { decodeRelay, encodeRelay } from "./relay.ts";
import { AWAIT_PREVIOUS_MS, SeqOrder } from "./seq_order.ts";

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
  /** The message's `seq` in the chat `key`: with other nodes, delivered in `seq` order. */
  seq?: number;
}

/** Connections by account. */
export class Hub<C extends HubMember = HubMember> {
  #byAccount = new Map<string, Set<C>>();
  /** The last delivery of each key still going out. */
  #pending = new Map<string, Promise<number>>();
  readonly #link: NodeLink | null;
  readonly #order = new SeqOrder();

  /** A hub of this node; with `link`, deliveries reach the other nodes' connections too. */
  constructor(link: NodeLink | null = null) {
    this.#link = link;
  }

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
    const distinct = new Set(accountids);
    if (this.#link) {
      for (const [node, accounts] of this.#link.route(distinct)) {
        this.#link.send(node, encodeRelay(accounts, text, "", undefined));
      }
    }
    let sent = 0;
    for (const accountid of distinct) {
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
    const link = this.#link;
    if (!link) return this.#deliverHere(accountids, text, options);
    const key = options.key ?? "";
    const routes = link.route(accountids);
    for (const [node, accounts] of routes) {
      link.send(node, encodeRelay(accounts, text, key, options.seq, options.textFor));
    }
    if (options.seq === undefined) return this.#deliverHere(accountids, text, options);
    // People on other nodes may be sending into this chat too: see AWAIT_PREVIOUS_MS.
    return this.#order.run(
      key,
      options.seq,
      () => this.#deliverHere(accountids, text, options),
      routes.size > 0 ? AWAIT_PREVIOUS_MS : 0,
    );
  }

  /**
   * Delivers here what another node handed over (see `relay.ts`); answers whether it is a
   * message (it has a `seq`) and to how many connections it went, or null for a text that is
   * not a delivery.
   */
  receive(payload: string): { message: boolean; sent: Promise<number> } | null {
    const relayed = decodeRelay(payload);
    if (!relayed) return null;
    const { key, seq, frames } = relayed;
    const accountids = frames.flatMap(([, accounts]) => accounts);
    let textFor: ((accountid: string) => string) | undefined;
    if (frames.length > 1) {
      const byAccount = new Map<string, string>();
      for (const [text, accounts] of frames) for (const a of accounts) byAccount.set(a, text);
      textFor = (accountid) => byAccount.get(accountid)!;
    }
    const text = frames[0]?.[0] ?? "";
    const here = () => this.#deliverHere(accountids, text, { key, textFor });
    return seq === undefined
      ? { message: false, sent: here() }
      : { message: true, sent: this.#order.run(key, seq, here) };
  }

  #deliverHere(
    accountids: readonly string[],
    text: string,
    options: DeliveryOptions,
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
