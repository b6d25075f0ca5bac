/**
 * {@link Presence} and the {@link NodeLink} in Redis: the nodes of one installation and who is
 * connected to which.
 *
 * - `<prefix>node:lease:<nodeId>`: the node's lease, a random token with a TTL of
 *   `node.leaseSeconds` that the node renews every third of it. It is claimed with `SET NX` at
 *   start, so a second process given the same configured id refuses to start.
 * - `<prefix>presence:node:<nodeId>`: the accounts with a connection on that node (expires by
 *   itself two leases after the node stops renewing it); `<prefix>presence:nodes` lists the
 *   nodes, so nothing ever scans the keyspace.
 * - `<prefix>chat:presence` (pub/sub): `+node account` (first connection on that node),
 *   `-node account` (last one closed), `=node account…` (the node's whole set, after it healed),
 *   `!node` (the node stopped).
 * - `<prefix>chat:node:<nodeId>` (sharded pub/sub where Redis has it, else pub/sub): deliveries
 *   for that node's connections only.
 *
 * Every node keeps the whole map (account → nodes) in memory: loaded when it starts listening,
 * kept by the presence channel, reloaded after its subscriber connection came back (and then its
 * connections are told to catch up: whatever was published meanwhile is lost to it). A node that
 * dies without saying so stops renewing its lease; each other node notices within a third of a
 * lease after it lapsed and takes the dead node's accounts out (announced offline where they are
 * not connected elsewhere).
 *
 * @module
 */
import type { Log } from "../ops/log.ts";
import type { NodeEvents, NodeLink } from "./node_link.ts";
import type { Presence } from "./presence.ts";
import { closeRedis, type RedisClient } from "./redis_client.ts";

/** Options of {@link RedisPresence}. */
export interface RedisPresenceOptions {
  redis: RedisClient;
  prefix: string;
  nodeId: string;
  /** Lifetime of the node's lease (default 15 s). */
  leaseSeconds?: number;
  log?: Log;
}

/** Presence shared by every node through Redis, and the channels between nodes. */
export class RedisPresence implements Presence, NodeLink {
  readonly nodeId: string;
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #leaseMs: number;
  readonly #log: Log;
  readonly #token = crypto.randomUUID();
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Accounts with a connection on this node. */
  #local = new Set<string>();
  /** The other live nodes' accounts. */
  #others = new Map<string, Set<string>>();
  /** Account → the other nodes where it has a connection. */
  #where = new Map<string, Set<string>>();
  #subscriber: RedisClient | null = null;
  #events: NodeEvents | null = null;
  /** Presence messages heard while the map is being (re)loaded. */
  #held: string[] | null = null;
  /** A reload of the map that failed, tried again. */
  #retry: ReturnType<typeof setTimeout> | undefined;
  /** Deliveries go over sharded pub/sub (`SPUBLISH`/`SSUBSCRIBE`, Redis 7 and later). */
  #sharded = false;
  /** The subscriber connection was lost since it was last ready. */
  #lost = false;
  #closed = false;
  /** This process took the node's lease (a server; not a command that only reads). */
  #claimed = false;
  #lastError = "";

  constructor(options: RedisPresenceOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix;
    this.nodeId = options.nodeId;
    this.#leaseMs = (options.leaseSeconds ?? 15) * 1000;
    this.#log = options.log ?? (() => {});
  }

  /**
   * Takes this node's lease; rejects when a live process holds the same node id (its lease
   * lapses `node.leaseSeconds` after it stopped, if it died).
   */
  async claim(): Promise<void> {
    const taken = await this.#redis.set(this.#leaseKey(this.nodeId), this.#token, {
      NX: true,
      PX: this.#leaseMs,
    });
    if (taken === null) {
      throw new Error(
        `node id ${this.nodeId} is in use by another live node (give each node its own ` +
          `node.id; if that node died, its lease lapses within ${this.#leaseMs / 1000} s)`,
      );
    }
    this.#claimed = true;
    await this.#redis.sAdd(this.#nodesKey, this.nodeId);
  }

  async online(accountid: string): Promise<void> {
    this.#local.add(accountid);
    await Promise.all([
      this.#redis.sAdd(this.#setKey(this.nodeId), accountid),
      this.#redis.pExpire(this.#setKey(this.nodeId), this.#leaseMs * 2),
      this.#redis.publish(this.#presenceChannel, `+${this.nodeId} ${accountid}`),
    ]);
  }

  async offline(accountid: string): Promise<void> {
    this.#local.delete(accountid);
    await Promise.all([
      this.#redis.sRem(this.#setKey(this.nodeId), accountid),
      this.#redis.publish(this.#presenceChannel, `-${this.nodeId} ${accountid}`),
    ]);
  }

  isOnline(accountid: string): boolean {
    return this.#local.has(accountid) || this.#where.has(accountid);
  }

  async list(): Promise<string[]> {
    if (this.#events) return [...new Set([...this.#local, ...this.#where.keys()])].sort();
    // Not listening (a process that only reads): the registry of nodes, never a SCAN; a node
    // whose lease lapsed counts for nothing, even before the others take it out.
    const nodes = await this.#redis.sMembers(this.#nodesKey);
    const [alive, sets] = await Promise.all([
      Promise.all(nodes.map((node) => this.#redis.exists(this.#leaseKey(node)))),
      Promise.all(nodes.map((node) => this.#redis.sMembers(this.#setKey(node)))),
    ]);
    const live = sets.filter((_, i) => alive[i] || nodes[i] === this.nodeId);
    return [...new Set([...this.#local, ...live.flat()])].sort();
  }

  route(accountids: Iterable<string>): Map<string, string[]> {
    const routes = new Map<string, string[]>();
    if (this.#where.size === 0) return routes;
    for (const accountid of accountids) {
      const nodes = this.#where.get(accountid);
      if (!nodes) continue;
      for (const node of nodes) {
        const list = routes.get(node);
        if (list) list.push(accountid);
        else routes.set(node, [accountid]);
      }
    }
    return routes;
  }

  others(): string[] {
    return [...this.#others.keys()].sort();
  }

  send(nodeId: string, payload: string): void {
    const channel = this.#nodeChannel(nodeId);
    (this.#sharded ? this.#redis.sPublish(channel, payload) : this.#redis.publish(channel, payload))
      .catch((error) => this.#warn(`cannot hand a delivery to node ${nodeId}: ${error.message}`));
  }

  async listen(events: NodeEvents): Promise<void> {
    if (this.#closed || this.#subscriber) return;
    this.#events = events;
    const subscriber = this.#redis.duplicate();
    this.#subscriber = subscriber;
    subscriber.on("error", (error: Error) => {
      this.#warn(`link to the other nodes: ${error.message}`);
      this.#lost = true;
    });
    subscriber.on("end", () => this.#lost = true);
    subscriber.on("ready", () => {
      if (!this.#lost || this.#closed) return;
      this.#lost = false;
      this.#lastError = "";
      this.#log("link to the other nodes is back: reloading presence, connections catch up");
      // node-redis subscribes again by itself; what was published meanwhile is gone.
      void this.#reload(true);
    });
    await subscriber.connect();
    this.#held = [];
    // Sharded pub/sub where Redis has it (7.0 on): on a Redis Cluster a node's deliveries then
    // go to the shard of its channel only, not to every shard. Every node of one installation
    // shares one Redis, so they all choose alike.
    this.#sharded = await this.#redis.sPublish(this.#nodeChannel(this.nodeId), "").then(
      () => true,
      () => false,
    );
    const deliveries = (message: string) => this.#events?.delivery(message);
    if (this.#sharded) await subscriber.sSubscribe(this.#nodeChannel(this.nodeId), deliveries);
    else await subscriber.subscribe(this.#nodeChannel(this.nodeId), deliveries);
    await subscriber.subscribe(this.#presenceChannel, (message: string) => this.#heard(message));
    await this.#reload(false);
  }

  start(): void {
    this.#timer = setInterval(() => void this.#renew(), this.#leaseMs / 3);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    clearTimeout(this.#retry);
    this.#local.clear();
    const subscriber = this.#subscriber;
    this.#subscriber = null;
    if (subscriber) await closeRedis(subscriber);
    // A process that never was a node (a command) leaves the nodes' keys alone, unless it set
    // presence itself (the contract tests do).
    if (!this.#claimed && !this.#timer) return;
    try {
      const lease = this.#leaseKey(this.nodeId);
      const ours = await this.#redis.get(lease) === this.#token;
      await Promise.all([
        this.#redis.del(this.#setKey(this.nodeId)),
        this.#redis.sRem(this.#nodesKey, this.nodeId),
        ...(ours ? [this.#redis.del(lease)] : []),
        this.#redis.publish(this.#presenceChannel, `!${this.nodeId}`),
      ]);
    } catch {
      // Redis unreachable at shutdown: the lease lapses and the others take this node out.
    }
    this.#others.clear();
    this.#where.clear();
  }

  /** One presence message (see the module's doc). */
  #heard(message: string): void {
    if (this.#held) {
      this.#held.push(message);
      return;
    }
    const [head, ...accounts] = message.split(" ");
    const kind = head[0], node = head.slice(1);
    if (node === this.nodeId || node === "") return;
    if (kind === "+") { for (const a of accounts) this.#add(node, a); }
    else if (kind === "-") { for (const a of accounts) this.#remove(node, a); }
    else if (kind === "!") this.#drop(node);
    else if (kind === "=") this.#replace(node, new Set(accounts.filter((a) => a !== "")));
  }

  /**
   * Loads the whole map from Redis (the registry, then each live node's set), then applies
   * what was heard meanwhile; after a lost link, also tells this node's connections to catch up
   * (unless there was and is no other node) and tells the others this node's set (they may have
   * taken it out).
   */
  async #reload(missed: boolean): Promise<void> {
    this.#held ??= [];
    // Alone before and after, nothing can have been missed (a lone node is not disturbed).
    const hadOthers = this.#others.size > 0;
    try {
      const nodes = (await this.#redis.sMembers(this.#nodesKey)).filter((n) => n !== this.nodeId);
      const [alive, sets] = await Promise.all([
        Promise.all(nodes.map((n) => this.#redis.exists(this.#leaseKey(n)))),
        Promise.all(nodes.map((n) => this.#redis.sMembers(this.#setKey(n)))),
      ]);
      const fresh = new Map<string, Set<string>>();
      nodes.forEach((node, i) => {
        if (alive[i]) fresh.set(node, new Set(sets[i]));
      });
      for (const node of [...this.#others.keys()]) if (!fresh.has(node)) this.#drop(node);
      for (const [node, accounts] of fresh) this.#replace(node, accounts);
    } catch (error) {
      this.#warn(`cannot load presence from Redis: ${(error as Error).message}`);
      // The main connection may come back after the subscriber: try again until it loads.
      if (!this.#closed) {
        clearTimeout(this.#retry);
        this.#retry = setTimeout(() => void this.#reload(false), 1000);
      }
    } finally {
      const held = this.#held ?? [];
      this.#held = null;
      for (const message of held) this.#heard(message);
    }
    if (!missed) return;
    if (hadOthers || this.#others.size > 0) this.#events?.missed();
    await this.#announceAll().catch(() => {});
  }

  /** Renews the lease, heals this node's set, and takes out nodes whose lease lapsed. */
  async #renew(): Promise<void> {
    try {
      const lease = this.#leaseKey(this.nodeId);
      const holder = await this.#redis.get(lease);
      if (holder === this.#token) await this.#redis.pExpire(lease, this.#leaseMs);
      else if (holder === null) {
        // Lapsed (Redis away or flushed, or this process stalled): the others may have taken
        // this node out; take it again and tell them who is here.
        if (await this.#redis.set(lease, this.#token, { NX: true, PX: this.#leaseMs })) {
          this.#log(`node ${this.nodeId}: lease had lapsed; taken again`, "warn");
          await this.#announceAll();
        }
      } else {
        this.#warn(`node id ${this.nodeId} is held by another process: give each node its own`);
      }
      const set = this.#setKey(this.nodeId);
      const [exists] = await Promise.all([
        this.#redis.exists(set),
        this.#redis.pExpire(set, this.#leaseMs * 2),
        this.#redis.sAdd(this.#nodesKey, this.nodeId),
      ]);
      if (!exists && this.#local.size > 0) {
        await this.#redis.sAdd(set, [...this.#local]);
        await this.#redis.pExpire(set, this.#leaseMs * 2);
      }
      if (!this.#events) return;
      const nodes = new Set(await this.#redis.sMembers(this.#nodesKey));
      for (const node of this.#others.keys()) nodes.add(node);
      nodes.delete(this.nodeId);
      const list = [...nodes];
      const alive = await Promise.all(list.map((n) => this.#redis.exists(this.#leaseKey(n))));
      const dead = list.filter((_, i) => !alive[i]);
      // A node that joined without anyone online yet is known from the registry.
      list.forEach((node, i) => {
        if (alive[i] && !this.#others.has(node)) this.#others.set(node, new Set());
      });
      for (const node of dead) {
        if (this.#others.has(node)) {
          this.#log(`node ${node} stopped renewing its lease: its accounts are offline there`);
        }
        this.#drop(node);
      }
      if (dead.length > 0) {
        await Promise.all([
          this.#redis.sRem(this.#nodesKey, dead),
          ...dead.map((node) => this.#redis.del(this.#setKey(node))),
        ]);
      }
      this.#lastError = "";
    } catch (error) {
      this.#warn(`presence: cannot renew this node's lease: ${(error as Error).message}`);
    }
  }

  /** Writes this node's whole set and tells the others. */
  async #announceAll(): Promise<void> {
    const set = this.#setKey(this.nodeId);
    const accounts = [...this.#local];
    await this.#redis.del(set);
    if (accounts.length > 0) {
      await this.#redis.sAdd(set, accounts);
      await this.#redis.pExpire(set, this.#leaseMs * 2);
    }
    await this.#redis.sAdd(this.#nodesKey, this.nodeId);
    await this.#redis.publish(this.#presenceChannel, [`=${this.nodeId}`, ...accounts].join(" "));
  }

  #add(node: string, accountid: string): void {
    let accounts = this.#others.get(node);
    if (!accounts) this.#others.set(node, accounts = new Set());
    if (accounts.has(accountid)) return;
    accounts.add(accountid);
    let nodes = this.#where.get(accountid);
    const first = !nodes && !this.#local.has(accountid);
    if (!nodes) this.#where.set(accountid, nodes = new Set());
    nodes.add(node);
    if (first) this.#events?.presence(accountid, true);
  }

  #remove(node: string, accountid: string): void {
    if (!this.#others.get(node)?.delete(accountid)) return;
    const nodes = this.#where.get(accountid);
    nodes?.delete(node);
    if (nodes && nodes.size > 0) return;
    this.#where.delete(accountid);
    if (!this.#local.has(accountid)) this.#events?.presence(accountid, false);
  }

  #drop(node: string): void {
    for (const accountid of this.#others.get(node) ?? []) this.#remove(node, accountid);
    this.#others.delete(node);
  }

  #replace(node: string, accounts: Set<string>): void {
    if (!this.#others.has(node)) this.#others.set(node, new Set());
    for (const accountid of [...this.#others.get(node) ?? []]) {
      if (!accounts.has(accountid)) this.#remove(node, accountid);
    }
    for (const accountid of accounts) this.#add(node, accountid);
  }

  #warn(line: string): void {
    if (line === this.#lastError) return;
    this.#lastError = line;
    this.#log(line, "warn");
  }

  get #nodesKey(): string {
    return `${this.#prefix}presence:nodes`;
  }

  get #presenceChannel(): string {
    return `${this.#prefix}chat:presence`;
  }

  #setKey(node: string): string {
    return `${this.#prefix}presence:node:${node}`;
  }

  #leaseKey(node: string): string {
    return `${this.#prefix}node:lease:${node}`;
  }

  #nodeChannel(node: string): string {
    return `${this.#prefix}chat:node:${node}`;
  }
}
