/**
 * The gateway of one node: every open connection (logged in or not), the connection caps (per
 * node and per account), the heartbeat (server `ping`, idle close), the send rate limit, the
 * sessions of open sockets (ended sessions close their sockets) and the ordered close at
 * shutdown.
 *
 * @module
 */
import { Connection } from "./connection.ts";
import type { GatewayContext } from "./gateway_context.ts";
import { CloseCode } from "./protocol.ts";
import { SendRateLimiter } from "./send_rate.ts";
import { SessionWatch } from "./session_watch.ts";
import type { ChatSocket } from "./socket.ts";

const PING = JSON.stringify({ type: "ping" });
/** How often the heartbeat looks at the connections. */
const TICK_MS = 1000;

/** All WebSocket connections of this node. */
export class Gateway {
  #open = new Set<Connection>();
  /** Open connections per account, logged in or not (`limits.socketsPerAccount`). */
  #perAccount = new Map<string, number>();
  #sessions: SessionWatch<Connection>;
  #sendRate: SendRateLimiter;
  #timer: ReturnType<typeof setInterval> | undefined;
  #recheckTimer: ReturnType<typeof setInterval> | undefined;
  #closing = false;

  constructor(readonly ctx: GatewayContext) {
    this.#sessions = new SessionWatch(ctx.sessions, ctx.log);
    this.#sendRate = new SendRateLimiter(
      ctx.config.limits.sendPerSecond,
      ctx.config.limits.sendBurst,
    );
  }

  /** Open connections, logged in or not. */
  get size(): number {
    return this.#open.size;
  }

  /**
   * Accepts a new socket of an authenticated account, opened with the session `sessionKey`. At
   * capacity, over the account's socket limit or while shutting down the socket is closed
   * (1013 / 1013 / 1001) and null is returned.
   */
  open(accountid: string, sessionKey: string, socket: ChatSocket): Connection | null {
    const refused = (reason: string) => this.ctx.metrics?.webSocketsRefused.inc({ reason });
    if (this.#closing) {
      refused("shutdown");
      socket.close(CloseCode.goingAway, "server shutting down");
      return null;
    }
    if (this.#open.size >= this.ctx.config.limits.maxConnections) {
      refused("capacity");
      socket.close(CloseCode.tryAgainLater, "server at capacity, retry later");
      return null;
    }
    const perAccount = this.#perAccount.get(accountid) ?? 0;
    const limit = this.ctx.config.limits.socketsPerAccount;
    if (perAccount >= limit) {
      refused("account");
      socket.close(
        CloseCode.tryAgainLater,
        `too many connections for this account (at most ${limit}); close one and retry`,
      );
      return null;
    }
    const connection = new Connection(accountid, socket, this.ctx, {
      sessionKey,
      sendRate: this.#sendRate,
      released: (c) => void this.closed(c),
    });
    this.#open.add(connection);
    this.ctx.metrics?.webSocketsOpened.inc();
    this.#perAccount.set(accountid, perAccount + 1);
    this.#sessions.add(connection);
    return connection;
  }

  /** Forgets a closed connection. */
  async closed(connection: Connection): Promise<void> {
    if (!this.#open.delete(connection)) return;
    const left = (this.#perAccount.get(connection.accountid) ?? 1) - 1;
    if (left > 0) this.#perAccount.set(connection.accountid, left);
    else this.#perAccount.delete(connection.accountid);
    this.#sessions.remove(connection);
    // At shutdown every account goes at once: telling each remaining one about every other
    // would cost n² frames; the node's presence set is dropped as a whole instead.
    if (this.#closing) {
      this.ctx.hub.remove(connection);
      return;
    }
    await connection.onClose();
  }

  /** Closes every socket of the given sessions with 4401 (they ended); answers how many. */
  endSessions(keys: Iterable<string>): number {
    return this.#sessions.end(keys);
  }

  /** Asks the store whether the sessions of open sockets still live (also run periodically). */
  recheckSessions(): Promise<void> {
    return this.#sessions.recheck();
  }

  /**
   * Starts the heartbeat, the periodic session recheck and, where the backend announces ended
   * sessions, listening to those announcements. The heartbeat looks at every connection each
   * second but pings only those silent for `pingSeconds` since their last frame or ping, so
   * pings are spread over time (each connection on its own phase) instead of going to every
   * socket in one burst.
   */
  async start(): Promise<void> {
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    this.#recheckTimer = setInterval(
      () => void this.#sessions.recheck(),
      this.ctx.config.session.recheckSeconds * 1000,
    );
    this.ctx.sessionEndings?.listen((keys) => this.endSessions(keys)).catch((error) =>
      this.ctx.log(
        `sessions: not listening for ended sessions (the recheck still works): ${error}`,
        "warn",
      )
    );
    await this.ctx.link?.listen({
      delivery: (payload) => {
        this.ctx.metrics?.nodeDeliveries.inc({ direction: "in" });
        const delivered = this.ctx.hub.receive(payload);
        if (delivered === null) {
          this.ctx.log("nodes: a delivery that is not one was dropped", "warn");
          return;
        }
        delivered.sent.then(
          (sent) => delivered.message && this.ctx.metrics?.messagesOut.inc(undefined, sent),
          (error) => this.ctx.log(`nodes: a delivery from another node failed: ${error}`, "warn"),
        );
      },
      presence: (accountid, online) => {
        const frame = JSON.stringify({
          type: online ? "login" : "logout",
          clientName: accountid,
          time: Math.floor(Date.now() / 1000),
        });
        this.ctx.hub.sendToAll(frame, online ? accountid : undefined);
      },
      missed: () => this.#catchUp(),
    });
  }

  /**
   * Deliveries from other nodes may have been lost (the link to them was down): every logged-in
   * connection is closed with 1013, and its client reconnects and catches up by `seq` (history
   * `after=`), with a fresh `init` (presence, unread counts) from whichever node it reaches.
   */
  #catchUp(): void {
    this.ctx.metrics?.nodeCatchUps.inc();
    const connections = [...this.ctx.hub.connections()];
    if (connections.length === 0) return;
    this.ctx.log(
      `nodes: deliveries from other nodes may have been missed; ${connections.length} ` +
        "connections told to reconnect and catch up",
      "warn",
    );
    for (const connection of connections) {
      connection.close(CloseCode.tryAgainLater, "missed deliveries; reconnect and catch up by seq");
    }
  }

  /** Closes every connection with 1001 and waits (bounded) for their handlers. */
  async close(timeoutMs = 3000): Promise<void> {
    this.#closing = true;
    clearInterval(this.#timer);
    clearInterval(this.#recheckTimer);
    const connections = [...this.#open];
    for (const connection of connections) {
      connection.close(CloseCode.goingAway, "server shutting down");
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled(connections.map((c) => c.settled().then(() => this.closed(c)))),
      new Promise((resolve) => timer = setTimeout(resolve, timeoutMs)),
    ]);
    clearTimeout(timer);
  }

  #tick(): void {
    const idleMs = this.ctx.config.heartbeat.idleSeconds * 1000;
    const pingMs = this.ctx.config.heartbeat.pingSeconds * 1000;
    const now = Date.now();
    for (const connection of this.#open) {
      if (now - connection.lastSeen > idleMs) {
        connection.close(CloseCode.idle, "idle timeout");
      } else if (now - Math.max(connection.lastSeen, connection.lastPing) >= pingMs) {
        connection.lastPing = now;
        connection.send(PING);
      }
    }
    this.#sendRate.sweep();
  }
}
