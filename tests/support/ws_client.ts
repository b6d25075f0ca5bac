/**
 * A WebSocket test client that queues every frame it receives, so a test can wait for the
 * next frame matching a predicate, and knows how the connection closed.
 *
 * @module
 */

/** A received frame (parsed JSON). */
// deno-lint-ignore no-explicit-any
export type Frame = Record<string, any>;

/** A connected test client. */
export interface WsClient {
  socket: WebSocket;
  /** Every frame received so far, in order. */
  frames: Frame[];
  send(frame: unknown): void;
  sendText(text: string): void;
  /** The first not-yet-taken frame matching `match` (waits up to `timeoutMs`). */
  next(match?: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Resolves with the close code. */
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

/** Opens `/ws` with a bearer token in the query (or none) and optional headers. */
export async function openWs(
  baseUrl: string,
  token: string | null,
  options: { headers?: Record<string, string> } = {},
): Promise<WsClient> {
  const url = baseUrl.replace(/^http/, "ws") + "/ws" + (token ? `?token=${token}` : "");
  // Deno's WebSocket accepts headers (used to send a cross-site Origin).
  const socket = new WebSocket(url, { headers: options.headers } as unknown as string[]);
  const frames: Frame[] = [];
  const taken = new Set<Frame>();
  const waiters = new Set<() => void>();
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.onclose = (event) => {
      resolve({ code: event.code, reason: event.reason });
      for (const wake of waiters) wake();
    };
  });
  socket.onmessage = (event) => {
    frames.push(JSON.parse(String(event.data)));
    for (const wake of waiters) wake();
  };
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = (event) =>
      reject(new Error(`WebSocket error: ${(event as ErrorEvent).message}`));
  });
  socket.onerror = () => {};
  return {
    socket,
    frames,
    send: (frame) => socket.send(JSON.stringify(frame)),
    sendText: (text) => socket.send(text),
    closed,
    async next(match = () => true, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (true) {
        const found = frames.find((f) => !taken.has(f) && match(f));
        if (found) {
          taken.add(found);
          return found;
        }
        const left = deadline - Date.now();
        if (left <= 0 || socket.readyState >= WebSocket.CLOSING && !found) {
          if (left > 0) await new Promise((r) => setTimeout(r, 20));
          const late = frames.find((f) => !taken.has(f) && match(f));
          if (late) {
            taken.add(late);
            return late;
          }
          throw new Error(
            `no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames).slice(0, 800)}`,
          );
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, left);
          waiters.add(wake);
        });
      }
    },
    async close() {
      if (socket.readyState < WebSocket.CLOSING) socket.close(1000, "bye");
      await closed;
    },
  };
}
