/**
 * A flood of TCP connections from one source address (another loopback address than the
 * test's own client, so a per-address cap meets the flood and not the client): each socket
 * either sends nothing or dribbles a request head one line at a time, and is opened again
 * shortly after the server closes it, as an attacker would.
 *
 * `node:net` is used because it can bind the source address (`Deno.connect` cannot).
 *
 * @module
 */
import net from "node:net";

/** What the flood's sockets do once connected. */
export type FloodKind = "idle" | "slow-headers";

/** A running flood. */
export interface TcpFlood {
  /** For every socket the server closed: how long it had been open, in ms. */
  readonly closedAfter: number[];
  /** Connection attempts that failed (refused, or nothing to connect with). */
  readonly failedConnects: number;
  /** Sockets open now that have been open for at least `ms` (the ones the server kept). */
  openLongerThan(ms: number): number;
  /** Age in ms of the oldest socket open now (0 when none). */
  oldestOpenMs(): number;
  /** Closes every socket and stops reopening. */
  stop(): Promise<void>;
}

/** Options of {@link startFlood}. */
export interface FloodOptions {
  port: number;
  /** Source address, e.g. "127.0.0.2". */
  from: string;
  /** Sockets kept open (as far as the server lets). */
  sockets: number;
  kind: FloodKind;
  /** Pause before a closed socket is opened again (default 200 ms). */
  reopenMs?: number;
}

/** Starts the flood; resolves once every socket tried to connect once. */
export async function startFlood(options: FloodOptions): Promise<TcpFlood> {
  const closedAfter: number[] = [];
  const openSince = new Map<net.Socket, number>();
  const live = new Set<net.Socket>();
  const pending = new Set<Promise<void>>();
  let failedConnects = 0;
  let stopped = false;

  const openOne = (): Promise<void> => {
    const first = Promise.withResolvers<void>();
    const socket = net.connect({
      host: "127.0.0.1",
      port: options.port,
      localAddress: options.from,
    });
    live.add(socket);
    let dribble: ReturnType<typeof setInterval> | undefined;
    let connected = false;
    socket.on("connect", () => {
      if (stopped) return void socket.destroy();
      connected = true;
      openSince.set(socket, performance.now());
      first.resolve();
      if (options.kind !== "slow-headers") return;
      socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      let line = 0;
      dribble = setInterval(() => socket.write(`X-Line-${line++}: more to come\r\n`), 1000);
    });
    socket.on("data", () => {}); // nothing is expected; read so the socket can end
    socket.on("end", () => socket.end());
    socket.on("error", () => {}); // ECONNRESET/ECONNREFUSED: seen in "close" below
    socket.on("close", () => {
      live.delete(socket);
      clearInterval(dribble);
      first.resolve();
      const since = openSince.get(socket);
      openSince.delete(socket);
      if (stopped) return;
      if (connected && since !== undefined) closedAfter.push(performance.now() - since);
      else failedConnects++;
      const again = new Promise<void>((resolve) =>
        setTimeout(() => {
          pending.delete(again);
          if (!stopped) void openOne();
          resolve();
        }, options.reopenMs ?? 200)
      );
      pending.add(again);
    });
    return first.promise;
  };

  await Promise.all(Array.from({ length: options.sockets }, openOne));
  return {
    closedAfter,
    get failedConnects() {
      return failedConnects;
    },
    openLongerThan(ms) {
      const now = performance.now();
      return [...openSince.values()].filter((since) => now - since >= ms).length;
    },
    oldestOpenMs() {
      const now = performance.now();
      return Math.max(0, ...[...openSince.values()].map((since) => now - since));
    },
    async stop() {
      stopped = true;
      const closing = [...live].map((socket) =>
        new Promise<void>((resolve) => {
          socket.once("close", () => resolve());
          socket.destroy();
        })
      );
      await Promise.all([...closing, ...pending]);
    },
  };
}
