/**
 * A Lua script run by its SHA1 (`EVALSHA`), loaded with `EVAL` when Redis does not know it yet
 * (first use, or after a restart or `SCRIPT FLUSH`). Used by the Redis queue so that every step
 * that must be atomic is one round trip.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { RedisClient } from "../store/redis_client.ts";

/** One Lua script; keep an instance per script text (module level is fine). */
export class RedisScript {
  /**
   * Worked out at once (node:crypto is synchronous): a run issues its command before it first
   * waits, so runs reach Redis in the order they were called, and before anything the caller
   * does next (the gateway counts a message unread before it sends the frame, and relies on it).
   */
  readonly #sha: string;

  /** `source` is the script text; keys and arguments are passed at each call. */
  constructor(readonly source: string) {
    this.#sha = createHash("sha1").update(source).digest("hex");
  }

  /**
   * Runs the script on `client`; answers the raw RESP2 reply. `loadArgs`, when given, replace
   * `args` for the run that loads the script (`EVAL`): a script can tell that Redis did not
   * know it, which since Redis 7 (the script cache is neither persisted nor replicated) means
   * a Redis process that this script has not run in yet.
   */
  async run(
    client: RedisClient,
    keys: string[],
    args: string[],
    loadArgs: string[] = args,
  ): Promise<unknown> {
    try {
      return await client.evalSha(this.#sha, { keys, arguments: args });
    } catch (error) {
      // Scripts are a cache on the server side: an unknown SHA is normal, anything else is not.
      if (!String((error as Error)?.message ?? "").startsWith("NOSCRIPT")) throw error;
      return await client.eval(this.source, { keys, arguments: loadArgs });
    }
  }
}
