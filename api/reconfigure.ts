/**
 * `chat reload`: which settings a running server takes over from a re-read configuration, and
 * which only a restart applies.
 *
 * A setting is reloadable when every part that uses it reads it from the shared configuration
 * object at the moment of use; those are changed in that object, in place, so the gateway,
 * the routes and the stores see them at once. The queue settings reach the archive worker,
 * which a reload restarts. Everything that was copied at start (the listener's clocks and
 * caps, the stores' connections, the session lifetime given to the stores, the frame limit of
 * the WebSocket route, the send-rate buckets) is reported as needing a restart.
 *
 * @module
 */
import type { ResolvedConfig } from "../config/mod.ts";

/** A setting by its name in the config file and its place in {@link ResolvedConfig}. */
type Setting = readonly [name: string, path: readonly string[]];

/** Applied by a reload. */
const RELOADABLE: readonly Setting[] = [
  ["origins", ["allowedOrigins"]],
  ["publicUrl", ["publicUrl"]],
  ["limits.messageChars", ["limits", "messageChars"]],
  ["limits.sendBufferBytes", ["limits", "sendBufferBytes"]],
  ["limits.socketsPerAccount", ["limits", "socketsPerAccount"]],
  ["queue.batchSize", ["queue", "batchSize"]],
  ["queue.stallSeconds", ["queue", "stallSeconds"]],
  ["queue.leaseSeconds", ["queue", "leaseSeconds"]],
  ["login.maxFailures", ["login", "maxFailures"]],
  ["login.maxFailuresPerAddress", ["login", "maxFailuresPerAddress"]],
  ["login.windowSeconds", ["login", "windowSeconds"]],
  ["password.minLength", ["password", "minLength"]],
  ["heartbeat.pingSeconds", ["heartbeat", "pingSeconds"]],
  ["heartbeat.idleSeconds", ["heartbeat", "idleSeconds"]],
  ["log.level", ["log", "level"]],
  ["log.json", ["log", "json"]],
  ["metrics.token", ["metrics", "token"]],
  ["metrics.allow", ["metrics", "allow"]],
  ["admin.token", ["admin", "token"]],
  // Read from the shared configuration by the groupset and broadcast handlers at each frame.
  ["groups.maxMembers", ["groups", "maxMembers"]],
  // Read by the recall and edit handlers at each frame.
  ["messages.recallSeconds", ["messages", "recallSeconds"]],
  ["messages.editSeconds", ["messages", "editSeconds"]],
  ["broadcast.maxRecipients", ["broadcast", "maxRecipients"]],
  ["broadcast.senders", ["broadcast", "senders"]],
  ["broadcast.senderDepts", ["broadcast", "senderDepts"]],
  // Read by each login (api/credentials.ts).
  ["directory.localAccounts", ["directory", "localAccounts"]],
  ["directory.order", ["directory", "order"]],
];

/** Applied only by `chat restart`. */
const RESTART_ONLY: readonly Setting[] = [
  ["host", ["host"]],
  ["port", ["port"]],
  ["redis.url", ["redisUrl"]],
  ["redis.prefix", ["redisPrefix"]],
  ["mysql.url", ["mysqlUrl"]],
  ["mysql.readUrl", ["mysqlReadUrl"]],
  ["data", ["dataDir"]],
  ["http.trustedProxies", ["http", "trustedProxies"]],
  ["http.headerTimeoutSeconds", ["http", "headerTimeoutSeconds"]],
  ["http.idleTimeoutSeconds", ["http", "idleTimeoutSeconds"]],
  ["limits.frameBytes", ["limits", "frameBytes"]],
  ["limits.maxConnections", ["limits", "maxConnections"]],
  ["limits.connectionsPerAddress", ["limits", "connectionsPerAddress"]],
  ["limits.sendPerSecond", ["limits", "sendPerSecond"]],
  ["limits.sendBurst", ["limits", "sendBurst"]],
  ["node.id", ["node", "id"]],
  ["node.leaseSeconds", ["node", "leaseSeconds"]],
  ["session.ttlSeconds", ["session", "ttlSeconds"]],
  ["session.recheckSeconds", ["session", "recheckSeconds"]],
  // The upload service and its sweeper copy the files settings when they start.
  ["files.dir", ["files", "dir"]],
  ["files.maxBytes", ["files", "maxBytes"]],
  ["files.chunkBytes", ["files", "chunkBytes"]],
  ["files.allowedTypes", ["files", "allowedTypes"]],
  ["files.quotaBytes", ["files", "quotaBytes"]],
  ["files.uploadTtlSeconds", ["files", "uploadTtlSeconds"]],
  // The directory client (its filters, CA and bind) and the sync timer are made at start.
  ...[
    "url",
    "kind",
    "startTls",
    "caFile",
    "bindDn",
    "bindPassword",
    "bindPasswordFile",
    "baseDn",
    "userFilter",
    "listFilter",
    "deptRoot",
    "timeoutSeconds",
    "syncHours",
  ].map((name): Setting => [`directory.${name}`, ["directory", name]]),
  ...["account", "username", "dept", "deptDetail", "email", "tel", "mobile"].map(
    (name): Setting => [`directory.attributes.${name}`, ["directory", "attributeSettings", name]],
  ),
];

/** What a reload did with the settings that changed. */
export interface ReloadReport {
  /** Changed and in effect now. */
  applied: string[];
  /** Changed in the file but still at their old value until `chat restart`. */
  needRestart: string[];
}

function get(config: ResolvedConfig, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Compares `next` with `loaded` (the configuration as last loaded, before the server adjusted
 * anything), writes the reloadable changes into `live` (the object the server's parts read)
 * and into `loaded`, and reports every change. `live` and `loaded` may be the same object.
 */
export function reconfigure(
  live: ResolvedConfig,
  loaded: ResolvedConfig,
  next: ResolvedConfig,
): ReloadReport {
  const applied: string[] = [];
  for (const [name, path] of RELOADABLE) {
    const value = get(next, path);
    if (same(get(loaded, path), value)) continue;
    for (const target of new Set([live, loaded])) set(target, path, structuredClone(value));
    applied.push(name);
  }
  const needRestart = RESTART_ONLY.filter(([, path]) => !same(get(loaded, path), get(next, path)))
    .map(([name]) => name);
  return { applied, needRestart };
}

function set(config: ResolvedConfig, path: readonly string[], value: unknown): void {
  const parent = get(config, path.slice(0, -1)) as Record<string, unknown>;
  parent[path.at(-1)!] = value;
}

/** Every setting's name, for the test that keeps the two lists complete. */
export const KNOWN_SETTINGS: readonly string[] = [...RELOADABLE, ...RESTART_ONLY].map(([n]) => n);
