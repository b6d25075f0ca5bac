/**
 * The server side of listener_bench.ts, in its own process: the same tiny handler (`/healthz`
 * answers JSON, `/ws` upgrades and echoes, `/gc` collects garbage so memory readings are
 * comparable) behind webChat's listener, a bare `Deno.serve`, or a bare `Deno.serveHttp` loop
 * (no clocks, no caps: what the listener adds to serveHttp shows as the difference).
 *
 *   deno run -A --v8-flags=--expose-gc tests/bench/listener_bench_server.ts listener|serve|serve-http
 *
 * Prints `listening on PORT`.
 *
 * @module
 */
import { listen } from "../../api/listener.ts";

const mode = Deno.args[0];
const sockets = new Set<WebSocket>();
const collect = (globalThis as { gc?: () => void }).gc;

function handler(request: Request): Response {
  const path = new URL(request.url).pathname;
  if (path === "/ws") {
    const { socket, response } = Deno.upgradeWebSocket(request, { idleTimeout: 0 });
    socket.onopen = () => sockets.add(socket);
    socket.onclose = () => sockets.delete(socket);
    socket.onmessage = (event) => socket.send(event.data);
    return response;
  }
  if (path === "/gc") {
    collect?.();
    collect?.();
    return Response.json({ sockets: sockets.size, ...Deno.memoryUsage() });
  }
  return Response.json({ ok: true, stores: { redis: "ok", mysql: "ok" } });
}

let port: number;
if (mode === "listener") {
  const listener = listen({
    host: "127.0.0.1",
    port: 0,
    handler,
    headerTimeoutSeconds: 10,
    idleTimeoutSeconds: 60,
    // Every benchmark connection comes from 127.0.0.1: the per-address cap is lifted here.
    caps: { total: 100_000, perAddress: 100_000, exempt: [], upgradedOpen: () => sockets.size },
    log: (line) => console.error(line),
  });
  port = listener.port;
} else if (mode === "serve") {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  port = server.addr.port;
} else if (mode === "serve-http") {
  // deno-lint-ignore no-explicit-any
  const serveHttp = (Deno as any).serveHttp;
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  port = listener.addr.port;
  (async () => {
    for await (const conn of listener) {
      (async () => {
        for await (const event of serveHttp(conn)) event.respondWith(handler(event.request));
      })();
    }
  })();
} else {
  throw new Error(`usage: listener_bench_server.ts listener|serve (got ${mode})`);
}
console.log(`listening on ${port}`);
