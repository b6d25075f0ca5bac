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

/** Two hubs joined by an in-memory link: `where` says which accounts each other node has. */
function linkedHub(where: Record<string, string[]>) {
  const sent: [string, string][] = [];
  const link = {
    nodeId: "here",
    listen: () => Promise.resolve(),
    route(accountids: Iterable<string>) {
      const routes = new Map<string, string[]>();
      for (const id of accountids) {
        for (const [node, ids] of Object.entries(where)) {
          if (ids.includes(id)) routes.set(node, [...routes.get(node) ?? [], id]);
        }
      }
      return routes;
    },
    send: (node: string, payload: string) => void sent.push([node, payload]),
    others: () => Object.keys(where),
  };
  return { hub: new Hub(link), sent };
}

Deno.test("with other nodes, a delivery goes once to each node that has recipients, with just them", async () => {
  const { hub, sent } = linkedHub({ n2: ["bob", "carol"], n3: ["dave"], n4: ["zed"] });
  const log: string[] = [];
  const alice = member("alice", log);
  hub.add(alice);
  const mention = (id: string) => id === "carol" ? "M" : "T";
  await hub.deliver(["alice", "bob", "carol", "dave"], "T", { key: "g", seq: 1, textFor: mention });
  assertEquals(alice.got, ["T"]);
  assertEquals(sent.map(([node, p]) => [node, JSON.parse(p)]), [
    ["n2", { k: "g", s: 1, f: [["T", ["bob"]], ["M", ["carol"]]] }],
    ["n3", { k: "g", s: 1, f: [["T", ["dave"]]] }],
  ]);
  // Everyone here: nothing goes to another node.
  sent.length = 0;
  await hub.deliver(["alice"], "x", { key: "alice--alice", seq: 1 });
  hub.sendTo(["alice"], "read");
  assertEquals(sent, []);
});

Deno.test("what other nodes hand over is delivered here in seq order per chat", async () => {
  const { hub } = linkedHub({});
  const log: string[] = [];
  const bob = member("bob", log), carol = member("carol", log);
  hub.add(bob);
  hub.add(carol);
  const relay = (seq: number, frames: [string, string[]][]) =>
    hub.receive(JSON.stringify({ k: "g", s: seq, f: frames }))!;
  await relay(1, [["1", ["bob", "carol"]]]).sent;
  // 3 (from one node) arrives before 2 (from another): 3 waits for 2.
  const three = relay(3, [["3", ["bob"]], ["3m", ["carol"]]]);
  assertEquals(three.message, true);
  assertEquals(bob.got, ["1"]);
  await relay(2, [["2", ["bob", "carol"]]]).sent;
  assertEquals(await three.sent, 2);
  assertEquals(bob.got, ["1", "2", "3"]);
  assertEquals(carol.got, ["1", "2", "3m"]);
  // Not a delivery: refused, nothing sent.
  assertEquals(hub.receive("{}"), null);
  assertEquals(hub.receive("not json"), null);
  const read = hub.receive(JSON.stringify({ k: "", f: [["r", ["bob"]]] }))!;
  assertEquals([read.message, await read.sent], [false, 1]);
});
