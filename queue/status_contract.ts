/**
 * The {@link WorkerStatusStore} contract, as `Deno.test`s run against every implementation
 * (`status_mysql_test.ts`, `status_sqlite_test.ts`).
 *
 * @module
 */
import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import type { WorkerBeat, WorkerStatusStore } from "./worker_status.ts";
import { contractTests } from "../tests/support/contract.ts";

/** One implementation on fresh, isolated storage. */
export interface WorkerStatusHarness {
  status: WorkerStatusStore;
  /** Sets the stop flag of a server's row, as an operator does (`dostop = 1`). */
  requestStop(server: string): Promise<void>;
  /** Closes and removes the storage. */
  close(): Promise<void>;
}

/** A running worker's heartbeat that archived `processed` messages since the last one. */
function n(processed: number): WorkerBeat {
  return { processed, lastProgress: 0, state: "running" };
}

/** Registers the contract's tests, named `${name}: …`. */
export function describeWorkerStatusContract(
  name: string,
  open: () => Promise<WorkerStatusHarness>,
): void {
  const test = contractTests(name, open);

  test("counts per server and resets today's count on a new day", async ({ status }) => {
    const morning = new Date(2026, 2, 10, 9, 0, 0);
    const evening = new Date(2026, 2, 10, 23, 0, 0);
    const nextDay = new Date(2026, 2, 11, 0, 0, 5);
    const first = await status.beat("10.0.0.1:8080", n(5), morning);
    assertEquals(first, {
      jobName: "chat:msg-list",
      queueName: "chat:msg-list",
      server: "10.0.0.1:8080",
      lastBeat: morning.getTime() / 1000,
      processedTotal: 5,
      processedToday: 5,
      stopRequested: false,
      lastProgress: 0,
      state: "running",
    });
    await status.beat("10.0.0.2:8080", n(1), evening);
    const second = await status.beat("10.0.0.1:8080", n(7), evening);
    assertEquals([second.processedTotal, second.processedToday], [12, 12]);
    const third = await status.beat("10.0.0.1:8080", n(3), nextDay);
    assertEquals([third.processedTotal, third.processedToday], [15, 3]);
    // The same day of the next month is a new day too.
    const later = await status.beat("10.0.0.1:8080", n(2), new Date(2026, 3, 11, 8, 0, 0));
    assertEquals([later.processedTotal, later.processedToday], [17, 2]);
    const rows = await status.list();
    assertEquals(rows.map((r) => [r.server, r.processedTotal]), [
      ["10.0.0.1:8080", 17],
      ["10.0.0.2:8080", 1],
    ]);
  });

  test("reports an operator's stop request once", async ({ status, requestStop }) => {
    await status.beat("w1", n(0));
    await requestStop("w1");
    assertEquals((await status.list())[0].stopRequested, true);
    assertEquals((await status.beat("w1", n(0))).stopRequested, true);
    assertEquals((await status.beat("w1", n(0))).stopRequested, false);
  });

  test("keeps the last progress time (never backwards) and the run state", async ({ status }) => {
    await status.beat("w1", { processed: 3, lastProgress: 1_800_000_000, state: "running" });
    const older = await status.beat("w1", { processed: 0, lastProgress: 0, state: "running" });
    assertEquals([older.lastProgress, older.state], [1_800_000_000, "running"]);
    const stopped = await status.beat("w1", {
      processed: 0,
      lastProgress: 1_800_000_060,
      state: "stopped",
    });
    assertEquals([stopped.lastProgress, stopped.state], [1_800_000_060, "stopped"]);
    assertEquals((await status.list())[0].state, "stopped");
    const again = await status.beat("w1", n(0));
    assertEquals(again.state, "running", "a restarted worker says so at its first beat");
    await rejects(
      status.beat("w1", { processed: -1, lastProgress: 0, state: "running" }),
      RangeError,
    );
    await rejects(
      status.beat("w1", { processed: 0, lastProgress: 0, state: "asleep" as "running" }),
      RangeError,
    );
  });
}
