import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { DELIVERY_SLICE, Hub, type HubMember } from "./hub.ts";

function member(accountid: string, log: string[]): HubMember & { got: string[] } {
  const got: string[] = [];
  return {
    accountid,
    got,
    send(text) {
      got.push(text);
      log.push(`${accountid}:${text}`);
    },
  };
}

function hubOf(count: number, log: string[] = []) {
  const hub = new Hub();
  const members = Array.from({ length: count }, (_, i) => member(`u${i}`, log));
  for (const m of members) hub.add(m);
  return { hub, members, ids: members.map((m) => m.accountid) };
}

Deno.test("a big delivery lets timers and I/O run between its slices", async () => {
  const count = DELIVERY_SLICE * 8;
  const { hub, members, ids } = hubOf(count);
  let deliveredWhenTimerRan = -1;
  setTimeout(() => deliveredWhenTimerRan = members.filter((m) => m.got.length > 0).length, 0);
  // A slow socket write on every send, as on a busy machine: about 8 ms per slice.
  const slow = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end) { /* busy */ }
  };
  for (const m of members) {
    const send = m.send;
    m.send = (text) => {
      slow(0.03);
      send(text);
    };
  }
  await hub.deliver(ids, "hello");
  assert(members.every((m) => m.got.length === 1));
  assert(
    deliveredWhenTimerRan >= 0 && deliveredWhenTimerRan < count,
    `the timer waited for the whole delivery (${deliveredWhenTimerRan} of ${count})`,
  );
});

Deno.test("deliveries under one key keep their order; small ones go out at once", async () => {
  const log: string[] = [];
  const { hub, ids } = hubOf(DELIVERY_SLICE * 3, log);
  const big = hub.deliver(ids, "first", { key: "g-1" });
  const small = hub.deliver(ids.slice(0, 2), "second", { key: "g-1" });
  const other = hub.deliver(ids.slice(0, 1), "elsewhere", { key: "g-2" });
  // Another key does not wait: sent before the first slice of the big one has finished.
  assertEquals(log.filter((l) => l.endsWith("elsewhere")), ["u0:elsewhere"]);
  await Promise.all([big, small, other]);
  const u1 = log.filter((l) => l.startsWith("u1:"));
  assertEquals(u1, ["u1:first", "u1:second"]);
  assertEquals(log.filter((l) => l.endsWith(":first")).length, ids.length);
  // Nothing pending: a small delivery is synchronous again.
  hub.deliver(ids.slice(0, 1), "now", { key: "g-1" });
  assertEquals(log.at(-1), "u0:now");
});

Deno.test("each account can get its own frame, and every connection of it", async () => {
  const log: string[] = [];
  const hub = new Hub();
  const a1 = member("a", log), a2 = member("a", log), b = member("b", log);
  for (const m of [a1, a2, b]) hub.add(m);
  await hub.deliver(["a", "b", "nobody"], "plain", {
    textFor: (id) => id === "b" ? "mention" : "plain",
  });
  assertEquals([a1.got, a2.got, b.got], [["plain"], ["plain"], ["mention"]]);
});
