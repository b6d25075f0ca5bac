import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { QueueCounts } from "../queue/queue.ts";
import type { WorkerStatus } from "../queue/worker_status.ts";
import type { SupervisorReport } from "../queue/worker_supervisor.ts";
import type { Backend } from "../store/backend.ts";
import { EMBEDDED_DURABILITY } from "../store/durability.ts";
import { queueState } from "./queue_state.ts";

const NOW = 1_800_000_000;

/** The two ports queueState reads, answering fixed values. */
function backendWith(
  counts: QueueCounts,
  oldest: number | null,
  rows: Partial<WorkerStatus>[] | Error,
): Backend {
  const row = (r: Partial<WorkerStatus>): WorkerStatus => ({
    jobName: "chat:msg-list",
    queueName: "chat:msg-list",
    server: "h:1",
    lastBeat: NOW - 2,
    processedTotal: 10,
    processedToday: 4,
    stopRequested: false,
    lastProgress: NOW - 3,
    state: "running",
    ...r,
  });
  return {
    producer: {
      counts: () => Promise.resolve(counts),
      oldestWaiting: () => Promise.resolve(oldest),
      parkedReasons: () =>
        Promise.resolve(counts.parked ? [{ reason: "too wide", count: counts.parked }] : []),
    },
    workerStatus: {
      list: () => rows instanceof Error ? Promise.reject(rows) : Promise.resolve(rows.map(row)),
    },
    durability: () => Promise.resolve(EMBEDDED_DURABILITY),
  } as unknown as Backend;
}

const idle = { pending: 0, inFlight: 0, parked: 0 };
const local = (r: Partial<SupervisorReport>): SupervisorReport => ({
  state: "running",
  lastError: null,
  lastProgress: NOW - 1,
  processed: 0,
  attempts: 0,
  ...r,
});

Deno.test("queueState: alive while the worker keeps up, stalled when a backlog waits", async () => {
  const fresh = await queueState(backendWith(idle, null, [{}]), 30, null, NOW);
  assertEquals([fresh.worker, fresh.alive, fresh.stalled, fresh.archiveLag], [
    "alive",
    true,
    false,
    0,
  ]);

  // A backlog that just arrived after a quiet hour is not a stall.
  const quiet = backendWith({ ...idle, pending: 3 }, NOW - 1, [{ lastProgress: NOW - 3600 }]);
  assertEquals((await queueState(quiet, 30, null, NOW)).worker, "alive");

  // The lost wake-up as it was seen: heartbeats fresh, pending growing, nothing archived.
  const asleep = backendWith({ ...idle, pending: 3 }, NOW - 45, [{ lastProgress: NOW - 600 }]);
  const stalled = await queueState(asleep, 30, null, NOW);
  assertEquals([stalled.worker, stalled.alive, stalled.stalled, stalled.archiveLag], [
    "stalled",
    false,
    true,
    45,
  ]);
  // In flight counts as waiting too (a batch MySQL never takes).
  const stuck = backendWith({ ...idle, inFlight: 500 }, NOW - 40, [{ lastProgress: NOW - 40 }]);
  assertEquals((await queueState(stuck, 30, null, NOW)).worker, "stalled");
  // Catching up after an outage: old backlog, but batches keep being archived.
  const catching = backendWith({ ...idle, pending: 9000 }, NOW - 600, [{ lastProgress: NOW - 1 }]);
  assertEquals((await queueState(catching, 30, null, NOW)).worker, "alive");
  // The node's own worker knows its progress before its next heartbeat does.
  const own = await queueState(asleep, 30, local({ lastProgress: NOW }), NOW);
  assertEquals(own.worker, "alive");
});

Deno.test("queueState: stopped, not running and restarting say so", async () => {
  const stopped = backendWith(idle, null, [{ state: "stopped" }]);
  assertEquals((await queueState(stopped, 30, null, NOW)).worker, "stopped");
  const silent = backendWith(idle, null, [{ lastBeat: NOW - 60 }]);
  assertEquals((await queueState(silent, 30, null, NOW)).worker, "not running");
  assertEquals(
    (await queueState(backendWith(idle, null, []), 30, null, NOW)).worker,
    "not running",
  );
  const restarting = await queueState(
    backendWith(idle, null, new Error("connect ECONNREFUSED")),
    30,
    local({ state: "restarting", lastError: "MySQL is down" }),
    NOW,
  );
  assertEquals(
    [restarting.worker, restarting.workerError, restarting.archive],
    ["restarting", "MySQL is down", "unavailable: connect ECONNREFUSED"],
  );
  const parked = await queueState(backendWith({ ...idle, parked: 2 }, null, [{}]), 30, null, NOW);
  assertEquals(parked.parkedReasons, [{ reason: "too wide", count: 2 }]);
});
