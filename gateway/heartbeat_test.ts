/**
 * The gateway's heartbeat on fake time: each connection is pinged on its own schedule, and one
 * silent for `idleSeconds` is closed with 4408, at the second it should be. (The end-to-end
 * version with real sockets and real seconds is in `tests/limits_test.ts`.)
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { defaultConfig } from "../config/mod.ts";
import { FakeTime } from "../tests/support/fake_time.ts";
import { Gateway } from "./gateway.ts";
import type { GatewayContext } from "./gateway_context.ts";
import { Hub } from "./hub.ts";

/** A socket that records the frames it was sent and how it was closed. */
function recordingSocket() {
  return {
    pings: [] as number[],
    closed: null as { code: number; at: number } | null,
    send(text: string) {
      if (JSON.parse(text).type === "ping") this.pings.push(Date.now());
    },
    close(code: number) {
      this.closed ??= { code, at: Date.now() };
    },
    bufferedAmount: 0,
  };
}

Deno.test("heartbeat: pings each connection after its own silence, closes the silent at idleSeconds", async () => {
  using time = new FakeTime(0);
  const config = defaultConfig();
  config.heartbeat.pingSeconds = 25;
  config.heartbeat.idleSeconds = 75;
  // The heartbeat touches only connections and the hub; stores are never reached here.
  const ctx = { config, hub: new Hub(), log: () => {} } as unknown as GatewayContext;
  const gateway = new Gateway(ctx);
  gateway.start();
  try {
    const early = recordingSocket();
    const answering = recordingSocket();
    gateway.open("alice", "session-a", early)!;
    await time.tick(10_000);
    const lively = gateway.open("bob", "session-b", answering)!;

    await time.tick(60_000); // t = 70 s
    // Pinged 25 s after each one's last frame or ping: on their own phases, not all at once.
    assertEquals(early.pings, [25_000, 50_000]);
    assertEquals(answering.pings, [35_000, 60_000]);
    lively.receive(JSON.stringify({ type: "pong" }));

    await time.tick(16_000); // t = 86 s
    // Silent since it opened at 0: closed on the first look after 75 s, not before.
    assertEquals(early.closed, { code: 4408, at: 76_000 });
    assertEquals(early.pings, [25_000, 50_000, 75_000]);
    assertEquals(answering.closed, null);
    // The pong at 70 s moved bob's schedule: next ping 25 s after it.
    await time.tick(10_000); // t = 96 s
    assertEquals(answering.pings, [35_000, 60_000, 95_000]);
    assertEquals(gateway.size, 1);
  } finally {
    await gateway.close();
  }
});
