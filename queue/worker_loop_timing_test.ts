/**
 * The archive worker's timers on fake time, over in-memory stand-ins for its stores: the retry
 * backoff while the archive fails, the heartbeat schedule and what each beat reports, and the
 * stop asked for in the status row. The same behaviour over real Redis and MariaDB (which must
 * see real time) is in `worker_loop_test.ts`.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { sampleDraft } from "../tests/support/fixtures.ts";
import { FakeTime } from "../tests/support/fake_time.ts";
import type { MessageArchive } from "./archive.ts";
import type { ChatMessage } from "./message.ts";
import type { TakenBatch } from "./queue.ts";
import type { RecentIndex } from "./recent_index.ts";
import { ArchiveWorker } from "./worker_loop.ts";
import type { WorkerStatus, WorkerStatusStore } from "./worker_status.ts";

/** A queue in memory: `takeBatch` waits until something is pushed or the queue is closed. */
function memoryQueue() {
  const waiting: ChatMessage[] = [];
  const acked: TakenBatch[] = [];
  let wake = () => {};
  let closed = false;
  return {
    acked,
    push(...messages: ChatMessage[]) {
      waiting.push(...messages);
      wake();
    },
    recover: () => Promise.resolve(0),
    async takeBatch(max: number): Promise<TakenBatch | null> {
      while (waiting.length === 0 && !closed) await new Promise<void>((r) => wake = r);
      return closed ? null : { messages: waiting.splice(0, max) };
    },
    ack(batch: TakenBatch) {
      acked.push(batch);
      return Promise.resolve();
    },
    park: () => Promise.resolve(),
    renewLease: () => Promise.resolve(),
    releaseLease: () => Promise.resolve(),
    reclaimExpired: () => Promise.resolve(0),
    counts: () => Promise.resolve({ pending: waiting.length, inFlight: 0, parked: 0 }),
    close() {
      closed = true;
      wake();
      return Promise.resolve();
    },
  };
}

/** A status table in memory that records each beat; `stopAt` sets the stop flag on that beat. */
function memoryStatus(stopAt = Infinity) {
  const beats: { at: number; processed: number }[] = [];
  const store: WorkerStatusStore = {
    beat(server, { processed, lastProgress, state }) {
      beats.push({ at: Date.now(), processed });
      const row: WorkerStatus = {
        jobName: "archive",
        queueName: "chat:msg-list",
        server,
        lastBeat: Math.floor(Date.now() / 1000),
        processedTotal: beats.reduce((sum, b) => sum + b.processed, 0),
        processedToday: 0,
        stopRequested: beats.length === stopAt,
        lastProgress,
        state,
      };
      return Promise.resolve(row);
    },
    list: () => Promise.resolve([]),
  };
  return { beats, store };
}

const message = (i: number): ChatMessage => ({ ...sampleDraft("alice--bob", i), seq: i });
const recent = { record: () => Promise.resolve() } as unknown as RecentIndex;

Deno.test("worker retries a failing archive at 100 ms doubling to 5 s, and acks only once it is stored", async () => {
  using time = new FakeTime(0);
  const queue = memoryQueue();
  const attempts: number[] = [];
  const archive = {
    saveMessages() {
      attempts.push(Date.now());
      if (attempts.length <= 8) {
        return Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { code: "x" }));
      }
      return Promise.resolve();
    },
  } as unknown as MessageArchive;
  const logs: string[] = [];
  const worker = new ArchiveWorker({
    queue,
    archive,
    recent,
    status: memoryStatus().store,
    server: "t:1",
    heartbeatMs: 60_000,
    log: (line) => logs.push(line),
  });
  await worker.start();
  queue.push(message(1), message(2));
  await time.tick(16_299);
  assertEquals(attempts, [0, 100, 300, 700, 1500, 3100, 6300, 11_300]);
  assertEquals([queue.acked.length, worker.processed], [0, 0], "nothing acked while failing");
  const delays = logs.map((line) => /archive failed, retry in (\d+) ms/.exec(line)?.[1]);
  assertEquals(delays.map(Number), [100, 200, 400, 800, 1600, 3200, 5000, 5000]);
  await time.tick(1);
  assertEquals(attempts.at(-1), 16_300);
  assertEquals([queue.acked.length, worker.processed], [1, 2]);
  await worker.stop();
});

Deno.test("worker beats every heartbeatMs with what it archived since the last beat, and stops when the row asks", async () => {
  using time = new FakeTime(0);
  const queue = memoryQueue();
  const status = memoryStatus(4);
  const saved: ChatMessage[] = [];
  const archive = {
    saveMessages(messages: ChatMessage[]) {
      saved.push(...messages);
      return Promise.resolve();
    },
  } as unknown as MessageArchive;
  let stoppedAt = -1;
  const worker = new ArchiveWorker({
    queue,
    archive,
    recent,
    status: status.store,
    server: "t:1",
    heartbeatMs: 5000,
    log: () => {},
    onStopped: () => stoppedAt = Date.now(),
  });
  await worker.start();
  await time.tick(2000);
  queue.push(message(1), message(2), message(3));
  await time.tick(8000); // t = 10 s
  assertEquals(status.beats, [
    { at: 0, processed: 0 },
    { at: 5000, processed: 3 },
    { at: 10_000, processed: 0 },
  ]);
  assertEquals(saved.length, 3);
  // The fourth beat finds the stop flag: the worker stops by itself, with a last beat.
  await time.tick(5000);
  assertEquals(stoppedAt, 15_000);
  assertEquals(status.beats.map((b) => b.at), [0, 5000, 10_000, 15_000, 15_000]);
  await time.tick(20_000);
  assertEquals(status.beats.length, 5, "no beats after stopping");
  assertEquals(time.pending, 0, "no timer left behind");
});
