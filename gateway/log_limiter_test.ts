import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { LogLimiter } from "./log_limiter.ts";

Deno.test("a connection's log writes a few lines a minute and counts the rest", () => {
  let now = 0;
  const lines: string[] = [];
  const log = new LogLimiter((line) => lines.push(line), "alice", 5, 60_000, () => now);
  for (let i = 0; i < 100; i++) log.line(`error ${i}`);
  assertEquals(lines, ["error 0", "error 1", "error 2", "error 3", "error 4"]);
  now += 60_000;
  log.line("later");
  assertEquals(lines.slice(5), ["gateway: 95 more log lines for alice suppressed", "later"]);
  log.flush();
  assertEquals(lines.length, 7, "nothing left to report");
});
