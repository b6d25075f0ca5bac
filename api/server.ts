/**
 * The running server: listener, backend, gateway, archive worker and HTTP app, started in
 * that order; stopped: close sockets (1001) → stop accepting → drain and stop the worker →
 * close stores. The listener binds first, so a port in use fails the start before any store
 * is opened or any queue touched; until the app is ready it answers 503 "starting".
 *
 * @module
 */
import { LdapDirectory } from "../store/directory_ldap.ts";
import { scheduleDirectorySync } from "./directory_schedule.ts";
import type { Log } from "../ops/log.ts";
import type { ResolvedConfig } from "../config/mod.ts";
import { Gateway } from "../gateway/gateway.ts";
import { Hub } from "../gateway/hub.ts";
import { TypingGate } from "../gateway/typing.ts";
import { startArchiveWorker } from "../queue/worker_host.ts";
import { ArchiveSupervisor } from "../queue/worker_supervisor.ts";
import type { Backend } from "../store/backend.ts";
import type { NodeLink } from "../store/node_link.ts";
import { openEmbeddedBackend } from "../store/backend_embedded.ts";
import { openProductionBackend } from "../store/backend_production.ts";
import { ChatMetrics } from "../ops/chat_metrics.ts";
import { VERSION } from "../ops/version.ts";
import { createApp } from "./app.ts";
import { queueState } from "./queue_state.ts";
import { reconfigure, type ReloadReport } from "./reconfigure.ts";
import { errorBody } from "./errors.ts";
import { connectionBudget, connectionCap } from "./fd_limit.ts";
import type { RequestHandler } from "./http_connection.ts";
import { listen } from "./listener.ts";
import { chatMembership } from "../gateway/chat_membership.ts";
import { UploadService } from "./upload_service.ts";
import { UploadSweeper } from "./upload_sweeper.ts";
import { hashInWorker } from "./upload_hasher.ts";
import { fileStorageFolder } from "../files/file_storage_folder.ts";

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
  /** Counters and gauges of `/metrics`. */
  metrics: ChatMetrics;
  /** Unix seconds. */
  startedAt: number;
  /** Stops the archive worker and starts a new one. */
  restartWorker(): Promise<void>;
  /**
   * `chat reload`: re-reads the configuration (when the server was given a way to), applies
   * the settings that can change while it runs, says which need a restart, and restarts the
   * archive worker. A configuration that does not load changes nothing and rejects.
   */
  reload(): Promise<ServerReload>;
  /** Ordered, idempotent, time-bounded shutdown. */
  close(): Promise<void>;
}

/** What a reload did. */
export interface ServerReload extends ReloadReport {
  /** False when the server was started without a way to re-read its configuration. */
  reread: boolean;
  /** "restarted", or why the archive worker could not be restarted (it keeps retrying). */
  worker: string;
}

/** Options of {@link startServer}. */
export interface StartOptions {
  log?: Log;
  /** Run the archive worker (default true; tests of the gateway alone may turn it off). */
  worker?: boolean;
  /** Loads the configuration again from where it came from, for `reload()`. */
  reloadConfig?: () => ResolvedConfig;
  /** Hears the log settings after a reload changed them. */
  onLogFormat?: (format: ResolvedConfig["log"]) => void;
  /** The admin token of this run (written to the run file for local commands). */
  runToken?: string;
}

/** Starts everything; rejects with a clear message when a configured store is unreachable. */
export async function startServer(
  configured: ResolvedConfig,
  options: StartOptions = {},
): Promise<RunningServer> {
  const maxConnections = connectionCap(configured.limits.maxConnections);
  const config = { ...configured, limits: { ...configured.limits, maxConnections } };
  /** The configuration as last loaded (before the cap above): what a reload compares with. */
  const loaded = structuredClone(configured);
  const metrics = new ChatMetrics();
  const startedAt = Math.floor(Date.now() / 1000);
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
  const processId = `${nodeName}:${Deno.pid}.${crypto.randomUUID().slice(0, 8)}`;
  // A configured id names the node among the others (its lease, presence and channel); the
  // archive worker's leases are still named per process.
  const nodeId = config.node.id ?? processId;
  // Neither Redis nor MySQL configured (the loader allows both or neither): SQLite in dataDir.
  let backend: Backend;
  try {
    backend = config.redisUrl && config.mysqlUrl
      ? await openProductionBackend(config, nodeId, log, { degraded: true, node: true })
      : await openEmbeddedBackend(config, nodeId, log);
  } catch (error) {
    await listener.close();
    throw error;
  }
  if (maxConnections < configured.limits.maxConnections) {
    log(`connections capped at ${maxConnections} to stay under the open-file limit`);
  }
  // Deliveries handed to other nodes are counted on their way out.
  const other = backend.link;
  const link: NodeLink | null = other && {
    nodeId: other.nodeId,
    listen: (events) => other.listen(events),
    route: (accountids) => other.route(accountids),
    others: () => other.others(),
    send(nodeId, payload) {
      metrics.nodeDeliveries.inc({ direction: "out" });
      other.send(nodeId, payload);
    },
  };
  const gateway = new Gateway({
    config,
    users: backend.users,
    groups: backend.groups,
    inbox: backend.inbox,
    presence: backend.presence,
    receipts: backend.receipts,
    producer: backend.producer,
    recent: backend.recent,
    archive: backend.archive,
    files: backend.files,
    sessions: backend.sessions,
    sessionEndings: backend.sessionEndings,
    hub: new Hub(link),
    link,
    typing: new TypingGate(),
    metrics,
    log,
  });
  webSockets = () => gateway.size;
  // The worker is kept running in the background: a store that is down now only delays it.
  const worker = (options.worker ?? true)
    ? new ArchiveSupervisor({
      nodeId: processId,
      log,
      onBatch: (batch) => metrics.batch(batch.size, batch.seconds),
      start: (workerId, callbacks) =>
        startArchiveWorker(config, workerId, nodeName, { log, ...callbacks }),
    })
    : null;
  await worker?.start();
  try {
    await gateway.start();
  } catch (error) {
    await gateway.close();
    await listener.close();
    await worker?.close();
    await backend.close();
    throw new Error(`Cannot start: cannot listen to the other nodes: ${(error as Error).message}`);
  }
  const uploads = new UploadService({
    config,
    files: backend.files,
    storage: backend.storage,
    takesPart: chatMembership(backend),
    hasher: hashInWorker(fileStorageFolder(config), log),
    log,
  });
  const sweeper = new UploadSweeper(uploads, config.files.uploadTtlSeconds, log);
  sweeper.start();
  const directory = config.directory.url ? new LdapDirectory(config.directory) : undefined;
  const stopDirectorySync = directory
    ? scheduleDirectorySync({
      settings: config.directory,
      directory,
      users: backend.users,
      sessions: backend.sessions,
      log,
      recheckSessions: () => gateway.recheckSessions(),
      onError: (error) => metrics.directoryErrors.inc({ during: error.during }),
    })
    : () => Promise.resolve();
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  const workerReport = () => worker?.report() ?? null;
  let closing: Promise<void> | null = null;
  const restartWorker = async () => {
    if (closing) return;
    await worker?.reload();
  };

  const reload = async (): Promise<ServerReload> => {
    const next = options.reloadConfig?.();
    const report = next ? reconfigure(config, loaded, next) : { applied: [], needRestart: [] };
    if (report.applied.includes("log.level") || report.applied.includes("log.json")) {
      options.onLogFormat?.(config.log);
    }
    log(
      "reload: restarting the archive worker; " +
        (report.applied.length
          ? `applied ${report.applied.join(", ")}`
          : "no setting changed that a reload applies") +
        (report.needRestart.length
          ? `; changed, applied at the next restart: ${report.needRestart.join(", ")}`
          : ""),
      report.needRestart.length ? "warn" : "info",
    );
    await restartWorker();
    const state = workerReport();
    const workerState = !state
      ? "none (this server runs no archive worker)"
      : state.state === "running"
      ? "restarted"
      : `${state.state}${state.lastError ? `: ${state.lastError}` : ""}`;
    return { ...report, reread: next !== undefined, worker: workerState };
  };

  metrics.watch({
    webSockets: () => gateway.size,
    httpConnections: () => listener.open,
    onlineHere: () => gateway.ctx.hub.accounts,
    onlineAll: async () => (await backend.presence.list()).length,
    nodes: () => (link?.others().length ?? 0) + 1,
    queue: () => queueState(backend, config.queue.stallSeconds, workerReport()),
  });
  const app = createApp({
    config,
    backend,
    gateway,
    log,
    uploads,
    metrics,
    directory,
    workerReport,
    admin: options.runToken
      ? {
        runToken: options.runToken,
        httpConnections: () => listener.open,
        info: () => ({
          pid: Deno.pid,
          version: VERSION,
          startedAt,
          url,
          nodeId,
          nodeName,
          backend: backend.kind,
          deno: Deno.version.deno,
        }),
        reload,
      }
      : undefined,
  });
  handler = (request, info) => app.fetch(request, info);

  return {
    url,
    port,
    nodeId,
    nodeName,
    backend,
    gateway,
    worker,
    metrics,
    startedAt,
    restartWorker,
    reload,
    close() {
      closing ??= (async () => {
        await stopDirectorySync();
        await gateway.close();
        // The other nodes stop routing to this one now, not after the worker's drain.
        await backend.presence.close();
        await listener.close();
        await sweeper.close();
        await uploads.close();
        await worker?.close();
        await backend.close();
      })();
      return closing;
    },
  };
}
