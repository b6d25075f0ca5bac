/**
 * A Lua script run by its SHA1 (`EVALSHA`), loaded with `EVAL` when Redis does not know it yet
 * (first use, or after a restart or `SCRIPT FLUSH`). Used by the Redis queue so that every step
 * that must be atomic is one round trip.
 *
 * @module
 */
import type { RedisClient } from "../store/redis_client.ts";

/** One Lua script; keep an instance per script text (module level is fine). */
export class RedisScript {
  #sha: Promise<string> | undefined;
  /** The digest once known: later runs issue their command synchronously, in call order. */
  #shaValue: string | undefined;

  /** `source` is the script text; keys and arguments are passed at each call. */
  constructor(readonly source: string) {}

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
    // Known after the first run: no await before the command, so two runs started one after
    // the other reach Redis in that order (the gateway relies on it for seq order).
    const sha = this.#shaValue ??= await (this.#sha ??= sha1Hex(this.source));
    try {
      return await client.evalSha(sha, { keys, arguments: args });
    } catch (error) {
      // Scripts are a cache on the server side: an unknown SHA is normal, anything else is not.
      if (!String((error as Error)?.message ?? "").startsWith("NOSCRIPT")) throw error;
      return await client.eval(this.source, { keys, arguments: loadArgs });
    }
  }
}

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
