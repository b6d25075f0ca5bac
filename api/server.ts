/**
 * The running server: listener, backend, gateway, archive worker and HTTP app, started in
 * that order; stopped: close sockets (1001) → stop accepting → drain and stop the worker →
 * close stores. The listener binds first, so a port in use fails the start before any store
 * is opened or any queue touched; until the app is ready it answers 503 "starting".
 *
 * @module
 */
import type { ResolvedConfig } from "../config/mod.ts";
import { Gateway } from "../gateway/gateway.ts";
import { Hub } from "../gateway/hub.ts";
import { startArchiveWorker } from "../queue/worker_host.ts";
import type { Backend } from "../store/backend.ts";
import { openEmbeddedBackend } from "../store/backend_embedded.ts";
import { openProductionBackend } from "../store/backend_production.ts";
import { createApp } from "./app.ts";
import { errorBody } from "./errors.ts";
import { connectionBudget, connectionCap } from "./fd_limit.ts";
import type { RequestHandler } from "./http_connection.ts";
import { listen } from "./listener.ts";

/** A started server. */
export interface RunningServer {
  /** `http://host:port`. */
  url: string;
  port: number;
  nodeId: string;
  backend: Backend;
  gateway: Gateway;
  /** Stops the archive worker and starts a new one (`chat reload`). */
  restartWorker(): Promise<void>;
  /** Ordered, idempotent, time-bounded shutdown. */
  close(): Promise<void>;
}

/** Options of {@link startServer}. */
export interface StartOptions {
  log?: (line: string) => void;
  /** Run the archive worker (default true; tests of the gateway alone may turn it off). */
  worker?: boolean;
}

/** Starts everything; rejects with a clear message when a configured store is unreachable. */
export async function startServer(
  configured: ResolvedConfig,
  options: StartOptions = {},
): Promise<RunningServer> {
  const maxConnections = connectionCap(configured.limits.maxConnections);
  const config = { ...configured, limits: { ...configured.limits, maxConnections } };
  const log = options.log ??
    ((line: string) => console.error(`${new Date().toISOString()} ${line}`));
  const starting: RequestHandler = () =>
    Response.json(errorBody("unavailable", "starting"), {
      status: 503,
      headers: { "retry-after": "1" },
    });
  let handler = starting;
  let webSockets = () => 0;
  const listener = listen({
    host: config.host,
    port: config.port,
    handler: (request, info) => handler(request, info),
    headerTimeoutSeconds: config.http.headerTimeoutSeconds,
    idleTimeoutSeconds: config.http.idleTimeoutSeconds,
    caps: {
      total: connectionBudget(),
      perAddress: config.limits.connectionsPerAddress,
      exempt: config.http.trustedProxies,
      upgradedOpen: () => webSockets(),
    },
    log,
  });
  const port = listener.port;
  const nodeId = `${Deno.hostname()}:${config.port || crypto.randomUUID().slice(0, 8)}`
    .replace(/[^\w.:-]/g, "_");
  // Neither Redis nor MySQL configured (the loader allows both or neither): SQLite in dataDir.
  let backend: Backend;
  try {
    backend = config.redisUrl && config.mysqlUrl
      ? await openProductionBackend(config, nodeId, log)
      : await openEmbeddedBackend(config, nodeId, log);
  } catch (error) {
    await listener.close();
    throw error;
  }
  if (maxConnections < configured.limits.maxConnections) {
    log(`connections capped at ${maxConnections} to stay under the open-file limit`);
  }
  const gateway = new Gateway({
    config,
    users: backend.users,
    inbox: backend.inbox,
    presence: backend.presence,
    producer: backend.producer,
    recent: backend.recent,
    hub: new Hub(),
    log,
  });
  webSockets = () => gateway.size;
  let worker: Awaited<ReturnType<typeof startArchiveWorker>> | null = null;
  try {
    if (options.worker ?? true) worker = await startArchiveWorker(config, nodeId, { log });
  } catch (error) {
    await listener.close();
    await backend.close();
    throw error;
  }
  gateway.start();
  const app = createApp({ config, backend, gateway, log });
  handler = (request, info) => app.fetch(request, info);

  let closing: Promise<void> | null = null;
  return {
    url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`,
    port,
    nodeId,
    backend,
    gateway,
    async restartWorker() {
      if (closing || !(options.worker ?? true)) return;
      await worker?.stop();
      worker = await startArchiveWorker(config, nodeId, { log });
    },
    close() {
      closing ??= (async () => {
        await gateway.close();
        await listener.close();
        await worker?.stop();
        await backend.close();
      })();
      return closing;
    },
  };
}
