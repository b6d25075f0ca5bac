/**
 * The process's file-descriptor budget: every open TCP connection (HTTP or WebSocket) holds a
 * descriptor, and so do the stores, the worker, the embedded database and files. The listener
 * refuses connections beyond {@link connectionBudget} by closing them at once, and the gateway
 * refuses WebSockets beyond {@link connectionCap} with 1013, so the process keeps its reserve
 * and `accept` does not meet EMFILE.
 *
 * @module
 */

/** Descriptors kept free for stores, the worker, files and the runtime itself. */
export const RESERVED_DESCRIPTORS = 200;

/** Connections allowed when the limit cannot be read (no Linux `/proc`). */
const UNKNOWN_LIMIT_BUDGET = 1_000_000;

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

/** Open connections of every kind the process can hold and keep its reserve (at least 1). */
export function connectionBudget(limit = openFileLimit()): number {
  if (limit === null) return UNKNOWN_LIMIT_BUDGET;
  return Math.max(1, limit - RESERVED_DESCRIPTORS);
}

/** The configured WebSocket cap, lowered to fit the connection budget when needed. */
export function connectionCap(configured: number, limit = openFileLimit()): number {
  return Math.min(configured, connectionBudget(limit));
}
