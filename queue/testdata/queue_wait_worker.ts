/**
 * A consumer thread for `queue_wait_sqlite_test.ts`: waits on the channel named in the start
 * message, over and over, and reports each wake-up. The safety-net poll is set far beyond the
 * test's length, so only signals can wake it.
 */
import { QueueWait } from "../queue_wait_sqlite.ts";

const scope = self as unknown as {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent<{ name: string }>) => void) | null;
};

scope.onmessage = async (event) => {
  scope.onmessage = null;
  const wait = new QueueWait(event.data.name, { pollMs: 600_000 });
  scope.postMessage({ ready: true });
  for (let woken = 1;; woken++) {
    const waiter = wait.listen();
    try {
      await waiter.until(Infinity);
    } finally {
      waiter.stop();
    }
    scope.postMessage({ woken, at: Date.now() });
  }
};
