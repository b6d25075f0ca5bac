/**
 * `chat migrate --to-mysql URL --redis URL`: an embedded installation (accounts, archived
 * history, messages still in its queue, a parked one, unread counts, recent contacts, offline
 * messages, a session) copied into MySQL and Redis; the production server then serves it all
 * (the old password logs in, the old session token works, history and counts are there, new
 * messages are numbered above the old ones); a second run copies nothing twice; a running
 * embedded server is refused.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { lockDataFolder } from "../api/run_files.ts";
import { defaultConfig } from "../config/mod.ts";
import { newMid } from "../queue/message.ts";
import { openEmbeddedBackend } from "../store/backend_embedded.ts";
import { hashPassword } from "../store/password.ts";
import { runChat as chat } from "./support/chat_cli.ts";
import { startTestServer } from "./support/chat_server.ts";
import { testUser } from "./support/fixtures.ts";
import { openTestStores, TEST_REDIS_URL } from "./support/stores.ts";

/** An embedded installation with a bit of everything; answers alice's session token. */
async function embeddedInstallation(dataDir: string): Promise<string> {
  const config = { ...defaultConfig(), dataDir };
  const backend = await openEmbeddedBackend(config, "migrate-fixture", () => {});
  try {
    const hash = await hashPassword("embedded-pw");
    for (const id of ["alice", "bob", "carol"]) await backend.users.add(testUser(id), hash);
    await backend.users.setDisabled("carol", true);
    const say = async (i: number, archived: boolean) => {
      const result = await backend.producer.enqueue({
        mid: newMid(),
        chatid: "alice--bob",
        fromuser: i % 2 ? "bob" : "alice",
        message: `message ${i} ✓`,
        type: 0,
        fileId: "",
        time: Math.floor(Date.now() / 1000) - 100 + i,
        cid: `c${i}`,
        members: ["alice", "bob"],
      });
      if (result.duplicate) throw new Error("no duplicates here");
      if (archived) {
        // What the worker does, without a worker: archive, index, take off the queue.
        const taken = await (backend.producer as unknown as {
          takeBatch(max: number, t: number): Promise<{ messages: unknown[] } | null>;
          ack(batch: unknown): Promise<void>;
        }).takeBatch(1, 1);
        await backend.archive.saveMessages([result.message]);
        await backend.recent.record([result.message]);
        await (backend.producer as unknown as { ack(b: unknown): Promise<void> }).ack(taken);
      }
      return result.message;
    };
    const kept = [];
    for (let i = 1; i <= 4; i++) kept.push(await say(i, true));
    // An edit, a read receipt and a receipt setting travel along.
    await backend.archive.applyChanges([{
      kind: "edit",
      chatid: "alice--bob",
      mid: kept[3].mid,
      by: "alice",
      text: "message 4 ✓ edited",
      time: kept[3].time + 1,
    }]);
    await backend.receipts.mark("alice--bob", "bob", 4, kept[3].time + 2);
    await backend.receipts.setSending("carol", false, kept[3].time + 3);
    const queue = backend.producer as unknown as {
      takeBatch(max: number, t: number): Promise<{ messages: unknown[] } | null>;
      park(m: unknown[], reason: string): Promise<void>;
      ack(batch: unknown): Promise<void>;
    };
    // Message 5 is refused by the archive and parked, as the worker does; 6 still waits.
    const refused = await say(5, false);
    const batch = await queue.takeBatch(1, 1);
    await queue.park([refused], "Cannot archive: a test's reason");
    await queue.ack(batch);
    await say(6, false);
    await backend.inbox.deliver(
      "alice--bob",
      ["alice"],
      ["alice"],
      '{"type":"say","note":"offline"}',
    );
    return await backend.sessions.create("alice");
  } finally {
    await backend.close();
  }
}

Deno.test("chat migrate copies an embedded installation into Redis + MySQL; a second run copies nothing twice", async () => {
  const data = await Deno.makeTempDir();
  const stores = await openTestStores();
  try {
    const session = await embeddedInstallation(data);
    const env = { CHAT_DATA_DIR: data, CHAT_REDIS_PREFIX: stores.prefix };
    const args = ["migrate", "--to-mysql", stores.mysqlUrl, "--redis", TEST_REDIS_URL];
    // The embedded server holds its folder: nothing is copied while it runs.
    const lock = await lockDataFolder({ ...defaultConfig(), dataDir: data });
    const busy = await chat(args, env);
    lock!.release();
    assertEquals(busy.code, 1);
    assert(/the embedded server runs on .*: stop it first/.test(busy.err), busy.err);
    const [none] = await stores.pool.query("SHOW TABLES LIKE 'webchat_user'");
    assertEquals((none as unknown[]).length, 0);

    const first = await chat([...args, "--sessions"], env);
    assertEquals(first.code, 0, first.out + first.err);
    assert(/^users: 3 copied, 0 there already$/m.test(first.out), first.out);
    assert(/^history: 4 messages/m.test(first.out), first.out);
    assert(/^queue: 1 waiting messages archived, 1 parked/m.test(first.out), first.out);
    assert(/^sessions: 1 /m.test(first.out), first.out);
    assert(/^read receipts: 1 marks, 1 settings$/m.test(first.out), first.out);
    const second = await chat([...args, "--sessions"], env);
    assertEquals(second.code, 0, second.out + second.err);
    assert(/^users: 0 copied, 3 there already$/m.test(second.out), second.out);
    assert(/^queue: 1 waiting messages archived, 0 parked/m.test(second.out), second.out);
    const [rows] = await stores.pool.query(
      "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'webchat\\_message2%'",
    );
    assert(Number((rows as { n: number }[])[0].n) >= 1);

    const t = await startTestServer({ stores });
    try {
      // The embedded password and session work; carol stays disabled.
      await t.login("bob", "embedded-pw");
      const login = await t.api(null, "/api/login", {
        method: "POST",
        body: JSON.stringify({ accountid: "carol", password: "embedded-pw" }),
      });
      assertEquals(login.status, 403);
      const history = await t.api(session, "/api/chats/alice--bob/messages?limit=100");
      assertEquals(history.status, 200, JSON.stringify(history.body));
      const messages = history.body!.messages as { seq: number; message: string }[];
      assertEquals(
        messages.map((m) => [m.seq, m.message]),
        [1, 2, 3, 4, 6].map((i) => [i, `message ${i} ✓${i === 4 ? " edited" : ""}`]),
      );
      const receipts = await t.api(session, "/api/chats/alice--bob/receipts");
      assertEquals(receipts.body!.receipts, { bob: 4 });
      assertEquals(await t.server.backend.receipts.sending("carol"), false);
      const unread = await t.api(session, "/api/unread");
      assertEquals(unread.body!.unread, { "alice--bob": 1 });
      const contacts = await t.api(session, "/api/contacts");
      assertEquals((contacts.body!.contacts as { chatid: string }[]).map((c) => c.chatid), [
        "alice--bob",
      ]);
      const queue = await t.api(session, "/api/queue/status");
      assertEquals(queue.body!.parked, 1);
      const ws = await t.connect("alice", session);
      assertEquals((ws.init.offline as unknown[]).length, 1);
      ws.send({ type: "say", chatid: "alice--bob", content: "after the move", cid: "new" });
      const ack = await ws.next((f) => f.type === "ack");
      assert(ack.seq > 2 ** 32, String(ack.seq));
      await ws.close();
    } finally {
      await t.close();
    }
  } finally {
    await stores.cleanup();
    await Deno.remove(data, { recursive: true });
  }
});
