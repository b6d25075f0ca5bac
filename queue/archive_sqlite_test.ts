import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { openTempSqlite } from "../store/temp_db_sqlite.ts";
import { SqliteArchive } from "./archive_sqlite.ts";
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

Deno.test("SqliteArchive stores each mid once and rejects a malformed batch whole", async () => {
  const temp = await openTempSqlite();
  try {
    const archive = new SqliteArchive(temp.db);
    const batch = [message(1, JAN_LAST), message(2, FEB_FIRST), message(3, FEB_FIRST)];
    await archive.saveMessages(batch);
    await archive.saveMessages(batch); // a batch retried after a crash
    assertEquals(temp.db.prepare("SELECT COUNT(*) AS n FROM webchat_message").get()?.n, 3);
    const page = await archive.history({ chatid: "alice--bob", limit: 10 });
    assertEquals(page.messages, batch);
    assertEquals(page.hasMore, false);
    assertEquals(await archive.maxSeq("alice--bob"), 3);
    assertEquals(await archive.maxSeq("nobody--else"), 0);
    const bad = { ...message(5, FEB_FIRST), seq: 1.5 };
    await rejects(archive.saveMessages([message(4, FEB_FIRST), bad]), TypeError);
    assertEquals(await archive.maxSeq("alice--bob"), 3, "nothing of a bad batch is stored");
  } finally {
    await temp.cleanup();
  }
});

Deno.test("SqliteArchive keeps SQL, HTML and unicode verbatim", async () => {
  const temp = await openTempSqlite();
  try {
    const archive = new SqliteArchive(temp.db);
    const texts = [
      "'; DROP TABLE webchat_message; --",
      `<script>alert("x")</script> & \\ \\' 100%_off`,
      "emoji 😀👍🏽 CJK 你好，世界 \u2028 \u0000 end",
    ];
    const batch = texts.map((text, i) => message(i + 1, JAN_LAST, text));
    await archive.saveMessages(batch);
    const page = await archive.history({ chatid: "alice--bob", limit: 10 });
    assertEquals(page.messages.map((m) => m.message), texts);
    const found = await archive.history({ chatid: "alice--bob", limit: 10, q: "100%_OFF" });
    assertEquals(found.messages.map((m) => m.seq), [2]);
    const none = await archive.history({ chatid: "alice--bob", limit: 10, q: "100%x" });
    assertEquals(none.messages, []);
    const slash = await archive.history({ chatid: "alice--bob", limit: 10, q: "\\'" });
    assertEquals(slash.messages.map((m) => m.seq), [2]);
    const emoji = await archive.history({ chatid: "alice--bob", limit: 10, q: "你好 😀" });
    assertEquals(emoji.messages.map((m) => m.seq), [3]);
  } finally {
    await temp.cleanup();
  }
});

Deno.test("SqliteArchive pages like the MySQL archive", async () => {
  const temp = await openTempSqlite();
  try {
    const archive = new SqliteArchive(temp.db);
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
    await archive.saveMessages([{ ...message(1, JAN_LAST), mid: newMid(), chatid: "other" }]);
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
    assertEquals((await archive.history({ chatid: "other", limit: 5 })).messages[0].members, []);
  } finally {
    await temp.cleanup();
  }
});

Deno.test("SqliteArchive rejects a bad page size", async () => {
  const temp = await openTempSqlite();
  try {
    const archive = new SqliteArchive(temp.db);
    await rejects(archive.history({ chatid: "a--b", limit: 0 }), RangeError);
    await rejects(archive.history({ chatid: "a--b", limit: 101 }), RangeError);
  } finally {
    await temp.cleanup();
  }
});
