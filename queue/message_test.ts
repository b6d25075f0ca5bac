import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { firstMidAt, newMid } from "./message.ts";

Deno.test("mids sort by creation, also within one millisecond", () => {
  const mids = Array.from({ length: 5000 }, () => newMid());
  assert(mids.every((mid, i) => /^[0-9a-f]{24}$/.test(mid) && (i === 0 || mid > mids[i - 1])));
  const ms = Date.now() + 60_000;
  const same = [newMid(ms + 5), newMid(ms + 5), newMid(ms + 5)];
  assert(same[0] < same[1] && same[1] < same[2], same.join(" "));
  // An explicit earlier time is that time, whatever was made since.
  const earlier = newMid(ms);
  assert(earlier.startsWith(ms.toString(16).padStart(12, "0")) && earlier < same[0]);
  assert(firstMidAt(ms) <= earlier && earlier < firstMidAt(ms + 1));
  assertEquals(firstMidAt(0), "0".repeat(24));
});
