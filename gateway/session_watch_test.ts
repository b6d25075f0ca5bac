import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { SessionWatch, type WatchedConnection } from "./session_watch.ts";

function connection(sessionKey: string): WatchedConnection & { closedWith: number | null } {
  return {
    sessionKey,
    usedSinceCheck: false,
    closedWith: null,
    close(code) {
      this.closedWith = code;
    },
  };
}

Deno.test("the recheck asks in batches, extends used sessions and ends dead ones", async () => {
  const calls: { keys: string[]; used: string[] }[] = [];
  let dead = new Set(["k7", "k800"]);
  const store = {
    live(keys: readonly string[], used: ReadonlySet<string>) {
      calls.push({ keys: [...keys], used: [...used] });
      return Promise.resolve(new Set(keys.filter((k) => !dead.has(k))));
    },
  };
  const watch = new SessionWatch(store, () => {}, 500);
  const all = Array.from({ length: 1200 }, (_, i) => connection(`k${i}`));
  const twin = connection("k7");
  for (const c of [...all, twin]) watch.add(c);
  all[3].usedSinceCheck = true;
  await watch.recheck();
  assertEquals(calls.map((c) => c.keys.length), [500, 500, 200], "one round trip per batch");
  assertEquals(calls[0].used, ["k3"]);
  assertEquals(all[3].usedSinceCheck, false, "use is counted once");
  assertEquals([all[7].closedWith, twin.closedWith, all[800].closedWith], [4401, 4401, 4401]);
  assertEquals(all.filter((c) => c.closedWith !== null).length, 2);
  // Ended sessions are no longer asked about.
  dead = new Set();
  calls.length = 0;
  await watch.recheck();
  assertEquals(calls.reduce((n, c) => n + c.keys.length, 0), 1198);
});

Deno.test("a recheck that cannot reach the store ends nothing and keeps the use", async () => {
  const logs: string[] = [];
  let failing = true;
  const store = {
    live(keys: readonly string[], used: ReadonlySet<string>) {
      if (failing) return Promise.reject(new Error("connect ECONNREFUSED"));
      return Promise.resolve(new Set(used.size > 0 ? keys : []));
    },
  };
  const watch = new SessionWatch(store, (line) => logs.push(line));
  const c = connection("k1");
  c.usedSinceCheck = true;
  watch.add(c);
  await watch.recheck();
  await watch.recheck();
  assertEquals(c.closedWith, null);
  assertEquals(c.usedSinceCheck, true);
  assertEquals(logs.length, 1, "an outage is logged once, not at every recheck");
  failing = false;
  await watch.recheck();
  assertEquals(c.closedWith, null, "the use saved through the outage extended the session");
  assertEquals(logs.at(-1), "sessions: recheck works again");
  // Logout on this node: the session's connections close at once.
  assertEquals(watch.end(["k1"]), 1);
  assertEquals(c.closedWith, 4401);
});
