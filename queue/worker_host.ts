/**
 * Starts the archive worker (`worker.ts`) in a Web Worker from the main thread.
 *
 * @module
 */
import type { Log } from "../ops/log.ts";
import type { ResolvedConfig } from "../config/config.ts";
import type { WorkerCommand, WorkerReport } from "./worker.ts";
import type { BatchReport } from "./worker_loop.ts";

/** A running archive worker. */
export interface ArchiveWorkerHandle {
  /**
   * Asks the worker to finish its batch and close its connections; terminates it if it has
   * not said "stopped" within the stop timeout. Idempotent.
   */
  stop(): Promise<void>;
}

/** Options for {@link startArchiveWorker}. */
export interface StartArchiveWorkerOptions {
  /** Milliseconds to wait for "ready" (default 60000: a busy machine loads the drivers slowly). */
  startTimeoutMs?: number;
  /** Milliseconds `stop()` waits before terminating (default 10000). */
  stopTimeoutMs?: number;
  /**
   * Called when the worker ended without `stop()`: `byOperator` when an operator set `dostop`
   * in `queue_deamon_status`, false when it crashed.
   */
  onStopped?: (byOperator: boolean) => void;
  /** Called after each archived batch with the worker's total since its start. */
  onProgress?: (processed: number, batch: BatchReport) => void;
  /** Where the worker's log lines go (default: standard error). */
  log?: Log;
}

/**
 * Starts the worker with `config` (Redis + MySQL, or neither: SQLite). `workerId` names its
 * in-flight list and lease and must be unique to this worker (a process's node id plus a
 * counter); `nodeName` names its row in `queue_deamon_status` and is stable ("host:port").
 * Resolves once the worker is ready; rejects with the worker's error.
 */
export function startArchiveWorker(
  config: ResolvedConfig,
  workerId: string,
  nodeName: string,
  options: StartArchiveWorkerOptions = {},
): Promise<ArchiveWorkerHandle> {
  const worker = new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" });
  const send = (command: WorkerCommand) => worker.postMessage(command);
  let terminated = false;
  const terminate = () => {
    if (!terminated) worker.terminate();
    terminated = true;
  };
  let stopped: (() => void) | undefined;
  let stopping: Promise<void> | undefined;

  return new Promise((resolve, reject) => {
    const startTimer = setTimeout(() => {
      terminate();
      reject(new Error("Cannot start archive worker: no answer in time"));
    }, options.startTimeoutMs ?? 60_000);

    worker.onerror = (event) => {
      event.preventDefault(); // report it here instead of crashing the main thread
      clearTimeout(startTimer);
      terminate();
      if (stopped) stopped();
      else options.onStopped?.(false); // a crash after "ready" ends the worker too
      reject(new Error(`Cannot start archive worker: ${event.message}`));
    };
    worker.onmessage = (event: MessageEvent<WorkerReport>) => {
      const report = event.data;
      if (report.type === "ready") {
        clearTimeout(startTimer);
        resolve({ stop });
      } else if (report.type === "error") {
        clearTimeout(startTimer);
        terminate();
        reject(new Error(report.message));
      } else if (report.type === "log") {
        (options.log ?? ((line: string) => console.error(line)))(report.line, report.level);
      } else if (report.type === "progress") {
        options.onProgress?.(report.processed, report.batch);
      } else if (report.type === "stopped") {
        terminate();
        if (stopped) stopped();
        else options.onStopped?.(report.byOperator);
      }
    };
    send({ type: "start", config, workerId, nodeName });
  });

  function stop(): Promise<void> {
    return stopping ??= new Promise<void>((resolve) => {
      if (terminated) return resolve();
      const timer = setTimeout(() => {
        terminate();
        resolve();
      }, options.stopTimeoutMs ?? 10_000);
      stopped = () => {
        clearTimeout(timer);
        resolve();
      };
      send({ type: "stop" });
    });
  }
}
