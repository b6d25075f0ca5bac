import { ok as assert } from "node:assert/strict";
import { QueueWait } from "./queue_wait_sqlite.ts";

Deno.test("QueueWait: every signal from the main thread wakes a consumer in a Web Worker", async () => {
  const name = `test-wait-${crypto.randomUUID()}`;
  const worker = new Worker(new URL("./testdata/queue_wait_worker.ts", import.meta.url).href, {
    type: "module",
  });
  const producer = new QueueWait(name);
  const wakes: { woken: number; at: number }[] = [];
  let notice: (() => void) | undefined;
  worker.onmessage = (event) => {
    if (!event.data.ready) wakes.push(event.data);
    notice?.();
  };
  const next = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      notice = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  try {
    const ready = next(10_000);
    worker.postMessage({ name });
    assert(await ready, "the worker did not start");
    // Twenty signals, each after the consumer went back to sleep: the old design (a channel
    // per wait) heard the first and then nothing, because Deno unsubscribed its thread.
    for (let i = 1; i <= 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      const woke = next(2000);
      const sent = Date.now();
      producer.notify();
      assert(await woke, `signal ${i} was lost (woken ${wakes.length} times)`);
      const late = wakes[wakes.length - 1].at - sent;
      assert(late < 1000, `signal ${i} took ${late} ms`);
    }
  } finally {
    worker.terminate();
    producer.close();
  }
});

Deno.test("QueueWait: a waiter wakes by itself once per poll interval, and at close", async () => {
  const wait = new QueueWait(`test-poll-${crypto.randomUUID()}`, { pollMs: 50 });
  try {
    const waiter = wait.listen();
    const started = Date.now();
    await waiter.until(Infinity);
    waiter.stop();
    const took = Date.now() - started;
    assert(took >= 40 && took < 1000, `woke after ${took} ms`);
    const sleeping = wait.listen();
    const woken = sleeping.until(60_000);
    wait.close();
    await woken;
    sleeping.stop();
  } finally {
    wait.close();
  }
});

Deno.test("QueueWait: a signal sent between listen() and until() is not lost", async () => {
  const name = `test-race-${crypto.randomUUID()}`;
  const consumer = new QueueWait(name, { pollMs: 600_000 });
  const producer = new QueueWait(name);
  try {
    const waiter = consumer.listen();
    producer.notify();
    // The broadcast arrives asynchronously; give it a moment, then wait: it must count.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await waiter.until(5000);
    waiter.stop();
    assert(Date.now() - started < 1000, "the early signal was missed");
    // And one on the same side wakes local waiters directly (a channel skips its own posts).
    const local = consumer.listen();
    consumer.notify();
    await local.until(5000);
    local.stop();
  } finally {
    consumer.close();
    producer.close();
  }
});
