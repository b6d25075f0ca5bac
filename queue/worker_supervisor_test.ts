import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { eventually } from "../tests/support/fixtures.ts";
import type { StartArchiveWorkerOptions } from "./worker_host.ts";
import { ArchiveSupervisor, type WorkerStarter } from "./worker_supervisor.ts";

/** A fake worker host: each start fails while `failing` says so, else "runs" until stopped. */
function fakeHost() {
  const host = {
    failing: 0,
    started: [] as string[],
    stops: 0,
    callbacks: null as Pick<StartArchiveWorkerOptions, "onStopped" | "onProgress"> | null,
    start: ((workerId, callbacks) => {
      host.started.push(workerId);
      if (host.failing > 0) {
        host.failing--;
        return Promise.reject(new Error("MySQL is down"));
      }
      host.callbacks = callbacks;
      return Promise.resolve({
        stop: () => {
          host.stops++;
          return Promise.resolve();
        },
      });
    }) as WorkerStarter,
  };
  return host;
}

function supervisor(host: ReturnType<typeof fakeHost>, logs: string[] = []) {
  return new ArchiveSupervisor({
    start: host.start,
    nodeId: "h:1:42.abc",
    log: (line) => logs.push(line),
    minDelayMs: 20,
    maxDelayMs: 80,
  });
}

Deno.test("ArchiveSupervisor keeps trying to start a worker that fails, with backoff", async () => {
  const host = fakeHost();
  host.failing = 4;
  const logs: string[] = [];
  const s = supervisor(host, logs);
  try {
    await s.start();
    assertEquals(s.report().state, "restarting");
    assertEquals(s.report().lastError, "MySQL is down");
    await eventually(() => s.report().state === "running", 3000, "running after 4 failures");
    assertEquals(host.started.length, 5);
    assertEquals(new Set(host.started).size, 5, "each start has a worker id of its own");
    assert(host.started.every((id) => id.startsWith("h:1:42.abc-w")), host.started.join());
    assertEquals(logs.filter((l) => /retry in/.test(l)).length, 4);
    assert(logs.some((l) => /retry in 80 ms/.test(l)), "backoff grows to its cap");
  } finally {
    await s.close();
  }
});

Deno.test("ArchiveSupervisor restarts a crashed worker, but not one an operator stopped", async () => {
  const host = fakeHost();
  const s = supervisor(host);
  try {
    await s.start();
    assertEquals(s.report().state, "running");
    host.callbacks!.onProgress!(7, { size: 7, seconds: 0.01 });
    assertEquals(s.report().processed, 7);
    assert(s.report().lastProgress > 0);
    host.callbacks!.onStopped!(false); // crashed
    assertEquals(s.report().state, "restarting");
    await eventually(() => host.started.length === 2 && s.report().state === "running", 2000);
    host.callbacks!.onProgress!(3, { size: 3, seconds: 0.01 });
    assertEquals(s.report().processed, 10, "counts survive a restart");
    host.callbacks!.onStopped!(true); // dostop
    assertEquals(s.report().state, "stopped");
    await new Promise((resolve) => setTimeout(resolve, 200));
    assertEquals(host.started.length, 2, "an operator's stop is respected");
    await s.reload();
    assertEquals(s.report().state, "running");
    assertEquals(host.started.length, 3);
  } finally {
    await s.close();
  }
  assertEquals(s.report().state, "closed");
});

Deno.test("ArchiveSupervisor reload while the store is down keeps retrying", async () => {
  const host = fakeHost();
  const s = supervisor(host);
  try {
    await s.start();
    host.failing = 3; // MySQL went away, then `chat reload`
    await s.reload();
    assertEquals(host.stops, 1, "the running worker was stopped first");
    assertEquals(s.report().state, "restarting");
    await eventually(() => s.report().state === "running", 3000, "running again");
    assertEquals(host.started.length, 5);
  } finally {
    await s.close();
  }
  assertEquals(host.stops, 2);
  // A late answer after close() is stopped, not adopted.
  const late = fakeHost();
  const t = supervisor(late);
  const starting = t.start();
  await t.close();
  await starting;
  assertEquals(t.report().state, "closed");
});
