/**
 * One accepted TCP connection, served with `Deno.serveHttp` under two clocks that `Deno.serve`
 * does not have: a new connection must complete its first request head within the header
 * timeout, and a kept-alive connection waiting for its next request is closed after the idle
 * timeout. A request body that trickles in is cut too ({@link withBodyDeadline}). A connection
 * upgraded to a WebSocket leaves the clocks (the gateway's heartbeat watches it from then on).
 *
 * `Deno.serveHttp` is soft-removed from Deno 2's type declarations but still shipped and
 * working (2.9.6 is pinned); it is the only HTTP server in Deno that serves a connection we
 * accepted ourselves, which is what gives us the clocks and the caps. The README says why.
 *
 * @module
 */
import type { Log } from "../ops/log.ts";
import { withBodyDeadline } from "./body_deadline.ts";

/** What the handler learns about the request's connection (the shape `Deno.serve` passes). */
export type ConnectionInfo = Deno.ServeHandlerInfo<Deno.NetAddr>;

/** Answers one request. */
export type RequestHandler = (
  request: Request,
  info: ConnectionInfo,
) => Response | Promise<Response>;

/** The two clocks, in milliseconds. */
export interface HttpTimeouts {
  /**
   * From accept until the first request head is complete; also the allowance of a request's
   * body, which may then take one more second per 500 bytes ({@link withBodyDeadline}).
   */
  headerMs: number;
  /** From the end of a response until the next request head is complete. */
  idleMs: number;
}

/** How a connection left the listener's hands. */
export type ConnectionEnd = "closed" | "upgraded";

/** A connection being served. */
export interface ServedConnection {
  /** Resolves when no request is in flight any more and the connection is closed or upgraded. */
  readonly done: Promise<ConnectionEnd>;
  /** Takes no new request: closes now when idle, else once the requests in flight finish. */
  drain(): void;
  /** Closes now (requests in flight get no answer). */
  close(): void;
}

// The part of the soft-removed API we use (`Deno.HttpConn` / `Deno.RequestEvent` of Deno 1).
interface RequestEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): Promise<void>;
}
interface HttpConn {
  nextRequest(): Promise<RequestEvent | null>;
  close(): void;
}
const serveHttp = (Deno as unknown as { serveHttp?: (conn: Deno.Conn) => HttpConn }).serveHttp;

/** True when this Deno can serve connections we accept ourselves. */
export function canServeConnections(): boolean {
  return typeof serveHttp === "function";
}

const INTERNAL_ERROR = JSON.stringify({
  error: { code: "internal", message: "internal server error" },
});

/** Serves HTTP on `conn` until the client leaves, a clock runs out, or it is upgraded. */
export function serveConnection(
  conn: Deno.TcpConn,
  handler: RequestHandler,
  timeouts: HttpTimeouts,
  log: Log,
): ServedConnection {
  if (!serveHttp) throw new Error("Cannot serve HTTP: this Deno has no Deno.serveHttp");
  const remoteAddr = conn.remoteAddr;
  const http = serveHttp(conn);
  let closed = false;
  let draining = false;
  let upgraded = false;
  const inFlight = new Set<Promise<void>>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const shut = Promise.withResolvers<void>();

  const close = () => {
    clearTimeout(timer);
    if (closed) return;
    closed = true;
    shut.resolve();
    try {
      http.close();
    } catch {
      // already closed by the client
    }
  };
  const closeAfter = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(close, ms);
  };

  const respond = async (event: RequestEvent) => {
    const completed = Promise.withResolvers<void>();
    const body = withBodyDeadline(event.request, timeouts.headerMs, close);
    let response: Response;
    try {
      response = await handler(body.request, { remoteAddr, completed: completed.promise });
    } catch (error) {
      log(`http: unexpected error: ${(error as Error)?.stack ?? error}`, "error");
      response = new Response(INTERNAL_ERROR, {
        status: 500,
        headers: { "content-type": "application/json" },
      });
    }
    // 101: the connection becomes the WebSocket's as soon as this answer is written.
    if (response.status === 101) upgraded = true;
    try {
      await event.respondWith(response);
    } catch {
      // The client went away before the answer was written: nothing to tell anyone.
    } finally {
      // From here an unread rest of the body holds up only the next request: the idle clock.
      body.settle();
      completed.resolve();
    }
  };
  const settled = (request: Promise<void>) => {
    inFlight.delete(request);
    if (inFlight.size > 0 || upgraded || closed) return;
    if (draining) close();
    else closeAfter(timeouts.idleMs);
  };

  const serve = async (): Promise<ConnectionEnd> => {
    closeAfter(timeouts.headerMs);
    while (!closed && !upgraded) {
      let event: RequestEvent | null;
      try {
        event = await http.nextRequest();
      } catch {
        event = null; // a malformed request or a reset: the connection is over
      }
      if (!event) break;
      clearTimeout(timer);
      if (draining) {
        // Arrived during shutdown: no answer; the client retries against a live server.
        close();
        break;
      }
      const request = respond(event);
      inFlight.add(request);
      request.finally(() => settled(request));
    }
    // Answers may still be in flight (the upgrade's own 101, or a client that half-closed);
    // a close() does not wait for them: a handler that never returns must not hold shutdown.
    while (inFlight.size > 0 && !closed) await Promise.race([Promise.all(inFlight), shut.promise]);
    if (upgraded) {
      // The WebSocket owns the socket now; dropping the HTTP side only frees its buffers.
      clearTimeout(timer);
      try {
        http.close();
      } catch { /* already gone */ }
      closed = true;
      return "upgraded";
    }
    close();
    return "closed";
  };

  return {
    done: serve(),
    drain() {
      draining = true;
      if (inFlight.size === 0 && !upgraded) close();
    },
    close,
  };
}
