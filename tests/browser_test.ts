/**
 * The chat page in a real browser, as its users use it: headless Chromium from the system
 * (support/browser.ts) against a real server over real Redis and MariaDB. One browser and one
 * server serve every step (each step logs in its own people in fresh contexts), so the file
 * costs one start of each; the last step restarts the server on the same port and stores.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { Page } from "playwright-core";
import { launchChromium, watchPage } from "./support/browser.ts";
import {
  assertNoTrouble,
  logIn,
  online,
  openChatWith,
  pageAs,
  say,
  screenshotDir,
  senders,
  texts,
  until,
} from "./support/chat_page.ts";
import { startTestServer, type TestServer } from "./support/chat_server.ts";
import { openTestStores } from "./support/stores.ts";
import type { ResolvedConfig } from "../config/mod.ts";

const XSS = "<img src=x onerror=alert(1)>";
const SQL = "'; DROP TABLE webchat_user; --";
/** Typed as two lines (Shift+Enter): the page must keep the line break. */
const FIRST = `${XSS}\n${SQL}`;
const REPLY = "Got it, it shows as plain text 👍 see https://example.com/docs?a=1&b=2.";
const AB = "alice--bob";

/** The shared server's settings; the restart step starts the next one with the same. */
function configure(config: ResolvedConfig): void {
  // A fast heartbeat: a page that did not answer `ping` would be closed within 3 s.
  config.heartbeat = { pingSeconds: 1, idleSeconds: 3 };
  // Lower than the page's own 5000, so the server is the one that refuses a long message.
  config.limits.messageChars = 1000;
  // Low enough that ten quick messages meet `rate_limited`.
  config.limits.sendBurst = 6;
  config.limits.sendPerSecond = 10;
}

Deno.test({
  name: "chat page",
  sanitizeResources: false, // Playwright's pipes to the browser outlive single steps
  sanitizeOps: false,
  async fn(test) {
    const stores = await openTestStores();
    const browser = await launchChromium();
    let t: TestServer = await startTestServer({ stores, configure });
    const shots = await screenshotDir();
    try {
      await t.addUser("alice", "alice-pw", "Alice Liddell", {
        deptDetail: "Company,R&D,Web",
        dept: "Web",
        email: "alice@example.com",
        tel: "8001",
        mobile: "+86 138 0000 0001",
      });
      // A display name with markup: names are user text too.
      await t.addUser("bob", "bob-pw", "Bob <b>Builder</b>", { mobile: "+86 139 0000 0002" });
      await t.addUser("carol", "carol-pw", "陈卡罗", {
        deptDetail: "Company,Sales",
        dept: "Sales",
      });

      await test.step("two people chat both ways; a badge appears and clears", async () => {
        const alice = await (await browser.newContext()).newPage();
        const trouble = watchPage(alice);
        await alice.goto(t.url);
        // A wrong password: the bad_credentials code, shown in the reader's language.
        await logIn(alice, "alice", "not-the-password");
        const error = alice.getByTestId("login-error");
        await until(
          "bad_credentials message",
          async () => (await error.getAttribute("data-code")) === "bad_credentials",
        );
        assertEquals(await error.textContent(), "Wrong account or password.");
        assert(await alice.getByTestId("chat-view").isHidden());
        await logIn(alice, "alice", "alice-pw");
        await online(alice);
        assertEquals(await alice.getByTestId("me-name").textContent(), "Alice Liddell");
        const bob = await pageAs(browser, t.url, "bob");
        const bobTrouble = watchPage(bob);

        // alice finds bob by his department's name, too, and sees him online.
        await alice.getByTestId("search").fill("Builder");
        const found = alice.locator('[data-testid="search-user-item"][data-accountid="bob"]');
        await until(
          "bob online in the results",
          async () => (await found.getAttribute("data-presence")) === "online",
        );
        await found.click();
        await alice.getByTestId("search").fill("");
        assertEquals(await alice.getByTestId("chat-title").textContent(), "Bob <b>Builder</b>");
        assertEquals(await alice.locator('[data-testid="chat-title"] *').count(), 0);
        assertEquals(
          await alice.getByTestId("chat-email").locator(".value").textContent(),
          "bob@example.com",
        );
        assertEquals(
          await alice.getByTestId("chat-dept").locator(".value").textContent(),
          "Company / R&D",
        );
        assertEquals(
          await alice.getByTestId("chat-phone").locator(".value").textContent(),
          "+86 139 0000 0002",
        );

        const input = alice.getByTestId("composer-input");
        await input.fill(XSS);
        await input.press("Shift+Enter");
        await input.pressSequentially(SQL);
        await input.press("Enter");
        assertEquals(await input.inputValue(), "");
        // "sending…" turns into a real message, marked sent, once acknowledged.
        await until("alice's message acknowledged", async () =>
          (await texts(alice)).length === 1 &&
          await alice.getByTestId("pending-message").count() === 0);
        assertEquals(await texts(alice), [FIRST]);
        assertEquals(await alice.locator('[data-testid="message"].mine .sent').count(), 1);

        // bob gets it live: a badge on the new contact, its preview, and the total in the title.
        const contact = bob.locator(`[data-testid="contact-item"][data-chatid="${AB}"]`);
        await until(
          "unread badge 1 for bob",
          async () =>
            (await contact.getByTestId("unread-badge").textContent().catch(() => null)) === "1",
        );
        assertEquals(await contact.locator(".name").textContent(), "Alice Liddell");
        assertEquals(
          await contact.getByTestId("contact-preview").textContent(),
          `${XSS} ${SQL}`,
        );
        assertEquals(await bob.getByTestId("total-unread").textContent(), "1");
        await until("the count in bob's title", async () => (await bob.title()) === "(1) webChat");
        await contact.click();
        await until("bob sees the message", async () => (await texts(bob)).length === 1);
        assertEquals(await texts(bob), [FIRST]);
        assertEquals(await bob.locator('[data-testid="message-log"] img').count(), 0);
        await until(
          "the badge cleared",
          async () =>
            await contact.getByTestId("unread-badge").count() === 0 &&
            await bob.getByTestId("total-unread").isHidden() && (await bob.title()) === "webChat",
        );
        assertEquals(await bob.getByTestId("day-separator").allTextContents(), ["Today"]);

        await say(bob, REPLY);
        await until("alice sees the reply", async () => (await texts(alice)).length === 2);
        assertEquals(await texts(alice), [FIRST, REPLY]);
        assertEquals(await senders(alice), ["alice", "bob"]);
        const link = alice.locator('[data-testid="message-log"] a');
        assertEquals(await link.count(), 1);
        assertEquals(await link.getAttribute("href"), "https://example.com/docs?a=1&b=2");
        assertEquals(await link.getAttribute("rel"), "noopener noreferrer");
        assertEquals(await link.textContent(), "https://example.com/docs?a=1&b=2");

        // Switching chats costs no request: the chat's messages are held by the page.
        await openChatWith(alice, "carol");
        const asked: string[] = [];
        alice.on("request", (r) => r.url().includes("/messages") && asked.push(r.url()));
        await alice.locator(`[data-testid="contact-item"][data-chatid="${AB}"]`).click();
        await until("back in the chat with bob", async () => (await texts(alice)).length === 2);
        assertEquals(asked, []);

        // After a reload, the recent list shows the last message and the chat its history.
        await alice.reload();
        await online(alice);
        const again = alice.locator(`[data-testid="contact-item"][data-chatid="${AB}"]`);
        await until(
          "preview after reload",
          async () => (await again.getByTestId("contact-preview").textContent()) === REPLY,
        );
        await again.click();
        await until("history after reload", async () => (await texts(alice)).length === 2);
        assertEquals(await texts(alice), [FIRST, REPLY]);
        assertEquals(await alice.locator('[data-testid="message-log"] img').count(), 0);
        await alice.screenshot({ path: `${shots}/desktop.png` });
        console.log(`screenshots: ${shots}`);

        // Logging out ends the session: a reload shows the form again.
        await bob.getByTestId("logout").click();
        await bob.getByTestId("login-form").waitFor();
        await bob.reload();
        await bob.getByTestId("login-form").waitFor();
        for (const each of [trouble, bobTrouble]) assertNoTrouble(each);
        await alice.context().close();
        await bob.context().close();
      });
    } finally {
      await browser.close();
      await t.close();
      await stores.cleanup();
    }
  },
});

export type { Page };
