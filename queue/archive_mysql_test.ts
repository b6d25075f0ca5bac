import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { openTestStores } from "../tests/support/stores.ts";
import { MysqlArchive } from "./archive_mysql.ts";
import { type ChatMessage, type MessageTypeCode, newMid } from "./message.ts";

/** Local-time unix seconds. */
function at(year: number, month: number, day: number, h = 12, m = 0, s = 0): number {
  return new Date(year, month - 1, day, h, m, s).getTime() / 1000;
}

function message(seq: number, time: number, text = `m${seq}`, type: MessageTypeCode = 0) {
  return {
    mid: newMid(1_700_000_000_000 + seq),
    chatid: "alice--bob",
    seq,
    fromuser: "alice",
    message: text,
    type,
    fileId: type === 0 ? "" : `f${seq}`,
    time,
    cid: `c${seq}`,
    members: ["alice", "bob"],
  } satisfies ChatMessage;
}

const JAN_LAST = at(2026, 1, 31, 23, 59, 59);
const FEB_FIRST = at(2026, 2, 1, 0, 0, 1);

Deno.test("MysqlArchive splits a batch by month and stores each mid once", async () => {
  const stores = await openTestStores();
  try {
    const archive = new MysqlArchive(stores.pool);
    const batch = [message(1, JAN_LAST), message(2, FEB_FIRST), message(3, FEB_FIRST)];
    await archive.saveMessages(batch);
    await archive.saveMessages(batch); // a batch retried after a crash
    const [jan] = await stores.pool.query("SELECT mid FROM webchat_message202601");
    const [feb] = await stores.pool.query("SELECT mid FROM webchat_message202602");
    assertEquals((jan as { mid: string }[]).map((r) => r.mid), [batch[0].mid]);
    assertEquals((feb as unknown[]).length, 2);
    const page = await archive.history({ chatid: "alice--bob", limit: 10 });
    assertEquals(page.messages, batch);
    assertEquals(page.hasMore, false);
    assertEquals(await archive.maxSeq("alice--bob"), 3);
    assertEquals(await archive.maxSeq("nobody--else"), 0);
  } finally {
    await stores.cleanup();
  }
});

Deno.test("MysqlArchive keeps SQL, HTML and unicode verbatim", async () => {
  const stores = await openTestStores();
  try {
    const archive = new MysqlArchive(stores.pool);
    const texts = [
      "'; DROP TABLE webchat_message202601; --",
      `<script>alert("x")</script> & \\ \\' 100%_off`,
      "emoji 😀👍🏽 CJK 你好，世界 \u2028",
    ];
    const batch = texts.map((text, i) => message(i + 1, JAN_LAST, text));
    await archive.saveMessages(batch);
    const page = await archive.history({ chatid: "alice--bob", limit: 10 });
    assertEquals(page.messages.map((m) => m.message), texts);
    const found = await archive.history({ chatid: "alice--bob", limit: 10, q: "100%_OFF" });
    assertEquals(found.messages.map((m) => m.seq), [2]);
    const none = await archive.history({ chatid: "alice--bob", limit: 10, q: "100%x" });
    assertEquals(none.messages, []);
  } finally {
    await stores.cleanup();
  }
});

Deno.test("MysqlArchive pages across months", async () => {
  const stores = await openTestStores();
  try {
    const archive = new MysqlArchive(stores.pool);
    // seq 1..10 in December, 11..20 in January (11 and 20 at its edges), 21..30 in February.
    const batch: ChatMessage[] = [];
    for (let seq = 1; seq <= 30; seq++) {
      const time = seq <= 10
        ? at(2025, 12, seq)
        : seq === 20
        ? JAN_LAST
        : seq <= 20
        ? at(2026, 1, seq - 10)
        : seq === 21
        ? FEB_FIRST
        : at(2026, 2, seq - 20);
      const type = (seq % 3 === 0 ? 1 : 0) as MessageTypeCode;
      batch.push(message(seq, time, seq % 5 === 0 ? `Needle hay ${seq}` : `hay ${seq}`, type));
    }
    await archive.saveMessages(batch.slice(0, 15));
    await archive.saveMessages(batch.slice(15));
    const seqs = (page: { messages: ChatMessage[] }) => page.messages.map((m) => m.seq);
    const chatid = "alice--bob";

    const newest = await archive.history({ chatid, limit: 12 });
    assertEquals(seqs(newest), [19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
    assertEquals(newest.hasMore, true);
    const older = await archive.history({ chatid, limit: 12, before: 19 });
    assertEquals(seqs(older), [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
    assertEquals(older.hasMore, true);
    const oldest = await archive.history({ chatid, limit: 12, before: 7 });
    assertEquals(seqs(oldest), [1, 2, 3, 4, 5, 6]);
    assertEquals(oldest.hasMore, false);

    const after = await archive.history({ chatid, limit: 5, after: 8 });
    assertEquals(seqs(after), [9, 10, 11, 12, 13]);
    assertEquals(after.hasMore, true);
    const tail = await archive.history({ chatid, limit: 5, after: 26 });
    assertEquals(seqs(tail), [27, 28, 29, 30]);
    assertEquals(tail.hasMore, false);

    const images = await archive.history({ chatid, limit: 4, type: 1 });
    assertEquals(seqs(images), [21, 24, 27, 30]);
    assertEquals(images.hasMore, true);
    const needles = await archive.history({ chatid, limit: 10, q: "  needle   HAY " });
    assertEquals(seqs(needles), [5, 10, 15, 20, 25, 30]);
    assertEquals(needles.hasMore, false);

    // The month boundary: the last second of January and the first of February.
    const edge = await archive.history({ chatid, limit: 10, since: JAN_LAST, until: FEB_FIRST });
    assertEquals(seqs(edge), [20, 21]);
    assertEquals(edge.hasMore, false);
    const january = await archive.history({
      chatid,
      limit: 5,
      since: at(2026, 1, 1, 0, 0, 0),
      until: JAN_LAST,
    });
    assertEquals(seqs(january), [16, 17, 18, 19, 20]);
    assertEquals(january.hasMore, true);
    const janAfter = await archive.history({ chatid, limit: 20, after: 12, until: JAN_LAST });
    assertEquals(seqs(janAfter), [13, 14, 15, 16, 17, 18, 19, 20]);
    assertEquals(janAfter.hasMore, false);
    assertEquals(await archive.maxSeq(chatid), 30);
    assert(newest.messages.every((m) => m.members.join() === "alice,bob"));
  } finally {
    await stores.cleanup();
  }
});

Deno.test("MysqlArchive rejects a bad page size", async () => {
  const stores = await openTestStores();
  try {
    const archive = new MysqlArchive(stores.pool);
    let failed = false;
    await archive.history({ chatid: "a--b", limit: 0 }).catch(() => failed = true);
    assert(failed);
  } finally {
    await stores.cleanup();
  }
});

Deno.test("MysqlArchive splits a batch larger than max_allowed_packet into several statements", async () => {
  const stores = await openTestStores();
  try {
    const [[{ packet }]] = await stores.pool.query(
      "SELECT @@max_allowed_packet AS packet",
    ) as unknown as [[{ packet: number }]];
    // Enough text that one multi-row INSERT would exceed the server's packet limit.
    const size = 1_000_000;
    const count = Math.ceil((Number(packet) * 1.2) / size);
    const batch = Array.from(
      { length: count },
      (_, i) => message(i + 1, JAN_LAST, "x".repeat(size)),
    );
    const archive = new MysqlArchive(stores.pool);
    await archive.saveMessages(batch);
    const [[row]] = await stores.pool.query(
      "SELECT COUNT(*) AS n, SUM(LENGTH(message)) AS bytes FROM webchat_message202601",
    ) as unknown as [[{ n: number; bytes: number }]];
    assertEquals([Number(row.n), Number(row.bytes)], [count, count * size]);
  } finally {
    await stores.cleanup();
  }
});
