import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { parseRange } from "./byte_range.ts";

Deno.test("ranges: a-b, a-, -n, past the end, several, malformed", () => {
  assertEquals(parseRange(undefined, 100), "whole");
  assertEquals(parseRange("bytes=0-9", 100), { start: 0, end: 9 });
  assertEquals(parseRange("bytes=90-", 100), { start: 90, end: 99 });
  assertEquals(parseRange("bytes=-10", 100), { start: 90, end: 99 });
  assertEquals(parseRange("bytes=-1000", 100), { start: 0, end: 99 });
  assertEquals(parseRange("bytes=50-1000", 100), { start: 50, end: 99 });
  assertEquals(parseRange("bytes=100-", 100), "unsatisfiable");
  assertEquals(parseRange("bytes=-0", 100), "unsatisfiable");
  assertEquals(parseRange("bytes=0-", 0), "unsatisfiable");
  assertEquals(parseRange("bytes=0-1,5-6", 100), "whole");
  assertEquals(parseRange("bytes=9-3", 100), "whole");
  assertEquals(parseRange("items=0-1", 100), "whole");
  assertEquals(parseRange("bytes=-", 100), "whole");
});
