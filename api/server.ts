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
import { ArchiveSupervisor } from "../queue/worker_supervisor.ts";
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
  /** Unique to this process: names its worker leases and presence. */
  nodeId: string;
  /** Stable across restarts ("host:port"): names its row in `queue_deamon_status`. */
  nodeName: string;
  backend: Backend;
  gateway: Gateway;
  /** This node's archive worker, kept running (null when started without one). */
  worker: ArchiveSupervisor | null;
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
  // The bound port (known now, also for port 0) names the node in queue_deamon_status.
  const nodeName = `${Deno.hostname()}:${port}`.replace(/[^\w.:-]/g, "_");
  // Never just host:port: two processes may share it (another data folder, two containers).
  const nodeId = `${nodeName}:${Deno.pid}.${crypto.randomUUID().slice(0, 8)}`;
  // Neither Redis nor MySQL configured (the loader allows both or neither): SQLite in dataDir.
  let backend: Backend;
  try {
    backend = config.redisUrl && config.mysqlUrl
      ? await openProductionBackend(config, nodeId, log, { degraded: true })
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
    groups: backend.groups,
    inbox: backend.inbox,
    presence: backend.presence,
    producer: backend.producer,
    recent: backend.recent,
    sessions: backend.sessions,
    sessionEndings: backend.sessionEndings,
    hub: new Hub(),
    log,
  });
  webSockets = () => gateway.size;
  // The worker is kept running in the background: a store that is down now only delays it.
  const worker = (options.worker ?? true)
    ? new ArchiveSupervisor({
      nodeId,
      log,
      start: (workerId, callbacks) =>
        startArchiveWorker(config, workerId, nodeName, { log, ...callbacks }),
    })
    : null;
  await worker?.start();
  gateway.start();
  const app = createApp({
    config,
    backend,
    gateway,
    log,
    workerReport: () => worker?.report() ?? null,
  });
  handler = (request, info) => app.fetch(request, info);

  let closing: Promise<void> | null = null;
  return {
    url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`,
    port,
    nodeId,
    nodeName,
    backend,
    gateway,
    worker,
    async restartWorker() {
      if (closing) return;
      await worker?.reload();
    },
    close() {
      closing ??= (async () => {
        await gateway.close();
        await listener.close();
        await worker?.close();
        await backend.close();
      })();
      return closing;
    },
  };
}
