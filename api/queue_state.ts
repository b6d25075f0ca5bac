/**
 * The queue's state as `/api/queue/status`, `/healthz` and `chat status` report it, with one
 * meaning of "alive" everywhere: the worker counts as alive only while it makes progress. A
 * backlog whose oldest message has waited longer than `queue.stallSeconds` while nothing was
 * archived for as long is `stalled`, whatever the heartbeats say.
 *
 * @module
 */
import type { ParkedReason } from "../queue/queue.ts";
import type { WorkerStatus } from "../queue/worker_status.ts";
import type { SupervisorReport } from "../queue/worker_supervisor.ts";
import type { Backend } from "../store/backend.ts";
import type { Durability } from "../store/durability.ts";

/** A status row whose heartbeat is older than this is a worker that is not running. */
export const WORKER_BEAT_SECONDS = 15;

/** What the worker is doing, as one word. */
export type WorkerState =
  /** Running and keeping up (or nothing to do). */
  | "alive"
  /** A backlog and no progress for `stallSeconds`. */
  | "stalled"
  /** This node's worker could not start or crashed; it is being started again. */
  | "restarting"
  /** Stopped cleanly (server stopped, or an operator's `dostop`). */
  | "stopped"
  /** No recent heartbeat from any worker. */
  | "not running";

/** The answer of `/api/queue/status`. */
export interface QueueState {
  worker: WorkerState;
  /** True only for `alive` (kept from the first release's shape). */
  alive: boolean;
  stalled: boolean;
  /** Why the worker is restarting or what failed, when known. */
  workerError: string | null;
  lastBeat: number;
  /** Unix seconds of the last archived batch (0: none known). */
  lastProgress: number;
  /** Seconds the oldest unarchived message has waited (0 when none waits). */
  archiveLag: number;
  processedTotal: number;
  processedToday: number;
  pending: number;
  inFlight: number;
  parked: number;
  parkedReasons: ParkedReason[];
  /** "ok", or "unavailable: …" while the worker rows cannot be read (MySQL down). */
  archive: string;
  /** What an acknowledgement survives with the queue store's settings (see the README). */
  durability: Durability;
}

/** The last worker rows read, per backend, for when the archive cannot be read. */
const lastWorkers = new WeakMap<Backend, WorkerStatus[]>();

/**
 * Reads the queue's state. `local` is this process's own worker, when it runs one: it is
 * known without a store and wins over the rows (which lag by a heartbeat).
 */
export async function queueState(
  backend: Backend,
  stallSeconds: number,
  local: SupervisorReport | null = null,
  now = Math.floor(Date.now() / 1000),
): Promise<QueueState> {
  const { producer } = backend;
  const [rows, counts, oldest, parkedReasons, durability] = await Promise.all([
    backend.workerStatus.list().then((list) => ({ list, error: "" }), (error: Error) => ({
      list: lastWorkers.get(backend) ?? [],
      error: error.message || String(error),
    })),
    producer.counts(),
    producer.oldestWaiting(),
    producer.parkedReasons(),
    backend.durability(),
  ]);
  if (!rows.error) lastWorkers.set(backend, rows.list);
  const workers = rows.list;
  const running = workers.filter((w) =>
    w.state === "running" && now - w.lastBeat <= WORKER_BEAT_SECONDS
  );
  const lastProgress = Math.max(0, local?.lastProgress ?? 0, ...workers.map((w) => w.lastProgress));
  const backlog = counts.pending + counts.inFlight;
  const archiveLag = oldest === null ? 0 : Math.max(0, now - oldest);
  const stalled = backlog > 0 && archiveLag > stallSeconds && now - lastProgress > stallSeconds;

  let worker: WorkerState;
  if (local && local.state === "restarting") worker = "restarting";
  else if (local && local.state === "stopped") worker = "stopped";
  else if (local && local.state !== "closed") worker = "alive";
  else if (running.length > 0) worker = "alive";
  else if (workers.length > 0 && workers.every((w) => w.state === "stopped")) worker = "stopped";
  else worker = "not running";
  if (worker === "alive" && stalled) worker = "stalled";

  return {
    worker,
    alive: worker === "alive",
    stalled,
    workerError: local?.lastError ?? null,
    lastBeat: Math.max(0, ...workers.map((w) => w.lastBeat)),
    lastProgress,
    archiveLag,
    processedTotal: workers.reduce((sum, w) => sum + w.processedTotal, 0),
    processedToday: workers.reduce((sum, w) => sum + w.processedToday, 0),
    pending: counts.pending,
    inFlight: counts.inFlight,
    // From the same read as the reasons (the count's own read comes a few round trips later,
    // and a worker parking meanwhile would make the two disagree).
    parked: parkedReasons.reduce((sum, r) => sum + r.count, 0),
    parkedReasons,
    archive: rows.error ? `unavailable: ${rows.error}` : "ok",
    durability,
  };
}
