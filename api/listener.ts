/**
 * The HTTP listener: our own accept loop, so every connection is under the HTTP clocks
 * ({@link serveConnection}) and the caps ({@link ConnectionCaps}). A connection over a cap is
 * closed at once, which costs a descriptor for a moment, instead of being left unaccepted until
 * `accept` fails for everybody. `accept` can still fail (EMFILE when something else used the
 * reserve): the loop waits a little and goes on, it never ends before {@link HttpListener.close}.
 *
 * @module
 */
import type { Log } from "../ops/log.ts";
import { addressGroup } from "./client_address.ts";
import { ConnectionCaps, type ConnectionCapsOptions, type Refusal } from "./connection_caps.ts";
import {
  canServeConnections,
  type RequestHandler,
  serveConnection,
  type ServedConnection,
} from "./http_connection.ts";

/** What {@link listen} needs. */
export interface ListenOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  handler: RequestHandler;
  headerTimeoutSeconds: number;
  idleTimeoutSeconds: number;
  caps: ConnectionCapsOptions;
  log: Log;
  /** How long {@link HttpListener.close} lets requests in flight finish (default 3000 ms). */
  drainMs?: number;
}

/** A bound, accepting listener. */
export interface HttpListener {
  /** The bound port (the chosen one when 0 was asked for). */
  readonly port: number;
  /** Open HTTP connections (upgraded ones not counted). */
  readonly open: number;
  /** Stops accepting, lets requests in flight finish within the drain time, closes the rest. */
  close(): Promise<void>;
}

/** Thrown when the address cannot be bound; the message says why in a user's words. */
export class ListenError extends Error {
  constructor(host: string, port: number, cause: unknown) {
    const reason = cause instanceof Deno.errors.AddrInUse
      ? `port ${port} is in use`
      : cause instanceof Deno.errors.AddrNotAvailable
      ? `${host} is not an address of this machine`
      : (cause as Error)?.message ?? String(cause);
    super(`Cannot listen on ${host}:${port}: ${reason}`, { cause });
    this.name = "ListenError";
  }
}

/** Refusals are counted and logged at most this often (a flood must not flood the log too). */
const REFUSAL_LOG_MS = 10_000;
/** Backoff after a failed accept: from 50 ms doubling to 1 s. */
const ACCEPT_BACKOFF_MS = [50, 1000] as const;

/** Binds `host:port` (synchronously, so a port in use throws here) and starts accepting. */
export function listen(options: ListenOptions): HttpListener {
  if (!canServeConnections()) {
    throw new Error(
      `Cannot listen: Deno ${Deno.version.deno} has no Deno.serveHttp, which the listener ` +
        `needs for its header and idle timeouts; run the pinned Deno (tools/package.json)`,
    );
  }
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname: options.host, port: options.port });
  } catch (error) {
    throw new ListenError(options.host, options.port, error);
  }
  const caps = new ConnectionCaps(options.caps);
  const timeouts = {
    headerMs: options.headerTimeoutSeconds * 1000,
    idleMs: options.idleTimeoutSeconds * 1000,
  };
  const connections = new Set<ServedConnection>();
  const refusals = refusalReporter(options, REFUSAL_LOG_MS);
  let stopped = false;

  const admit = (conn: Deno.TcpConn) => {
    // IPv6 by /64 network: one host holds them all.
    const address = addressGroup(conn.remoteAddr.hostname);
    const refusal = caps.admit(address);
    if (refusal) {
      try {
        conn.close();
      } catch { /* already reset */ }
      refusals.note(refusal);
      return;
    }
    const served = serveConnection(conn, options.handler, timeouts, options.log);
    connections.add(served);
    served.done.finally(() => {
      connections.delete(served);
      caps.release(address);
    });
  };

  const acceptLoop = async () => {
    let backoff: number = ACCEPT_BACKOFF_MS[0];
    let failures = 0;
    while (!stopped) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (stopped) break;
        // EMFILE/ENFILE (something used the descriptors' reserve), or a connection reset
        // before it was accepted: wait, then go on accepting.
        if (failures++ === 0) {
          options.log(`http: accept failed (${(error as Error).message}); retrying`, "warn");
        }
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(backoff * 2, ACCEPT_BACKOFF_MS[1]);
        continue;
      }
      if (failures > 0) options.log(`http: accepting again after ${failures} failed accept(s)`);
      failures = 0;
      backoff = ACCEPT_BACKOFF_MS[0];
      admit(conn);
    }
  };
  const accepting = acceptLoop();

  let closing: Promise<void> | null = null;
  return {
    port: (listener.addr as Deno.NetAddr).port,
    get open() {
      return caps.open;
    },
    close() {
      closing ??= (async () => {
        stopped = true;
        listener.close();
        await accepting;
        refusals.flush();
        for (const connection of connections) connection.drain();
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          Promise.all([...connections].map((c) => c.done)),
          new Promise((resolve) => timer = setTimeout(resolve, options.drainMs ?? 3000)),
        ]);
        clearTimeout(timer);
        const rest = [...connections];
        for (const connection of rest) connection.close();
        await Promise.all(rest.map((c) => c.done));
      })();
      return closing;
    },
  };
}

/** Logs the first refusal at once and the count of the following ones every `everyMs`. */
function refusalReporter(options: ListenOptions, everyMs: number) {
  const counts: Record<Refusal, number> = { total: 0, address: 0 };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const report = () => {
    const sum = counts.total + counts.address;
    if (sum === 0) return;
    options.log(
      `http: refused ${sum} connection(s): ${counts.total} at the cap of ` +
        `${options.caps.total} open connections, ${counts.address} over ` +
        `${options.caps.perAddress} from one address`,
      "warn",
    );
    counts.total = counts.address = 0;
  };
  return {
    note(reason: Refusal) {
      counts[reason]++;
      if (timer !== undefined) return;
      report();
      timer = setTimeout(() => {
        timer = undefined;
        report();
      }, everyMs);
    },
    flush() {
      clearTimeout(timer);
      timer = undefined;
      report();
    },
  };
}
