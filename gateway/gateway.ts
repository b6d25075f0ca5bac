/**
 * The gateway of one node: every open connection (logged in or not), the connection cap, the
 * heartbeat (server `ping`, idle close) and the ordered close at shutdown.
 *
 * @module
 */
import { Connection } from "./connection.ts";
import type { GatewayContext } from "./gateway_context.ts";
import { CloseCode } from "./protocol.ts";
import type { ChatSocket } from "./socket.ts";

const PING = JSON.stringify({ type: "ping" });
/** How often the heartbeat looks at the connections. */
const TICK_MS = 1000;

/** All WebSocket connections of this node. */
export class Gateway {
  #open = new Set<Connection>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #closing = false;

  constructor(readonly ctx: GatewayContext) {}

  /** Open connections, logged in or not. */
  get size(): number {
    return this.#open.size;
  }

  /**
   * Accepts a new socket of an authenticated account. At capacity or while shutting down the
   * socket is closed (1013 / 1001) and null is returned.
   */
  open(accountid: string, socket: ChatSocket): Connection | null {
    if (this.#closing) {
      socket.close(CloseCode.goingAway, "server shutting down");
      return null;
    }
    if (this.#open.size >= this.ctx.config.limits.maxConnections) {
      socket.close(CloseCode.tryAgainLater, "server at capacity, retry later");
      return null;
    }
    const connection = new Connection(accountid, socket, this.ctx, (c) => void this.closed(c));
    this.#open.add(connection);
    return connection;
  }

  /** Forgets a closed connection. */
  async closed(connection: Connection): Promise<void> {
    if (!this.#open.delete(connection)) return;
    // At shutdown every account goes at once: telling each remaining one about every other
    // would cost n² frames; the node's presence set is dropped as a whole instead.
    if (this.#closing) {
      this.ctx.hub.remove(connection);
      return;
    }
    await connection.onClose();
  }

  /**
   * Starts the heartbeat. It looks at every connection each second but pings only those silent
   * for `pingSeconds` since their last frame or ping, so pings are spread over time (each
   * connection on its own phase) instead of going to every socket in one burst.
   */
  start(): void {
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
  }

  /** Closes every connection with 1001 and waits (bounded) for their handlers. */
  async close(timeoutMs = 3000): Promise<void> {
    this.#closing = true;
    clearInterval(this.#timer);
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
  }
}
