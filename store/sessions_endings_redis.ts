/**
 * {@link SessionEndings} over Redis pub/sub: `RedisSessionStore` publishes the keys of every
 * session it ends on `<prefix>chat:revoke`; this listens on a subscriber connection of its own
 * (a subscribed connection can run no other command). While that connection is down nothing is
 * heard, and the gateway's periodic look at the sessions catches up.
 *
 * @module
 */
import type { Log } from "../ops/log.ts";
import { closeRedis, type RedisClient } from "./redis_client.ts";
import { SESSION_KEY, type SessionEndings } from "./sessions.ts";
import { sessionEndChannel } from "./sessions_redis.ts";

/** Announcements of ended sessions from every node and from `chat user passwd`. */
export class RedisSessionEndings implements SessionEndings {
  #subscriber: RedisClient | null = null;
  #closed = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly log: Log,
  ) {}

  async listen(ended: (keys: string[]) => void): Promise<void> {
    if (this.#closed || this.#subscriber) return;
    const subscriber = this.redis.duplicate();
    this.#subscriber = subscriber;
    let lastError = "";
    subscriber.on("error", (error: Error) => {
      if (error.message !== lastError) this.log(`session announcements: ${error.message}`, "warn");
      lastError = error.message;
    });
    subscriber.on("ready", () => lastError = "");
    await subscriber.connect();
    // node-redis subscribes again by itself after a reconnect.
    await subscriber.subscribe(sessionEndChannel(this.prefix), (message: string) => {
      const keys = message.split(" ").filter((key) => SESSION_KEY.test(key));
      if (keys.length > 0) ended(keys);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const subscriber = this.#subscriber;
    this.#subscriber = null;
    if (subscriber) await closeRedis(subscriber);
  }
}
