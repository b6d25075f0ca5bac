/**
 * The worker status port: heartbeat and counters, kept in the original's `queue_deamon_status`
 * table so its operators find them where they used to.
 *
 * @module
 */

/** One worker's row. */
export interface WorkerStatus {
  jobName: string;
  queueName: string;
  /** Host/worker identity. */
  server: string;
  /** Unix seconds of the last heartbeat. */
  lastBeat: number;
  processedTotal: number;
  /** Processed since local midnight. */
  processedToday: number;
  /** Set by an operator to ask the worker to stop. */
  stopRequested: boolean;
  /** Unix seconds of the worker's last archived batch (0: none yet). */
  lastProgress: number;
  /** "running", or "stopped" after a clean stop (its last heartbeat says so). */
  state: WorkerRunState;
}

/** What a worker says of itself in a heartbeat. */
export type WorkerRunState = "running" | "stopped";

/** One heartbeat's content. */
export interface WorkerBeat {
  /** Messages archived since the previous heartbeat. */
  processed: number;
  /** Unix seconds of the last archived batch, 0 when none; the stored value never goes back. */
  lastProgress: number;
  state: WorkerRunState;
}

/** Where workers report. */
export interface WorkerStatusStore {
  /** Records a heartbeat and adds `processed` to the counters (today's resets at midnight). */
  beat(server: string, beat: WorkerBeat, now?: Date): Promise<WorkerStatus>;
  /** Every worker's row, most recent heartbeat first. */
  list(): Promise<WorkerStatus[]>;
}
