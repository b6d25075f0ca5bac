/**
 * The HTTP listener, kept alive: if Deno's accept loop ends for any reason other than our own
 * shutdown (it ends on EMFILE when the process runs out of file descriptors), a new listener
 * is started on the same port after a short pause, so the server heals once descriptors free.
 *
 * @module
 */

/** A listener that restarts itself. */
export interface ResilientListener {
  /** The bound port (useful with port 0). */
  port: Promise<number>;
  /** Stops for good. */
  close(): Promise<void>;
}

type Handler = (request: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>;

/** Serves `handler` on `host:port` and restarts the listener if it dies. */
export function serveResilient(
  host: string,
  port: number,
  handler: Handler,
  log: (line: string) => void,
): ResilientListener {
  let stopped = false;
  let server: Deno.HttpServer<Deno.NetAddr> | null = null;
  let resolvePort: (port: number) => void;
  let rejectPort: (error: Error) => void;
  const bound = new Promise<number>((resolve, reject) => {
    resolvePort = resolve;
    rejectPort = reject;
  });
  let boundPort = port;
  let restarts = 0;

  const start = () => {
    try {
      server = Deno.serve({
        hostname: host,
        port: boundPort,
        reusePort: false,
        onListen: (addr) => {
          boundPort = addr.port;
          resolvePort(addr.port);
        },
        onError: (error) => {
          log(`http: unexpected error: ${(error as Error)?.stack ?? error}`);
          return new Response(
            JSON.stringify({ error: { code: "internal", message: "internal server error" } }),
            { status: 500, headers: { "content-type": "application/json" } },
          );
        },
      }, handler);
    } catch (error) {
      if (restarts === 0) {
        rejectPort(new Error(`Cannot listen on ${host}:${port}: ${(error as Error).message}`));
        stopped = true;
        return;
      }
      log(`http: cannot listen again yet: ${(error as Error).message}`);
      setTimeout(start, 500);
      return;
    }
    const current = server;
    const restart = (reason: string) => {
      if (stopped || server !== current) return;
      restarts++;
      log(`http: listener stopped unexpectedly (${reason}); restarting`);
      setTimeout(start, 200);
    };
    // Deno rejects `finished` when accept fails (EMFILE): without this handler the rejection
    // would end the process.
    current.finished.then(
      () => restart("closed"),
      (error) => restart((error as Error)?.message ?? String(error)),
    );
  };
  start();

  return {
    port: bound,
    async close() {
      if (stopped) return;
      stopped = true;
      const current = server;
      if (!current) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        current.shutdown(),
        new Promise((resolve) => timer = setTimeout(resolve, 3000)),
      ]);
      clearTimeout(timer);
    },
  };
}
