import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { defaultConfig } from "../config/mod.ts";
import type { Inbox } from "../store/inbox.ts";
import type { Presence } from "../store/presence.ts";
import type { UserStore } from "../store/users.ts";
import type { MessageProducer } from "../queue/queue.ts";
import type { RecentIndex } from "../queue/recent_index.ts";
import { Connection } from "./connection.ts";
import { Hub } from "./hub.ts";

/** A socket that records what it was sent. */
function recordingSocket() {
  const sent: string[] = [];
  return { sent, send: (t: string) => sent.push(t), close() {}, bufferedAmount: 0 };
}

Deno.test("a message sent while init is being built arrives after init, not lost", async () => {
  const offlineRead = Promise.withResolvers<string[]>();
  const user = {
    accountid: "bob",
    username: "Bob",
    dept: "",
    deptDetail: "",
    email: "",
    tel: "",
    mobile: "",
  };
  const hub = new Hub<Connection>();
  const ctx = {
    config: defaultConfig(),
    users: { find: () => Promise.resolve(user) } as unknown as UserStore,
    inbox: {
      unread: () => Promise.resolve({}),
      broadcastUnread: () => Promise.resolve(0),
      takeOffline: () => offlineRead.promise,
    } as unknown as Inbox,
    presence: {
      list: () => Promise.resolve([]),
      online: () => Promise.resolve(),
    } as unknown as Presence,
    producer: {} as MessageProducer,
    recent: { contacts: () => Promise.resolve([]) } as unknown as RecentIndex,
    hub,
    log: () => {},
  };
  const socket = recordingSocket();
  const bob = new Connection("bob", socket, ctx);
  bob.receive(JSON.stringify({ type: "login", clientName: "bob" }));
  await new Promise((r) => setTimeout(r, 10));
  // bob is already reachable while his offline list is being read …
  assertEquals(hub.has("bob"), true);
  hub.sendTo(["bob"], JSON.stringify({ type: "say", seq: 2 }));
  // … and the offline list holds what came before.
  offlineRead.resolve([JSON.stringify({ type: "say", seq: 1 })]);
  await bob.settled();
  const frames = socket.sent.map((t) => JSON.parse(t));
  assertEquals(frames.map((f) => f.type), ["init", "say"]);
  assertEquals(frames[0].offline.map((f: { seq: number }) => f.seq), [1]);
  assertEquals(frames[1].seq, 2);
});
