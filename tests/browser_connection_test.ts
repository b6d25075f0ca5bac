/**
 * The chat page when the connection is not simple: two tabs of one account, a page that goes
 * offline (heartbeat, one socket, queued messages, catch-up, presence unknown meanwhile), and a
 * server that stops mid-conversation and comes back on the same port and stores. One browser
 * and one server (restarted by the last step) for the whole file.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { Page } from "playwright-core";
import type { ResolvedConfig } from "../config/mod.ts";
import { launchChromium, watchPage } from "./support/browser.ts";
import {
  assertNoTrouble,
  online,
  openChatWith,
  pageAs,
  say,
  scriptSay,
  texts,
  until,
} from "./support/chat_page.ts";
import { startTestServer, type TestServer } from "./support/chat_server.ts";
import { openTestStores } from "./support/stores.ts";

const AB = "alice--bob";

function configure(config: ResolvedConfig): void {
  // A fast heartbeat: a page that did not answer `ping` would be closed within 3 s.
  config.heartbeat = { pingSeconds: 1, idleSeconds: 3 };
}

/** Every message's mid on a page: each must be there once. */
function mids(page: Page): Promise<string[]> {
  return page.locator('[data-testid="message-list"] [data-testid="message"]')
    .evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-mid") ?? ""));
}

async function assertEachOnce(page: Page): Promise<void> {
  const all = await mids(page);
  assertEquals(new Set(all).size, all.length, `a message shown twice: ${all}`);
}

Deno.test({
  name: "chat page connections",
  sanitizeResources: false, // Playwright's pipes to the browser outlive single steps
  sanitizeOps: false,
  async fn(test) {
    const stores = await openTestStores();
    const browser = await launchChromium();
    /** A step whose browser contexts are closed however it ends (a failure leaves no page behind). */
    const step = (name: string, fn: () => Promise<void>) =>
      test.step(name, async () => {
        const before = new Set(browser.contexts());
        try {
          await fn();
        } finally {
          for (const context of browser.contexts()) if (!before.has(context)) await context.close();
        }
      });
    let t: TestServer = await startTestServer({ stores, configure });
    try {
      await t.addUser("alice", "alice-pw", "Alice");
      await t.addUser("bob", "bob-pw", "Bob");
      const hub = () => t.server.gateway.ctx.hub;
      const socketsOf = (accountid: string) =>
        [...hub().connections()].filter((c) => c.accountid === accountid);

      await step("two tabs of one account stay in step", async () => {
        const context = await browser.newContext();
        const one = await pageAs(browser, t.url, "alice", context);
        // The second tab shares the cookie: it is logged in at once.
        const two = await context.newPage();
        await two.goto(t.url);
        await online(two);
        const troubles = [watchPage(one), watchPage(two)];
        await openChatWith(one, "bob");
        const bob = await t.connect("bob", await t.login("bob", "bob-pw"));

        // The tab that shows the chat reads it; the other tab's badge clears with it.
        await scriptSay(bob, AB, "hello, both tabs", "tabs-1");
        const badge = two.locator(`[data-testid="contact-item"][data-chatid="${AB}"]`)
          .getByTestId("unread-badge");
        await until("the other tab's badge", async () => (await badge.count()) === 1);
        await until("cleared by the reading tab", async () => (await badge.count()) === 0);
        await say(one, "from tab one");
        await until("tab one's message", async () => (await texts(one)).length === 2);
        await two.locator(`[data-testid="contact-item"][data-chatid="${AB}"]`).click();
        await until("tab two shows both", async () => (await texts(two)).length === 2);
        await say(two, "from tab two");
        const all = ["hello, both tabs", "from tab one", "from tab two"];
        for (const page of [one, two]) {
          await until("all three in each tab", async () => (await texts(page)).length === 3);
          assertEquals(await texts(page), all);
          assertEquals(
            await page.locator('[data-testid="message"].mine').count(),
            2,
            "both tabs' messages are the reader's own",
          );
          await assertEachOnce(page);
        }
        const seen = new Set<string>();
        for (let i = 0; i < 2; i++) {
          const frame = await bob.next((f) => f.type === "say" && f.fromuser === "alice");
          seen.add(frame.message);
        }
        assertEquals(seen, new Set(["from tab one", "from tab two"]));
        for (const trouble of troubles) assertNoTrouble(trouble);
        await bob.close();
        await context.close();
      });

      await step("offline: pings answered on one socket, queued, caught up", async () => {
        const aliceContext = await browser.newContext();
        const alice = await pageAs(browser, t.url, "alice", aliceContext);
        await openChatWith(alice, "bob");
        const bob = await pageAs(browser, t.url, "bob");
        await openChatWith(bob, "alice");
        const troubles = [watchPage(alice), watchPage(bob)];
        const start = (await texts(alice)).length;
        const first = socketsOf("alice");
        assertEquals(first.length, 1);
        await new Promise((resolve) => setTimeout(resolve, 4500));
        assertEquals(socketsOf("alice"), first, "the page answered every ping on one socket");

        // Cut alice off: the server drops her socket, and her browser goes offline before the
        // first retry (at least 500 ms later). Offline first could hold back the close frame.
        (first[0] as unknown as { close(code: number, reason: string): void })
          .close(1013, "test: dropped");
        const status = alice.getByTestId("conn-status");
        await until(
          "alice's page notices the drop",
          async () => (await status.getAttribute("data-state")) === "waiting",
        );
        await aliceContext.setOffline(true);
        // Offline, the page does not pretend to know who is online.
        const bobsDot = alice.locator(
          `[data-testid="contact-item"][data-chatid="${AB}"] .avatar-wrap`,
        );
        await until(
          "presence unknown",
          async () => (await bobsDot.getAttribute("class"))?.includes("presence-unknown"),
        );
        assertEquals(
          await alice.getByTestId("chat-subtitle").getAttribute("data-presence"),
          "unknown",
        );
        await say(alice, "written while offline");
        const pending = alice.getByTestId("pending-message");
        assertEquals(await pending.getAttribute("data-state"), "queued");
        for (const text of ["missed one", "missed two"]) await say(bob, text);
        await until("bob's two shown to bob", async () => (await texts(bob)).length === start + 2);

        await aliceContext.setOffline(false);
        await until(
          "alice reconnected",
          async () => (await status.getAttribute("data-state")) === "online",
        );
        const expected = ["missed one", "missed two", "written while offline"];
        await until("alice caught up", async () => (await texts(alice)).length === start + 3);
        assertEquals((await texts(alice)).slice(start), expected);
        assertEquals(await pending.count(), 0);
        await until("bob got the queued one", async () => (await texts(bob)).length === start + 3);
        assertEquals((await texts(bob)).slice(start), expected);
        assertEquals(socketsOf("alice").length, 1, "one socket at a time");
        await until(
          "presence known again",
          async () => (await bobsDot.getAttribute("class"))?.includes("presence-online"),
        );

        // A longer conversation: the newest 30 first, older ones when scrolled to the top.
        const script = await t.connect("bob", await t.login("bob", "bob-pw"));
        const bulk = Array.from({ length: 32 }, (_, i) => `bulk ${i + 1}`);
        const everything = [...(await texts(alice)), ...bulk];
        for (const [i, text] of bulk.entries()) await scriptSay(script, AB, text, `bulk-${i}`);
        const token = await t.login("alice", "alice-pw");
        await until("all archived", async () => {
          const { body } = await t.api(token, `/api/chats/${AB}/messages?after=0&limit=100`);
          return body?.messages?.length === everything.length;
        });
        await alice.reload();
        await online(alice);
        await alice.locator(`[data-testid="contact-item"][data-chatid="${AB}"]`).click();
        await until("the newest page", async () => (await texts(alice)).length === 30);
        assertEquals(await texts(alice), everything.slice(-30));
        await alice.getByTestId("message-log").evaluate((log) => log.scrollTop = 0);
        await until(
          "older messages",
          async () => (await texts(alice)).length === everything.length,
        );
        assertEquals(await texts(alice), everything);
        assert(await alice.getByTestId("load-older").isHidden());
        assert(await alice.getByTestId("history-start").isVisible());
        await assertEachOnce(alice);
        for (const trouble of troubles) assertNoTrouble(trouble);
        await script.close();
        await aliceContext.close();
        await bob.context().close();
      });

      await step("the server restarts mid-conversation: every message once", async () => {
        const alice = await pageAs(browser, t.url, "alice");
        await openChatWith(alice, "bob");
        const bob = await pageAs(browser, t.url, "bob");
        await openChatWith(bob, "alice");
        const troubles = [watchPage(alice), watchPage(bob)];
        await say(alice, "before the restart");
        await until("delivered", async () => (await texts(bob)).at(-1) === "before the restart");
        const before = await texts(alice);

        const port = Number(new URL(t.url).port);
        await t.close(); // sockets closed with 1001, the stores stay
        for (const page of [alice, bob]) {
          await until(
            "the page noticed",
            async () =>
              (await page.getByTestId("conn-status").getAttribute("data-state")) === "waiting",
          );
        }
        await say(alice, "while the server is away");
        assertEquals(
          await alice.getByTestId("pending-message").getAttribute("data-state"),
          "queued",
        );
        t = await startTestServer({ stores, configure: (c) => (configure(c), c.port = port) });
        for (const page of [alice, bob]) await online(page);
        await say(bob, "after the restart");
        const expected = [...before, "while the server is away", "after the restart"];
        for (const page of [alice, bob]) {
          await until(
            "every message",
            async () => (await texts(page)).length === expected.length,
            20_000,
          );
          assertEquals(await texts(page), expected);
          await assertEachOnce(page);
          assertEquals(await page.getByTestId("pending-message").count(), 0);
        }
        // And after a reload, history agrees: nothing twice, nothing missing.
        await alice.reload();
        await online(alice);
        await alice.locator(`[data-testid="contact-item"][data-chatid="${AB}"]`).click();
        await until(
          "history after the restart",
          async () => (await texts(alice)).at(-1) === "after the restart",
        );
        assertEquals((await texts(alice)).slice(-3), expected.slice(-3));
        await assertEachOnce(alice);
        for (const trouble of troubles) assertNoTrouble(trouble);
      });
    } finally {
      await browser.close();
      await t.close();
      await stores.cleanup();
    }
  },
});
