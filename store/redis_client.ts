/**
 * The one place that creates node-redis clients. Every Redis adapter receives a connected
 * {@link RedisClient} and a key prefix; none of them creates connections of its own.
 *
 * Clients are made to fail fast while disconnected (no offline queue), so a caller that needs
 * Redis gets an error at once and can answer `unavailable`, and they reconnect by themselves
 * with a capped backoff when Redis returns.
 *
 * @module
 */
import { createClient } from "redis";

/** A connected node-redis client (RESP2, default modules). */
export type RedisClient = ReturnType<typeof createClient>;

/** Options for {@link connectRedis}. */
export interface RedisConnectOptions {
  /** Called with every connection error (they repeat while Redis is down). */
  onError?: (error: Error) => void;
  /** Name shown by `CLIENT LIST`, useful when reading MONITOR output. */
  name?: string;
  /** Give up the first connection after this many milliseconds (default 5000). */
  connectTimeoutMs?: number;
}

/**
 * Connects to `url` (`redis://host:port/db`). Rejects when the first connection cannot be made
 * within the timeout, so a misconfigured server fails at start instead of silently waiting.
 */
export async function connectRedis(
  url: string,
  options: RedisConnectOptions = {},
): Promise<RedisClient> {
  const client = createClient({
    url,
    name: options.name,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: options.connectTimeoutMs ?? 5000,
      // Keep retrying for ever: Redis coming back must heal the server without a restart.
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 6), 2000),
    },
  });
  let lastError = "";
  client.on("error", (error: Error) => {
    if (error.message !== lastError) options.onError?.(error);
    lastError = error.message;
  });
  client.on("ready", () => {
    lastError = "";
  });
  const timeoutMs = options.connectTimeoutMs ?? 5000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Cannot connect to Redis at ${redactUrl(url)}: timed out`)),
          timeoutMs,
        );
      }),
    ]);
  } catch (error) {
    client.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return client;
}

/** Closes a client without waiting for Redis if it is unreachable. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (!client.isOpen) return;
  if (client.isReady) {
    try {
      await client.close();
      return;
    } catch {
      // fall through: destroy below
    }
  }
  client.destroy();
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}
