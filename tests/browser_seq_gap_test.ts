/**
 * The page across a seq jump (what a new seq epoch looks like after Redis lost its counters):
 * alice's open chat shows seq 1..3, then 120 messages arrive from 2^32 + 1 on. The page must
 * show them all, in order, and its catch-up must settle: the gap before 2^32 + 1 can never
 * be filled, and asking again from seq 3 for ever (as the page once did when more than a page
 * lay beyond a gap) would hammer the server.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { launchChromium, watchPage } from "./support/browser.ts";
import { openChatWith, pageAs, texts, until } from "./support/chat_page.ts";
import { startTestServer } from "./support/chat_server.ts";

const CHAT = "alice--bob";

Deno.test("chat page: a jump to a new seq epoch is caught up once, then left alone", async () => {
  const browser = await launchChromium();
  // bob sends 124 messages as fast as acks come: the send rate limit is not what is tested.
  const t = await startTestServer({
    configure: (c) => c.limits.sendPerSecond = c.limits.sendBurst = 1_000_000,
  });
  try {
    await t.addUser("alice", "alice-pw", "Alice");
    await t.addUser("bob", "bob-pw", "Bob");
    const bob = await t.connect("bob", await t.login("bob", "bob-pw"));
    const say = async (text: string) => {
      bob.send({ type: "say", chatid: CHAT, content: text, cid: text });
      return (await bob.next((f) => f.type === "ack" && f.cid === text)).seq as number;
    };
    for (const text of ["one", "two", "three"]) await say(text);
    const alice = await pageAs(browser, t.url, "alice");
    await openChatWith(alice, "bob");
    const trouble = watchPage(alice);
    await until("the first three", async () => (await texts(alice)).length === 3);

    // Redis forgets the epoch and the chat's counter: the next message opens epoch 1.
    const { redis, prefix } = t.stores;
    await redis.del([`${prefix}chat:seq-epoch`, `${prefix}${CHAT}:seq`]);
    const catchUps: string[] = [];
    alice.on("request", (request) => {
      if (request.url().includes(`/api/chats/${CHAT}/messages?`) && /after=/.test(request.url())) {
        catchUps.push(request.url());
      }
    });
    const later = Array.from({ length: 120 }, (_, i) => `later ${i + 1}`);
    assertEquals(await say(later[0]), 2 ** 32 + 1);
    for (const text of later.slice(1)) await say(text);
    const everything = ["one", "two", "three", ...later];
    await until("all 123 shown", async () => (await texts(alice)).length === everything.length);
    assertEquals(await texts(alice), everything);
    // Retries back off (0.5 s … 8 s) and then stop: wait them out, then count.
    await new Promise((resolve) => setTimeout(resolve, 17_000));
    const settled = catchUps.length;
    assert(settled > 0 && settled <= 20, `${settled} catch-up requests: ${catchUps.slice(0, 5)}`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assertEquals(catchUps.length, settled, "the page stopped asking");
    // A message after the settled gap is shown at once, without new catch-ups.
    await say("after the jump");
    await until("the next one", async () => (await texts(alice)).at(-1) === "after the jump");
    assertEquals(catchUps.length, settled);

    // After a reconnect the page catches up from where it stands, not from before the gap.
    const hub = t.server.gateway.ctx.hub;
    for (const connection of [...hub.connections()].filter((c) => c.accountid === "alice")) {
      (connection as unknown as { close(code: number, reason: string): void })
        .close(1013, "test: dropped");
    }
    await until("the reconnect's catch-up", () => Promise.resolve(catchUps.length > settled));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const again = catchUps.slice(settled).map((url) =>
      Number(new URL(url).searchParams.get("after"))
    );
    assertEquals(again, [2 ** 32 + 121]);
    assertEquals(trouble.errors, []);
  } finally {
    await browser.close();
    await t.close();
  }
});
