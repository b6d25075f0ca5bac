/**
 * `chat migrate --to-mysql URL --redis URL --to-files DIR`: an embedded installation (accounts,
 * archived history, messages still in its queue, a parked one, unread and mention counts,
 * recent contacts, offline messages, a session, a group whose title changed and which one
 * member left, a mute, broadcasts archived and one still queued, a file with its thumbnail
 * sent into a chat) copied into MySQL, Redis and a new file folder; the production server then
 * serves it all (the old password logs in, the old session token works, history and counts are
 * there, the group with its members and join times, the former member's stretch, the mute,
 * the broadcasts with their recipients, the file to the chat's participants only; new messages
 * are numbered above the old ones); a second run copies nothing twice; a running embedded
 * server is refused.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { lockDataFolder } from "../api/run_files.ts";
import { defaultConfig } from "../config/mod.ts";
import { newFileId } from "../files/file_table.ts";
import { newMid } from "../queue/message.ts";
import { openEmbeddedBackend } from "../store/backend_embedded.ts";
import { hashPassword } from "../store/password.ts";
import { runChat as chat } from "./support/chat_cli.ts";
import { startTestServer } from "./support/chat_server.ts";
import { testUser } from "./support/fixtures.ts";
import { openTestStores, TEST_REDIS_URL } from "./support/stores.ts";

/** The group of the fixture, and when it was made and dave left it. */
const GROUP = "alice-1700000000000";
const GROUP_MADE_MS = Date.now() - 60_000;
const DAVE_LEFT_MS = GROUP_MADE_MS + 1000;
/** The fixture's file: its bytes and its thumbnail's. */
const FILE_BYTES = new TextEncoder().encode("the file's bytes ✓\n".repeat(50));
const THUMB_BYTES = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);

/** What the fixture made that the checks need. */
interface Installation {
  /** Alice's session token. */
  session: string;
  fileId: string;
  /** The bids of the archived broadcasts (to bob and alice; to bob) and of the queued one. */
  bids: string[];
}

/** An embedded installation with a bit of everything. */
async function embeddedInstallation(dataDir: string): Promise<Installation> {
  const config = { ...defaultConfig(), dataDir };
  const backend = await openEmbeddedBackend(config, "migrate-fixture", () => {});
  try {
    const hash = await hashPassword("embedded-pw");
    for (const id of ["alice", "bob", "carol", "dave"]) {
      await backend.users.add(testUser(id), hash);
    }
    await backend.users.setDisabled("carol", true);
    // A group: made with dave, renamed and left by dave (his stretch stays), muted by bob.
    const made = await backend.groups.create({
      chatid: GROUP,
      title: "first title",
      owner: "alice",
      members: ["alice", "bob", "dave"],
      atMs: GROUP_MADE_MS,
    });
    await backend.groups.change(GROUP, made!.version, {
      add: [],
      remove: ["dave"],
      title: "Team ✓ <b>",
      atMs: DAVE_LEFT_MS,
    });
    await backend.groups.setMuted("bob", GROUP, true);
    const say = async (
      i: number,
      archived: boolean,
      into: Partial<Parameters<typeof backend.producer.enqueue>[0]> = {},
    ) => {
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
        ...into,
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
    // Into the group, naming bob (his mention count goes up).
    await say(7, true, {
      chatid: GROUP,
      fromuser: "alice",
      message: "@bob look",
      members: ["alice", "bob"],
      mentions: ["bob"],
    });
    const mentionFrame = '{"type":"say","mention":true}';
    await backend.inbox.deliver(GROUP, ["bob"], [], mentionFrame, {
      accountids: ["bob"],
      frame: mentionFrame,
    });
    // Two archived broadcasts (alice among the recipients of the first) and bob's counter.
    const now = Math.floor(Date.now() / 1000);
    const bids = [newMid(), newMid(), ""];
    await backend.broadcasts.saveBroadcasts([
      {
        bid: bids[0],
        fromuser: "alice",
        touserTitle: "R&D",
        title: "Notice ✓",
        content: "<p>meeting</p>",
        time: now - 50,
        recipients: ["bob", "alice"],
      },
      {
        bid: bids[1],
        fromuser: "alice",
        touserTitle: "Bob",
        title: "Just bob",
        content: "hi",
        time: now - 40,
        recipients: ["bob"],
      },
    ]);
    await backend.inbox.addBroadcastUnread(["bob"]);
    // A file and its thumbnail, sent into alice--bob.
    const fileId = newFileId();
    const storageKey = `files/${fileId.slice(0, 2)}/${fileId}`;
    const thumbnailKey = `thumbnails/${fileId.slice(0, 2)}/${fileId}`;
    for (const [key, bytes] of [[storageKey, FILE_BYTES], [thumbnailKey, THUMB_BYTES]] as const) {
      await backend.storage.put(key, new Blob([bytes]).stream(), { maxBytes: 1 << 20 });
    }
    await backend.files.addFile({
      id: fileId,
      owner: "alice",
      name: "report ✓.png",
      size: FILE_BYTES.length,
      mime: "image/png",
      md5: "0".repeat(32),
      storageKey,
      width: 2000,
      height: 1000,
      thumbnailKey,
      time: now - 30,
    }, 1 << 30);
    await backend.files.recordSend(fileId, "alice--bob", now - 30);
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
    // A broadcast the worker had not archived yet: it waits in the queue behind message 6.
    const queued = await say(8, false, {
      chatid: "broadcast",
      fromuser: "bob",
      message: "queued notice",
      members: ["alice"],
      broadcast: { title: "From the queue", touserTitle: "Alice" },
    });
    bids[2] = queued.mid;
    await backend.inbox.deliver(
      "alice--bob",
      ["alice"],
      ["alice"],
      '{"type":"say","note":"offline"}',
    );
    return { session: await backend.sessions.create("alice"), fileId, bids };
  } finally {
    await backend.close();
    // carol came from the company directory and left it (what a directory sync writes).
    const db = new DatabaseSync(`${dataDir}/webchat.db`);
    db.prepare("UPDATE webchat_user SET source = 'directory', disabled = 2 WHERE accountid = ?")
      .run("carol");
    db.close();
  }
}

Deno.test("chat migrate copies an embedded installation into Redis + MySQL; a second run copies nothing twice", async () => {
  const data = await Deno.makeTempDir();
  const filesTo = await Deno.makeTempDir();
  const stores = await openTestStores();
  try {
    const { session, fileId, bids } = await embeddedInstallation(data);
    const env = { CHAT_DATA_DIR: data, CHAT_REDIS_PREFIX: stores.prefix };
    const args = [
      "migrate",
      "--to-mysql",
      stores.mysqlUrl,
      "--redis",
      TEST_REDIS_URL,
      "--to-files",
      filesTo,
    ];
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
    const says = (out: string, line: RegExp) => assert(line.test(out), out);
    says(first.out, /^users: 4 copied \(1 of the company directory or left it\), 0 there/m);
    says(first.out, /^groups: 1 copied with 3 memberships .*, 0 there already$/m);
    says(first.out, /^mutes: 1 copied, 0 there already$/m);
    says(first.out, /^broadcasts: 2 with their recipients/m);
    says(first.out, /^files: 1 records copied, 0 there already; bytes copied to .*: 2 new, 0/m);
    says(first.out, /^file sends: 1 copied .*, 0 there already$/m);
    says(first.out, /^history: 5 messages/m);
    says(first.out, /^queue: 2 waiting messages archived, 1 parked/m);
    says(first.out, /^unread counts of 2 accounts \(mentions of 1\)/m);
    says(first.out, /^sessions: 1 /m);
    says(first.out, /^read receipts: 1 marks, 1 settings$/m);
    const second = await chat([...args, "--sessions"], env);
    assertEquals(second.code, 0, second.out + second.err);
    says(second.out, /^users: 0 copied, 4 there already$/m);
    says(second.out, /^groups: 0 copied with 0 memberships .*, 1 there already$/m);
    says(second.out, /^mutes: 0 copied, 1 there already$/m);
    says(second.out, /^files: 0 records copied, 1 there already; bytes .*: 0 new, 2 there/m);
    says(second.out, /^file sends: 0 copied .*, 1 there already$/m);
    says(second.out, /^queue: 2 waiting messages archived, 0 parked/m);
    // Without --to-files the bytes stay where they are, and one missing there is named.
    const thumbnail = `thumbnails/${fileId.slice(0, 2)}/${fileId}`;
    await Deno.remove(`${data}/files/${thumbnail}`);
    const third = await chat(args.slice(0, -2), env);
    assertEquals(third.code, 0, third.out + third.err);
    says(third.out, /^files: 0 records copied, 1 there already; their bytes stay in \S+files \(/m);
    assert(
      third.out.includes(`1 object missing in ${data}/files already (${thumbnail})`),
      third.out,
    );
    // Nothing twice: one row per membership stretch, per broadcast recipient and sender.
    const count = async (sql: string) =>
      Number(((await stores.pool.query(sql))[0] as { n: number }[])[0].n);
    assertEquals(await count("SELECT COUNT(*) AS n FROM webchat_group_member"), 3);
    assertEquals(await count("SELECT COUNT(*) AS n FROM webchat_group_mute"), 1);
    assertEquals(await count("SELECT COUNT(*) AS n FROM webchat_broadcast_recipient"), 6);
    assertEquals(await count("SELECT COUNT(*) AS n FROM webchat_file_chat"), 1);
    const [carol] = await stores.pool.query(
      "SELECT source, disabled FROM webchat_user WHERE accountid = 'carol'",
    );
    assertEquals(carol, [{ source: "directory", disabled: 2 }]);
    const [rows] = await stores.pool.query(
      "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'webchat\\_message2%'",
    );
    assert(Number((rows as { n: number }[])[0].n) >= 1);

    const t = await startTestServer({
      stores,
      configure: (config) => config.files.dir = filesTo,
    });
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
      assertEquals(
        (contacts.body!.contacts as { chatid: string }[]).map((c) => c.chatid).sort(),
        ["alice--bob", GROUP],
      );
      await groupChecks(t, session);
      await broadcastChecks(t, session, bids);
      await fileChecks(t, session, fileId);
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
    await Deno.remove(filesTo, { recursive: true });
  }
});

type Server = Awaited<ReturnType<typeof startTestServer>>;

/** The group with its title, owner, members and join times; dave's stretch; bob's mute. */
async function groupChecks(t: Server, alice: string): Promise<void> {
  const group = await t.api(alice, `/api/groups/${GROUP}`);
  assertEquals(group.status, 200, JSON.stringify(group.body));
  assertEquals(group.body!.title, "Team ✓ <b>");
  assertEquals(group.body!.owner, "alice");
  const joined = Math.floor(GROUP_MADE_MS / 1000);
  assertEquals(group.body!.members, [
    { accountid: "alice", joined },
    { accountid: "bob", joined },
  ]);
  const dave = await t.login("dave", "embedded-pw");
  assertEquals((await t.api(dave, `/api/groups/${GROUP}`)).status, 403);
  const [spans] = await t.stores.pool.query(
    "SELECT joined_ms, left_ms FROM webchat_group_member WHERE accountid = 'dave'",
  );
  assertEquals(
    (spans as { joined_ms: number; left_ms: number }[]).map((r) => [
      Number(r.joined_ms),
      Number(r.left_ms),
    ]),
    [[GROUP_MADE_MS, DAVE_LEFT_MS]],
  );
  const bob = await t.login("bob", "embedded-pw");
  const history = await t.api(bob, `/api/chats/${GROUP}/messages`);
  assertEquals(history.status, 200, JSON.stringify(history.body));
  const said = history.body!.messages as { message: string; mention?: boolean }[];
  assertEquals(said.map((m) => [m.message, m.mention]), [["@bob look", true]]);
  const unread = await t.api(bob, "/api/unread");
  assertEquals(unread.body!.mentions, { [GROUP]: 1 });
  assertEquals(unread.body!.broadcast, 1);
  const ws = await t.connect("bob", bob);
  assertEquals(ws.init.muted, [GROUP]);
  await ws.close();
}

/** Every broadcast with its recipients, to its sender and recipients only. */
async function broadcastChecks(t: Server, alice: string, bids: string[]): Promise<void> {
  const listed = async (token: string) =>
    ((await t.api(token, "/api/broadcasts?limit=50")).body!.broadcasts as {
      bid: string;
      title: string;
      recipients: number;
    }[]).map((b) => [b.bid, b.title, b.recipients]);
  const [toBoth, toBob, queued] = bids;
  assertEquals(await listed(alice), [
    [queued, "From the queue", 1],
    [toBob, "Just bob", 1],
    [toBoth, "Notice ✓", 2],
  ]);
  const bob = await t.login("bob", "embedded-pw");
  assertEquals(await listed(bob), [[queued, "From the queue", 1], [toBob, "Just bob", 1], [
    toBoth,
    "Notice ✓",
    2,
  ]]);
  const dave = await t.login("dave", "embedded-pw");
  assertEquals(await listed(dave), []);
}

/** The file and its thumbnail from the new folder, to the chat's participants only. */
async function fileChecks(t: Server, alice: string, fileId: string): Promise<void> {
  const get = async (token: string, query = "") => {
    const response = await fetch(`${t.url}/files/${fileId}/x${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, bytes: new Uint8Array(await response.arrayBuffer()) };
  };
  const bob = await t.login("bob", "embedded-pw");
  const file = await get(bob);
  assertEquals(file.status, 200);
  assertEquals(file.bytes, FILE_BYTES);
  assertEquals((await get(alice, "?thumbnail")).bytes, THUMB_BYTES);
  const dave = await t.login("dave", "embedded-pw");
  assertEquals((await get(dave)).status, 403);
}
