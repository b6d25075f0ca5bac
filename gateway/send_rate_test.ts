import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { SendRateLimiter } from "./send_rate.ts";

Deno.test("a token bucket: a burst, then the sustained rate, per account", () => {
  let now = 1_000_000;
  const limiter = new SendRateLimiter(2, 3, () => now);
  assertEquals([limiter.take("a"), limiter.take("a"), limiter.take("a")], [0, 0, 0]);
  assertEquals(limiter.take("a"), 500, "empty: the next message is due in 1/rate s");
  assertEquals(limiter.take("b"), 0, "another account has its own bucket");
  now += 250;
  assertEquals(limiter.take("a"), 250);
  now += 250;
  assertEquals([limiter.take("a"), limiter.take("a")], [0, 500]);
  // Refilled buckets are forgotten; one still refilling is kept (reconnecting buys nothing).
  now += 1000;
  limiter.sweep();
  assertEquals(limiter.size, 1);
  now += 1000;
  limiter.sweep();
  assertEquals(limiter.size, 0);
  assertEquals([limiter.take("a"), limiter.take("a"), limiter.take("a")], [0, 0, 0]);
});
