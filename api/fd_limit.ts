/**
 * Keeps the connection cap below the process's file-descriptor limit, so the gateway refuses
 * new WebSockets with 1013 before the listener ever meets EMFILE.
 *
 * @module
 */

/** Descriptors kept free for stores, the worker, files and HTTP requests. */
const RESERVED = 200;

/** The soft "Max open files" limit (Linux), or null where it cannot be read. */
export function openFileLimit(): number | null {
  try {
    const limits = Deno.readTextFileSync("/proc/self/limits");
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
    if (!match || match[1] === "unlimited") return null;
    return Number(match[1]);
  } catch {
    return null;
  }
}

/** The configured cap, lowered to fit under the descriptor limit when needed. */
export function connectionCap(configured: number, limit = openFileLimit()): number {
  if (limit === null) return configured;
  return Math.max(1, Math.min(configured, limit - RESERVED));
}
