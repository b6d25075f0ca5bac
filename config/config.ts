/**
 * Configuration: defaults < config file (`chat.json` or `--config FILE`) < `CHAT_*` environment
 * < command-line flags. Loaded once, validated once; errors name the field.
 *
 * @module
 */

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
  /** Embedded database, uploads, pid and log files. */
  dataDir: string;
  /** Origins allowed to change state and to open WebSockets, besides the server's own. */
  allowedOrigins: string[];
  limits: {
    /** Largest WebSocket frame in bytes; larger ones close the connection with 1009. */
    frameBytes: number;
    /** Longest message text in characters. */
    messageChars: number;
    /** Open connections (HTTP and WebSocket) before new WebSockets are refused with 1013. */
    maxConnections: number;
    /** Bytes queued for one slow client before it is disconnected. */
    sendBufferBytes: number;
  };
  queue: {
    /** Most messages the worker archives in one batch. */
    batchSize: number;
  };
  session: {
    /** Seconds a session lives without use. */
    ttlSeconds: number;
  };
  login: {
    /** Failed logins per account and address within the window before 429. */
    maxFailures: number;
    windowSeconds: number;
  };
  heartbeat: {
    /** Server ping interval. */
    pingSeconds: number;
    /** A connection silent for this long is closed with 4408. */
    idleSeconds: number;
  };
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
    dataDir: "./data",
    allowedOrigins: [],
    limits: {
      frameBytes: 64 * 1024,
      messageChars: 5000,
      maxConnections: 16_000,
      sendBufferBytes: 1024 * 1024,
    },
    queue: { batchSize: 500 },
    session: { ttlSeconds: 7 * 24 * 3600 },
    login: { maxFailures: 5, windowSeconds: 300 },
    heartbeat: { pingSeconds: 25, idleSeconds: 75 },
  };
}
