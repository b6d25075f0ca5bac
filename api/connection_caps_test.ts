import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import { ConnectionCaps } from "./connection_caps.ts";

Deno.test("one address gets perAddress connections; released slots are usable again", () => {
  const caps = new ConnectionCaps({ total: 100, perAddress: 2, exempt: [] });
  assertEquals(caps.admit("198.51.100.7"), null);
  assertEquals(caps.admit("198.51.100.7"), null);
  assertEquals(caps.admit("198.51.100.7"), "address");
  assertEquals(caps.admit("203.0.113.9"), null, "another address is not held back");
  caps.release("198.51.100.7");
  assertEquals(caps.admit("198.51.100.7"), null);
  assertEquals(caps.open, 3);
  caps.release("unknown");
  assertEquals(caps.open, 3, "releasing what was never admitted changes nothing");
});

Deno.test("trusted proxies are exempt from the per-address cap, never from the total", () => {
  const caps = new ConnectionCaps({ total: 4, perAddress: 1, exempt: ["10.0.0.0/24"] });
  for (let i = 0; i < 4; i++) assertEquals(caps.admit("10.0.0.5"), null);
  assertEquals(caps.admit("10.0.0.5"), "total");
});

Deno.test("the total counts connections upgraded to WebSockets", () => {
  let upgraded = 2;
  const caps = new ConnectionCaps({
    total: 3,
    perAddress: 10,
    exempt: [],
    upgradedOpen: () => upgraded,
  });
  assertEquals(caps.admit("198.51.100.7"), null);
  assertEquals(caps.admit("203.0.113.9"), "total");
  upgraded = 1;
  assertEquals(caps.admit("203.0.113.9"), null);
});

Deno.test("caps below one are refused", () => {
  assertThrows(() => new ConnectionCaps({ total: 0, perAddress: 1, exempt: [] }), RangeError);
  assertThrows(() => new ConnectionCaps({ total: 1, perAddress: NaN, exempt: [] }), RangeError);
});
