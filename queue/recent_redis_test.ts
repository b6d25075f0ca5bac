import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { openTestStores } from "../tests/support/stores.ts";
import { type ChatMessage, newMid } from "./message.ts";
import { RecentRedis } from "./recent_redis.ts";

function message(chatid: string, seq: number, time: number, members: string[]): ChatMessage {
  return {
    mid: newMid(1_700_000_000_000 + seq) + chatid.length,
    chatid,
    seq,
    fromuser: members[0],
    message: `"m${seq}" 😀 <b>`,
    type: 0,
    fileId: "",
    time,
    cid: "",
    members,
  };
}

Deno.test("RecentRedis keeps the last 20 messages per chat in ascending seq", async () => {
  const stores = await openTestStores();
  try {
    const recent = new RecentRedis({ redis: stores.redis, prefix: stores.prefix });
    const batch = Array.from(
      { length: 25 },
      (_, i) => message("a--b", i + 1, 1000 + i, ["a", "b"]),
    );
    await recent.record(batch.slice(0, 10));
    await recent.record(batch.slice(10));
    assertEquals(await recent.lastMessages("a--b"), batch.slice(5));
    assertEquals(await stores.redis.lLen(`${stores.prefix}a--b:msg-history`), 20);
    // A batch replayed after a crash shows once; its copies take room, so fewer are hot.
    await recent.record(batch.slice(20));
    assertEquals(await recent.lastMessages("a--b"), batch.slice(10));
    assertEquals(await recent.lastMessages("nobody"), []);
  } finally {
    await stores.cleanup();
  }
});

Deno.test("RecentRedis orders contacts by their last message and never moves one back", async () => {
  const stores = await openTestStores();
  try {
    const recent = new RecentRedis({ redis: stores.redis, prefix: stores.prefix });
    await recent.record([
      message("a--b", 1, 100, ["a", "b"]),
      message("a-1", 1, 200, ["a", "c", "d"]),
      message("a--b", 2, 300, ["a", "b"]),
    ]);
    assertEquals(await recent.contacts("a", 10), [
      { chatid: "a--b", time: 300 },
      { chatid: "a-1", time: 200 },
    ]);
    await recent.record([message("a--b", 1, 100, ["a", "b"])]); // an older message, late
    assertEquals(await recent.contacts("a", 1), [{ chatid: "a--b", time: 300 }]);
    assertEquals(await recent.contacts("d", 10), [{ chatid: "a-1", time: 200 }]);
    await recent.removeContact("a", "a--b");
    assertEquals(await recent.contacts("a", 10), [{ chatid: "a-1", time: 200 }]);
    assertEquals(await recent.contacts("b", 10), [{ chatid: "a--b", time: 300 }]);
  } finally {
    await stores.cleanup();
  }
});
