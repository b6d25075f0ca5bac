import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { defaultConfig } from "../config/mod.ts";
import type { GroupStore } from "../store/groups.ts";
import type { Inbox } from "../store/inbox.ts";
import type { Presence } from "../store/presence.ts";
import type { ReadReceipts } from "../store/receipts.ts";
import type { UserStore } from "../store/users.ts";
import type { MessageProducer } from "../queue/queue.ts";
import type { FileTable } from "../files/file_table.ts";
import type { MessageArchive } from "../queue/archive.ts";
import type { RecentIndex } from "../queue/recent_index.ts";
import { Connection } from "./connection.ts";
import { Hub } from "./hub.ts";
import { SendRateLimiter } from "./send_rate.ts";
import { TypingGate } from "./typing.ts";

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
    groups: { muted: () => Promise.resolve([]) } as unknown as GroupStore,
    inbox: {
      unread: () => Promise.resolve({}),
      mentions: () => Promise.resolve({}),
      broadcastUnread: () => Promise.resolve(0),
      takeOffline: () => offlineRead.promise,
    } as unknown as Inbox,
    presence: {
      list: () => Promise.resolve([]),
      online: () => Promise.resolve(),
      isOnline: () => false,
    } as unknown as Presence,
    producer: {} as MessageProducer,
    recent: { contacts: () => Promise.resolve([]) } as unknown as RecentIndex,
    archive: { findMessages: () => Promise.resolve(new Map()) } as unknown as MessageArchive,
    receipts: {} as ReadReceipts,
    files: {} as FileTable,
    sessions: { live: () => Promise.resolve(new Set<string>()) },
    sessionEndings: null,
    hub,
    typing: new TypingGate(),
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

/** A context whose accounts exist and whose queue is down, recording what is logged. */
function failingQueueContext(logs: string[]) {
  const hub = new Hub<Connection>();
  return {
    config: defaultConfig(),
    users: {
      existing: (ids: string[]) => Promise.resolve(new Set(ids)),
    } as unknown as UserStore,
    groups: {} as GroupStore,
    inbox: {} as Inbox,
    presence: {} as Presence,
    producer: {
      enqueue: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:6379")),
    } as unknown as MessageProducer,
    recent: {} as RecentIndex,
    archive: {} as MessageArchive,
    receipts: {} as ReadReceipts,
    files: {} as FileTable,
    sessions: { live: () => Promise.resolve(new Set<string>()) },
    sessionEndings: null,
    hub,
    typing: new TypingGate(),
    log: (line: string) => logs.push(line),
  };
}

Deno.test("errors a client can trigger with every frame are logged a few times a minute", async () => {
  const logs: string[] = [];
  const socket = recordingSocket();
  const alice = new Connection("alice", socket, failingQueueContext(logs));
  // Logged in without the init round trip: this test is about the say handler's log lines.
  alice.loggedIn = true;
  for (let i = 0; i < 200; i++) {
    alice.receive(
      JSON.stringify({ type: "say", chatid: "alice--bob", content: "x", cid: `c${i}` }),
    );
  }
  await alice.settled();
  const errors = socket.sent.map((t) => JSON.parse(t)).filter((f) => f.type === "error");
  assertEquals(errors.length, 200, "every frame still gets its answer");
  assertEquals(logs.length, 5, logs.join("\n"));
  alice.loggedIn = false;
  await alice.onClose();
  assertEquals(logs.at(-1), "gateway: 195 more log lines for a connection of alice suppressed");
});

Deno.test("a connection over its account's send budget answers rate_limited with the cid", async () => {
  const logs: string[] = [];
  const socket = recordingSocket();
  const ctx = failingQueueContext(logs);
  const sendRate = new SendRateLimiter(1, 3, () => 0);
  const one = new Connection("alice", socket, ctx, { sendRate });
  const two = new Connection("alice", recordingSocket(), ctx, { sendRate });
  one.loggedIn = two.loggedIn = true;
  for (let i = 0; i < 2; i++) {
    two.receive(JSON.stringify({ type: "say", chatid: "a--b", content: "x" }));
  }
  for (let i = 0; i < 3; i++) {
    one.receive(JSON.stringify({ type: "say", chatid: "alice--bob", content: "x", cid: `c${i}` }));
  }
  await Promise.all([one.settled(), two.settled()]);
  const frames = socket.sent.map((t) => JSON.parse(t));
  // The other socket of the account used two of the three: one left for this one.
  assertEquals(frames.map((f) => [f.info, f.cid]), [
    ["unavailable", "c0"],
    ["rate_limited", "c1"],
    ["rate_limited", "c2"],
  ]);
  assertEquals(frames[1].retryAfterMs, 1000);
});

Deno.test("groupset, systemNotice and broadcast frames take from the send budget too", async () => {
  const socket = recordingSocket();
  const sendRate = new SendRateLimiter(1, 3, () => 0);
  const alice = new Connection("alice", socket, failingQueueContext([]), { sendRate });
  alice.loggedIn = true;
  // Bad ids, answered before any store is asked: each still costs a message of the budget.
  alice.receive(JSON.stringify({ type: "groupset", chatid: "alice--bob", members: ["bob"] }));
  alice.receive(JSON.stringify({ type: "systemNotice", chatid: "a--b", action: "closenotice" }));
  alice.receive(JSON.stringify({ type: "broadcast", touser: "bob", content: " ", cid: "b1" }));
  alice.receive(JSON.stringify({ type: "groupset", chatid: "alice-1", members: ["bob"] }));
  alice.receive(JSON.stringify({ type: "read", chatid: "alice--bob" }));
  await alice.settled();
  const frames = socket.sent.map((t) => JSON.parse(t));
  // The last is a read mark: no message, never limited (this context's inbox cannot answer it).
  assertEquals(frames.map((f) => f.info), [
    "bad_request",
    "bad_request",
    "bad_request",
    "rate_limited",
    "unavailable",
  ]);
});
