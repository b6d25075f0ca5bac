import type { LogLevel } from "../ops/log.ts";

/**
 * Configuration: defaults < config file (`chat.json` or `--config FILE`) < `CHAT_*` environment
 * < command-line flags. Loaded once, validated once; errors name the field.
 *
 * @module
 */
import { defaultDirectory, type DirectoryConfig } from "./directory_config.ts";

/** The fully resolved configuration every part of the server receives. */
export interface ResolvedConfig {
  host: string;
  port: number;
  /** `redis://…` or null for the embedded backend. */
  redisUrl: string | null;
  /** Prefix for every Redis key (lets several installations or tests share one Redis). */
  redisPrefix: string;
  /** `mysql://…` or null for the embedded backend. */
  mysqlUrl: string | null;
  /**
   * A MySQL/MariaDB replica for history reads (`mysql.readUrl`), or null: they go to `mysqlUrl`.
   * Nothing is ever written through it.
   */
  mysqlReadUrl: string | null;
  /** Embedded database, uploads, pid and log files. */
  dataDir: string;
  /** Origins allowed to change state and to open WebSockets, besides the server's own. */
  allowedOrigins: string[];
  /**
   * The URL people open (e.g. `https://chat.example.com` behind a proxy), or null. When set it
   * is the server's own origin for the Origin check (instead of the request's `Host` header)
   * and makes the session cookie `Secure` when it is https.
   */
  publicUrl: string | null;
  http: {
    /** Addresses or CIDR ranges of reverse proxies whose `X-Forwarded-For` is believed. */
    trustedProxies: string[];
    /** Seconds a new connection has to send a complete request head before it is closed. */
    headerTimeoutSeconds: number;
    /** Seconds a kept-alive HTTP connection may wait for its next request. */
    idleTimeoutSeconds: number;
  };
  limits: {
    /** Largest WebSocket frame in bytes; larger ones close the connection with 1009. */
    frameBytes: number;
    /** Longest message text in characters. */
    messageChars: number;
    /** Open connections (HTTP and WebSocket) before new WebSockets are refused with 1013. */
    maxConnections: number;
    /** Bytes queued for one slow client before it is disconnected. */
    sendBufferBytes: number;
    /** Open HTTP connections from one client address, IPv6 by /64 (trusted proxies exempt). */
    connectionsPerAddress: number;
    /** WebSockets one account may hold open on a node. */
    socketsPerAccount: number;
    /** Messages one account may send per second, sustained (token bucket refill). */
    sendPerSecond: number;
    /** Messages one account may send in a burst (token bucket size). */
    sendBurst: number;
  };
  queue: {
    /** Most messages the worker archives in one batch. */
    batchSize: number;
    /** Backlog with nothing archived for this long makes the worker `stalled`. */
    stallSeconds: number;
    /** Lifetime of a worker's lease; its in-flight messages are taken back after it lapses. */
    leaseSeconds: number;
  };
  node: {
    /**
     * This process's name among the nodes sharing Redis and MySQL; null: a name made unique
     * per process (`host:port:pid.random`). Two live nodes never share one: the second refuses
     * to start.
     */
    id: string | null;
    /**
     * Lifetime of a node's lease in Redis: a node that dies without saying so is taken out
     * (its accounts announced offline where not connected elsewhere) within about 4/3 of it.
     */
    leaseSeconds: number;
  };
  session: {
    /** Seconds a session lives without use. */
    ttlSeconds: number;
    /** Seconds between checks that the session of each open WebSocket still exists. */
    recheckSeconds: number;
  };
  login: {
    /** Failed logins per account and address within the window before 429. */
    maxFailures: number;
    /** Failed logins per address, whatever the account, within the window (spraying). */
    maxFailuresPerAddress: number;
    windowSeconds: number;
  };
  password: {
    /** Shortest password `chat user add|passwd` accepts, in characters. */
    minLength: number;
  };
  files: {
    /** Folder of uploaded files (server-chosen names); null: `<dataDir>/files`. */
    dir: string | null;
    /** Largest file in bytes; a larger upload is refused with 413 before any byte is kept. */
    maxBytes: number;
    /** Size of every chunk of an upload but the last. */
    chunkBytes: number;
    /** Types (`image/png`, `image/*`) an upload may have; empty: any. */
    allowedTypes: string[];
    /** Bytes of files and unfinished uploads one account may hold; 0: no limit. */
    quotaBytes: number;
    /** An unfinished upload without a new chunk for this long is removed. */
    uploadTtlSeconds: number;
  };
  /** Operations: logs, `/metrics`, the admin status endpoint. */
  log: {
    /** Lines below this level are not written. */
    level: LogLevel;
    /** One JSON object per line instead of text. */
    json: boolean;
  };
  metrics: {
    /** Bearer token that opens `/metrics` from any address; null: only `allow` does. */
    token: string | null;
    /** Addresses or CIDR ranges that may read `/metrics` without a token. */
    allow: string[];
  };
  admin: {
    /**
     * Bearer token of the admin endpoints (`chat status --url` from another host). Local
     * commands use the per-run token the server writes into its data folder instead.
     */
    token: string | null;
  };
  heartbeat: {
    /** Server ping interval. */
    pingSeconds: number;
    /** A connection silent for this long is closed with 4408. */
    idleSeconds: number;
  };
  groups: {
    /** Most members one group may have. */
    maxMembers: number;
  };
  messages: {
    /** Seconds after sending within which the sender may recall a message. */
    recallSeconds: number;
    /** Seconds after sending within which the sender may edit a message. */
    editSeconds: number;
  };
  broadcast: {
    /** Most recipients of one broadcast (listed and in the departments together). */
    maxRecipients: number;
    /** Accounts that may broadcast; with `senderDepts` both empty, everyone may. */
    senders: string[];
    /** Departments (`deptDetail` paths, sub-departments included) whose people may broadcast. */
    senderDepts: string[];
  };
  /** The company directory (LDAP / Active Directory) people log in with. */
  directory: DirectoryConfig;
}

/** Thrown for any invalid setting; the message starts with the field's name. */
export class ConfigError extends Error {
  constructor(readonly field: string, reason: string) {
    super(`in ${field}: ${reason}`);
    this.name = "ConfigError";
  }
}

/** Defaults: a server on 127.0.0.1:8080 using the embedded backend in `./data`. */
export function defaultConfig(): ResolvedConfig {
  return {
    host: "127.0.0.1",
    port: 8080,
    redisUrl: null,
    redisPrefix: "",
    mysqlUrl: null,
    mysqlReadUrl: null,
    dataDir: "./data",
    allowedOrigins: [],
    publicUrl: null,
    http: { trustedProxies: [], headerTimeoutSeconds: 10, idleTimeoutSeconds: 60 },
    limits: {
      frameBytes: 64 * 1024,
      messageChars: 5000,
      maxConnections: 16_000,
      sendBufferBytes: 1024 * 1024,
      connectionsPerAddress: 256,
      socketsPerAccount: 10,
      sendPerSecond: 10,
      sendBurst: 30,
    },
    queue: { batchSize: 500, stallSeconds: 30, leaseSeconds: 15 },
    node: { id: null, leaseSeconds: 15 },
    session: { ttlSeconds: 7 * 24 * 3600, recheckSeconds: 30 },
    login: { maxFailures: 5, maxFailuresPerAddress: 50, windowSeconds: 300 },
    password: { minLength: 8 },
    files: {
      dir: null,
      maxBytes: 100 * 1024 * 1024,
      chunkBytes: 1024 * 1024,
      allowedTypes: [],
      quotaBytes: 10 * 1024 * 1024 * 1024,
      uploadTtlSeconds: 86_400,
    },
    log: { level: "info", json: false },
    metrics: { token: null, allow: ["127.0.0.1", "::1"] },
    admin: { token: null },
    heartbeat: { pingSeconds: 25, idleSeconds: 75 },
    groups: { maxMembers: 2000 },
    messages: { recallSeconds: 120, editSeconds: 900 },
    broadcast: { maxRecipients: 10_000, senders: [], senderDepts: [] },
    directory: defaultDirectory(),
  };
}
