import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { plainUser } from "../tests/support/fixtures.ts";
import { defaultConfig } from "../config/mod.ts";
import { newMid } from "../queue/message.ts";
import { openEmbeddedBackend } from "./backend_embedded.ts";

Deno.test("openEmbeddedBackend wires every port to one file and reopens it", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "webchat-embedded-" });
  const config = { ...defaultConfig(), dataDir: `${dataDir}/nested/data` };
  try {
    const backend = await openEmbeddedBackend(config, "node:1", () => {});
    assertEquals(backend.kind, "embedded");
    assertEquals(await backend.health(), { sqlite: "ok" });
    await backend.users.add(plainUser("alice", "Alice"), "h");
    const token = await backend.sessions.create("alice");
    const sent = await backend.producer.enqueue({
      mid: newMid(),
      chatid: "alice--bob",
      fromuser: "alice",
      message: "hi",
      type: 0,
      fileId: "",
      time: 1_767_225_600,
      cid: "c1",
      members: ["alice", "bob"],
    });
    assert(!sent.duplicate);
    await backend.archive.saveMessages([sent.message]);
    await backend.close();
    await backend.close();
    assertEquals(await backend.health(), { sqlite: "down: closed" });

    // Everything that must survive a restart did.
    const again = await openEmbeddedBackend(config, "node:1", () => {});
    try {
      assertEquals((await again.users.find("alice"))?.username, "Alice");
      assertEquals(await again.sessions.resolve(token), "alice");
      assertEquals(await again.producer.counts(), { pending: 1, inFlight: 0, parked: 0 });
      const page = await again.archive.history({ chatid: "alice--bob", limit: 5 });
      assertEquals(page.messages.map((m) => m.seq), [1]);
    } finally {
      await again.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
