/**
 * The {@link MessageArchive} contract, as `Deno.test`s run against every implementation
 * (`archive_mysql_test.ts`, `archive_sqlite_test.ts`), and the messages its tests archive.
 *
 * @module
 */
import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { type MessageArchive, MessageRejectedError } from "./archive.ts";
import { type ChatMessage, type MessageTypeCode, newMid } from "./message.ts";
import { contractTests } from "../tests/support/contract.ts";

/** One implementation on fresh, isolated storage. */
export interface ArchiveHarness {
  archive: MessageArchive;
  /** How many messages are stored, in every table. */
  stored(): Promise<number>;
  /** Closes and removes the storage. */
  close(): Promise<void>;
}

/** Local-time unix seconds. */
export function at(year: number, month: number, day: number, h = 12, m = 0, s = 0): number {
  return new Date(year, month - 1, day, h, m, s).getTime() / 1000;
}

/** The last second of January 2026 and the first of February (local time). */
export const JAN_LAST = at(2026, 1, 31, 23, 59, 59);
/** See {@link JAN_LAST}. */
export const FEB_FIRST = at(2026, 2, 1, 0, 0, 1);

/** Message `seq` of chat `alice--bob`, with a mid that sorts by `seq`. */
export function archived(
  seq: number,
  time: number,
  text = `m${seq}`,
  type: MessageTypeCode = 0,
): ChatMessage {
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
  };
}

/** The highest archived seq of a chat, 0 when none: the newest page's last message. */
async function newestSeq(archive: MessageArchive, chatid: string): Promise<number> {
  return (await archive.history({ chatid, limit: 1 })).messages.at(-1)?.seq ?? 0;
}

/** Registers the contract's tests, named `${name}: …`. */
export function describeArchiveContract(name: string, open: () => Promise<ArchiveHarness>): void {
  const test = contractTests(name, open);

  test("stores each mid once", async ({ archive, stored }) => {
    const batch = [archived(1, JAN_LAST), archived(2, FEB_FIRST), archived(3, FEB_FIRST)];
    await archive.saveMessages(batch);
    await archive.saveMessages(batch); // a batch retried after a crash
    assertEquals(await stored(), 3);
    const page = await archive.history({ chatid: "alice--bob", limit: 10 });
    assertEquals(page.messages, batch);
    assertEquals(page.hasMore, false);
    assertEquals(await newestSeq(archive, "alice--bob"), 3);
    assertEquals(await newestSeq(archive, "nobody--else"), 0);
  });

  test("keeps SQL, HTML and unicode verbatim", async ({ archive }) => {
    const texts = [
      "'; DROP TABLE webchat_message; DROP TABLE webchat_message202601; --",
      `<script>alert("x")</script> & \\ \\' 100%_off`,
      "emoji 😀👍🏽 CJK 你好，世界 \u2028 \u0000 end",
    ];
    const batch = texts.map((text, i) => archived(i + 1, JAN_LAST, text));
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
  });

  test("pages across months", async ({ archive }) => {
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
      batch.push(archived(seq, time, seq % 5 === 0 ? `Needle hay ${seq}` : `hay ${seq}`, type));
    }
    await archive.saveMessages(batch.slice(0, 15));
    await archive.saveMessages(batch.slice(15));
    await archive.saveMessages([{ ...archived(1, JAN_LAST), mid: newMid(), chatid: "other" }]);
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
    assertEquals(await newestSeq(archive, chatid), 30);
    assert(newest.messages.every((m) => m.members.join() === "alice,bob"));
    assertEquals((await archive.history({ chatid: "other", limit: 5 })).messages[0].members, []);
  });

  test("refuses a batch with a message it can never store, storing none of it", async ({ archive }) => {
    await archive.saveMessages([archived(1, JAN_LAST), archived(2, FEB_FIRST)]);
    const bad = [
      { ...archived(4, FEB_FIRST), seq: 1.5 },
      { ...archived(4, FEB_FIRST), fromuser: "x".repeat(41) },
      { ...archived(4, FEB_FIRST), type: 7 as MessageTypeCode },
      { ...archived(4, FEB_FIRST), message: "lone \ud800" },
      { ...archived(4, FEB_FIRST), chatid: "" },
    ];
    for (const message of bad) {
      await rejects(archive.saveMessages([archived(3, FEB_FIRST), message]), MessageRejectedError);
    }
    assertEquals(await newestSeq(archive, "alice--bob"), 2, "nothing of a refused batch is stored");
  });

  test("refuses a message repeating a chat's seq under another mid, and keeps the first", async ({ archive, stored }) => {
    const first = archived(1, JAN_LAST, "first");
    await archive.saveMessages([first, archived(2, JAN_LAST)]);
    const repeat = { ...archived(1, JAN_LAST, "repeat"), mid: newMid() };
    const error = await archive.saveMessages([repeat]).then(() => null, (e) => e);
    assert(error instanceof MessageRejectedError, `refused for good, not retried: ${error}`);
    assert(/seq 1 of alice--bob .*another mid/.test(error.message), error.message);
    // In a batch with new messages and a replayed one, the whole batch is refused.
    await rejects(
      archive.saveMessages([archived(2, JAN_LAST), archived(3, JAN_LAST), repeat]),
      MessageRejectedError,
    );
    assertEquals(await stored(), 2);
    const page = await archive.history({ chatid: "alice--bob", limit: 10 });
    assertEquals(page.messages.map((m) => [m.seq, m.message]), [[1, "first"], [2, "m2"]]);
    // The same seq in another chat is no repeat.
    await archive.saveMessages([{ ...repeat, chatid: "alice--carol" }]);
    assertEquals(await stored(), 3);
  });

  test("skips mids already archived in a batch that also brings new ones", async ({ archive, stored }) => {
    const batch = [archived(1, JAN_LAST), archived(2, FEB_FIRST)];
    await archive.saveMessages(batch);
    const third = archived(3, FEB_FIRST);
    // Both archived messages again, then a new one twice (a batch taken again after a crash).
    await archive.saveMessages([...batch, batch[1], third, third]);
    assertEquals(await stored(), 3);
    assertEquals(await newestSeq(archive, "alice--bob"), 3);
  });

  test("keeps seq beyond 2^32 (a chat continuing in a later epoch)", async ({ archive }) => {
    const late = [archived(2 ** 32 + 1, FEB_FIRST), archived(5 * 2 ** 32 + 7, FEB_FIRST)];
    await archive.saveMessages([archived(1, JAN_LAST), ...late]);
    const page = await archive.history({ chatid: "alice--bob", limit: 10, after: 1 });
    assertEquals(page.messages.map((m) => m.seq), [2 ** 32 + 1, 5 * 2 ** 32 + 7]);
    const before = await archive.history({ chatid: "alice--bob", limit: 1, before: 2 ** 32 + 1 });
    assertEquals(before.messages.map((m) => m.seq), [1]);
    await rejects(
      archive.saveMessages([archived(Number.MAX_SAFE_INTEGER + 1, FEB_FIRST)]),
      MessageRejectedError,
    );
  });

  test("rejects a bad page size", async ({ archive }) => {
    await rejects(archive.history({ chatid: "a--b", limit: 0 }), RangeError);
    await rejects(archive.history({ chatid: "a--b", limit: 101 }), RangeError);
  });

  test("keeps system lines and mentions, and shows a reader only its ranges", async ({ archive }) => {
    const group = (seq: number, extra: Partial<ChatMessage> = {}): ChatMessage => ({
      ...archived(seq, JAN_LAST),
      chatid: "alice-1",
      members: [],
      ...extra,
    });
    const batch = [
      group(1, { type: 3, message: "alice added bob and carol" }),
      group(2, { mentions: ["bob", "carol"] }),
      group(3, { mentions: ["@all"] }),
      group(4),
      group(5),
    ];
    await archive.saveMessages(batch);
    const all = await archive.history({ chatid: "alice-1", limit: 10 });
    assertEquals(all.messages, batch);
    const mid = (seq: number) => batch[seq - 1].mid;
    const seqs = async (visible: { from: string; to: string | null }[], more = {}) =>
      (await archive.history({ chatid: "alice-1", limit: 10, visible, ...more })).messages
        .map((m) => m.seq);
    assertEquals(await seqs([{ from: mid(2), to: null }]), [2, 3, 4, 5]);
    assertEquals(await seqs([{ from: mid(1), to: mid(3) }, { from: mid(5), to: null }]), [1, 2, 5]);
    assertEquals(await seqs([]), []);
    const page = await archive.history({
      chatid: "alice-1",
      limit: 1,
      visible: [{ from: mid(1), to: mid(3) }],
    });
    assertEquals([page.messages.map((m) => m.seq), page.hasMore], [[2], true]);
    assertEquals(await seqs([{ from: mid(2), to: null }], { before: 4 }), [2, 3]);
    await rejects(
      archive.saveMessages([group(6, { mentions: Array.from({ length: 51 }, (_, i) => `u${i}`) })]),
      MessageRejectedError,
    );
    await rejects(archive.saveMessages([group(6, { mentions: ["a,b"] })]), MessageRejectedError);
  });

  test("finds messages by mid and applies recalls and edits in order", async ({ archive }) => {
    const quoted = archived(1, JAN_LAST, "the question");
    const reply: ChatMessage = {
      ...archived(2, FEB_FIRST, "the answer"),
      replyTo: { mid: quoted.mid, fromuser: "alice", excerpt: "the question", type: 0 },
    };
    const other = { ...archived(3, FEB_FIRST, "elsewhere"), chatid: "alice--carol" };
    await archive.saveMessages([quoted, reply, other]);
    // Mids made in 2023 for messages of 2026: found all the same (in whichever month's table).
    const found = await archive.findMessages([reply.mid, quoted.mid, newMid(), reply.mid]);
    assertEquals([...found.keys()].sort(), [quoted.mid, reply.mid].sort());
    assertEquals(found.get(reply.mid), reply);

    const edit = (mid: string, text: string, time: number) =>
      ({ kind: "edit", chatid: "alice--bob", mid, by: "alice", text, time }) as const;
    const changed = await archive.applyChanges([
      edit(quoted.mid, "first edit", 100),
      edit(quoted.mid, "second edit", 200),
      edit(reply.mid, "edited reply", 300),
      { kind: "recall", chatid: "alice--bob", mid: reply.mid, by: "bob", text: "", time: 400 },
      edit(reply.mid, "after the recall", 500), // a recall wins over later edits
      edit(other.mid, "wrong chat", 600), // names another chat: skipped
      edit(newMid(), "not archived", 700), // skipped
    ]);
    assertEquals(changed.map((m) => m.mid).sort(), [quoted.mid, reply.mid].sort());
    const page = await archive.history({ chatid: "alice--bob", limit: 10 });
    assertEquals(page.messages.map((m) => [m.message, m.edited, m.recalled, m.fileId]), [
      ["second edit", 200, undefined, ""],
      ["", 300, { by: "bob", time: 400 }, ""],
    ]);
    assertEquals(page.messages[1].replyTo, reply.replyTo);
    assertEquals(
      (await archive.history({ chatid: "alice--bob", limit: 10, q: "reply" })).messages,
      [],
    );
    assertEquals((await archive.findMessages([other.mid])).get(other.mid)?.message, "elsewhere");
    // Applied again (a batch taken again after a crash): the same state.
    await archive.applyChanges([edit(quoted.mid, "second edit", 200)]);
    assertEquals(
      (await archive.history({ chatid: "alice--bob", limit: 10 })).messages,
      page.messages,
    );
    const bad = { ...edit(quoted.mid, "x", 1), text: { toString: 1 } as unknown as string };
    await rejects(archive.applyChanges([edit(quoted.mid, "y", 2), bad]), MessageRejectedError);
    assertEquals(
      (await archive.history({ chatid: "alice--bob", limit: 10 })).messages,
      page.messages,
    );
    await rejects(
      archive.saveMessages([{
        ...archived(9, FEB_FIRST),
        replyTo: { mid: quoted.mid, fromuser: "alice", excerpt: "x".repeat(101), type: 0 },
      }]),
      MessageRejectedError,
    );
  });
}
