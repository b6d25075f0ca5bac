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
}

/** Where workers report. */
export interface WorkerStatusStore {
  /** Records a heartbeat and adds `processed` to the counters (today's resets at midnight). */
  beat(server: string, processed: number, now?: Date): Promise<WorkerStatus>;
  /** Every worker's row, most recent heartbeat first. */
  list(): Promise<WorkerStatus[]>;
}
