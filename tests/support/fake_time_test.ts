import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { FakeTime } from "./fake_time.ts";

Deno.test("FakeTime runs timers in due order at their due time, and only when told", async () => {
  const realStart = Date.now();
  const seen: string[] = [];
  {
    using time = new FakeTime(1_000_000);
    assertEquals(Date.now(), 1_000_000);
    setTimeout(() => seen.push(`b@${Date.now()}`), 200);
    setTimeout((label: string) => seen.push(`${label}@${Date.now()}`), 100, "a");
    const never = setTimeout(() => seen.push("cleared"), 50);
    clearTimeout(never);
    const every = setInterval(() => seen.push(`i@${Date.now()}`), 150);
    await time.tick(99);
    assertEquals(seen.length, 0);
    await time.tick(251);
    assertEquals(seen, ["a@1000100", "i@1000150", "b@1000200", "i@1000300"]);
    clearInterval(every);
    await time.tick(1000);
    assertEquals(seen.length, 4);
    assertEquals(time.now, 1_001_350);
    // A promise chain a timer starts is done before the next timer fires.
    setTimeout(async () => {
      await Promise.resolve();
      seen.push("async");
    }, 10);
    setTimeout(() => seen.push("after"), 11);
    await time.tick(20);
    assertEquals(seen.slice(4), ["async", "after"]);
    throws(() => new FakeTime(), /already installed/);
  }
  assert(Date.now() >= realStart, "the real clock is back");
  await new Promise((resolve) => setTimeout(resolve, 1));
});
