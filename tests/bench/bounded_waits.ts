/**
 * Cancellation and bounded waits: Ctrl-C / SIGTERM abort every wait (then the entry point's
 * `finally` cleans up), and every wait has a deadline, so the script always ends.
 *
 * @module
 */

/** Aborted by Ctrl-C / SIGTERM once {@linkcode listenForInterrupts} has run. */
export const aborted: AbortController = new AbortController();

/** Turns SIGINT and SIGTERM into an abort of {@linkcode aborted}. */
export function listenForInterrupts(): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      if (aborted.signal.aborted) return;
      console.error(`\n${signal}: stopping and cleaning up…`);
      aborted.abort(new Error(`interrupted by ${signal}`));
    });
  }
}

/** `promise`, or a rejection after `ms` or on abort. */
export function waitFor<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`${what}: not done within ${ms} ms`)), ms);
    const onAbort = () => finish(aborted.signal.reason);
    const finish = (error: unknown, value?: T) => {
      clearTimeout(timer);
      aborted.signal.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve(value as T);
    };
    aborted.signal.addEventListener("abort", onAbort);
    promise.then((value) => finish(null, value), (error) => finish(error));
  });
}

/** Runs `work` over `items` with at most `limit` at a time; the first failure rejects. */
export async function pool<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      if (aborted.signal.aborted) throw aborted.signal.reason;
      await work(items[next++]);
    }
  });
  await Promise.all(lanes);
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
