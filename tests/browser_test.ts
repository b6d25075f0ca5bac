/**
 * The chat page in a real browser: two people log in through the form, talk both ways, see
 * markup as literal text, and find their conversation again after a reload. Headless Chromium
 * from the system (see support/browser.ts) against a real server over real Redis and MariaDB.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { launchChromium, type PageTrouble, watchPage } from "./support/browser.ts";
import { eventually, startTestServer } from "./support/chat_server.ts";

const XSS = "<img src=x onerror=alert(1)>";
const SQL = "'; DROP TABLE webchat_user; --";
/** Typed as two lines (Shift+Enter): the page must keep the line break. */
const FIRST = `${XSS}\n${SQL}`;
const REPLY = "Got it, it shows as plain text.";
const CHAT = "alice--bob";

Deno.test({
  name: "chat page: log in, talk both ways live, markup stays text, history survives a reload",
  async fn() {
    const browser = await launchChromium();
    const t = await startTestServer();
    try {
      await t.addUser("alice", "alice-pw", "Alice Liddell");
      // A display name with markup: names are user text too.
      await t.addUser("bob", "bob-pw", "Bob <b>Builder</b>");

      const alice = await (await browser.newContext()).newPage();
      const bob = await (await browser.newContext()).newPage();
      const troubles = [watchPage(alice), watchPage(bob)];

      // A wrong password shows the server's bad_credentials message.
      await alice.goto(t.url);
      await logIn(alice, "alice", "not-the-password");
      const error = alice.getByTestId("login-error");
      await until(
        "bad_credentials message",
        async () => (await error.textContent())?.includes("wrong account"),
      );
      assertEquals(await error.getAttribute("data-code"), "bad_credentials");
      assert(await alice.getByTestId("chat-view").isHidden());

      await logIn(alice, "alice", "alice-pw");
      await online(alice);
      assertEquals(await alice.getByTestId("me-name").textContent(), "Alice Liddell");
      await bob.goto(t.url);
      await logIn(bob, "bob", "bob-pw");
      await online(bob);

      // alice starts the chat from the directory; bob shows as online there.
      await alice.getByTestId("tab-people").click();
      const bobEntry = alice.locator('[data-testid="user-item"][data-accountid="bob"]');
      await until(
        "bob online in alice's directory",
        async () => !(await bobEntry.getAttribute("class"))?.includes("offline"),
      );
      await bobEntry.click();
      assertEquals(await alice.getByTestId("chat-title").textContent(), "Bob <b>Builder</b>");
      assertEquals(await alice.locator('[data-testid="chat-title"] *').count(), 0);

      const input = alice.getByTestId("composer-input");
      await input.fill(XSS);
      await input.press("Shift+Enter");
      await input.pressSequentially(SQL);
      await input.press("Enter");
      assertEquals(await input.inputValue(), "");
      // The "sending" entry turns into a real message once acknowledged.
      await until("alice's message acknowledged", async () =>
        (await texts(alice)).length === 1 &&
        await alice.getByTestId("pending-message").count() === 0);
      assertEquals(await texts(alice), [FIRST]);

      // bob gets it live: an unread badge on the new contact, then literal text when opened.
      const contact = bob.locator(`[data-testid="contact-item"][data-chatid="${CHAT}"]`);
      await until(
        "unread badge 1 for bob",
        async () =>
          (await contact.getByTestId("unread-badge").textContent().catch(() => null)) === "1",
      );
      assertEquals(await contact.locator(".name").textContent(), "Alice Liddell");
      await contact.click();
      await until("bob sees the message", async () => (await texts(bob)).length === 1);
      assertEquals(await texts(bob), [FIRST]);
      assertEquals(await bob.locator('[data-testid="message-log"] img').count(), 0);
      assertEquals(await contact.getByTestId("unread-badge").count(), 0);

      const bobInput = bob.getByTestId("composer-input");
      await bobInput.fill(REPLY);
      await bobInput.press("Enter");
      await until("alice sees the reply", async () => (await texts(alice)).length === 2);
      assertEquals(await texts(alice), [FIRST, REPLY]);
      assertEquals(await senders(alice), ["alice", "bob"]);

      // History is archived by the worker just after delivery; wait for it, then reload.
      const token = await t.login("alice", "alice-pw");
      await until("both messages archived", async () => {
        const { body } = await t.api(token, `/api/chats/${CHAT}/messages`);
        return body?.messages?.length === 2;
      });
      await alice.reload();
      await online(alice);
      await alice.locator(`[data-testid="contact-item"][data-chatid="${CHAT}"]`).click();
      await until("history after reload", async () => (await texts(alice)).length === 2);
      assertEquals(await texts(alice), [FIRST, REPLY]);
      assertEquals(await alice.locator('[data-testid="message-log"] img').count(), 0);

      const shot = await Deno.makeTempFile({ prefix: "webchat-", suffix: ".png" });
      await alice.screenshot({ path: shot });
      console.log(`screenshot: ${shot}`);

      // Logging out ends the session: a reload shows the form again.
      await bob.getByTestId("logout").click();
      await bob.getByTestId("login-form").waitFor();
      await bob.reload();
      await bob.getByTestId("login-form").waitFor();

      for (const trouble of troubles) assertNoTrouble(trouble);
    } finally {
      await browser.close();
      await t.close();
    }
  },
});

Deno.test({
  name: "chat page: answers pings, keeps one socket, resends what waited and catches up",
  async fn() {
    const browser = await launchChromium();
    // A fast heartbeat: a page that did not answer `ping` would be closed within 3 s.
    const t = await startTestServer({
      configure: (config) => {
        config.heartbeat = { pingSeconds: 1, idleSeconds: 3 };
        // Lower than the page's own limit, so the server refuses a long message.
        config.limits.messageChars = 40;
      },
    });
    try {
      await t.addUser("alice", "alice-pw", "Alice");
      await t.addUser("bob", "bob-pw", "Bob");
      const aliceContext = await browser.newContext();
      const alice = await openChatAs(browser, t.url, "alice", "bob", aliceContext);
      const bob = await openChatAs(browser, t.url, "bob", "alice");
      const troubles = [watchPage(alice), watchPage(bob)];
      const hub = t.server.gateway.ctx.hub;
      const aliceConnections = () => [...hub.connections()].filter((c) => c.accountid === "alice");
      const first = aliceConnections();
      assertEquals(first.length, 1);

      await new Promise((resolve) => setTimeout(resolve, 4500));
      assertEquals(aliceConnections(), first, "the page answered every ping on one socket");

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
      const input = alice.getByTestId("composer-input");
      await input.fill("written while offline");
      await input.press("Enter");
      const pending = alice.getByTestId("pending-message");
      assertEquals(await pending.getAttribute("data-state"), "queued");
      for (const text of ["missed one", "missed two"]) {
        await bob.getByTestId("composer-input").fill(text);
        await bob.getByTestId("composer-input").press("Enter");
      }
      await until("bob's two messages shown to bob", async () => (await texts(bob)).length === 2);

      await aliceContext.setOffline(false);
      await until(
        "alice reconnected",
        async () => (await status.getAttribute("data-state")) === "online",
      );
      await until("alice caught up", async () => (await texts(alice)).length === 3);
      assertEquals(await texts(alice), ["missed one", "missed two", "written while offline"]);
      assertEquals(await pending.count(), 0);
      await until("bob got the queued message", async () => (await texts(bob)).length === 3);
      assertEquals(await texts(bob), ["missed one", "missed two", "written while offline"]);
      assertEquals(aliceConnections().length, 1, "one socket at a time");

      // A message the server refuses is marked failed with its reason, and can be discarded.
      await input.fill("x".repeat(41));
      await input.press("Enter");
      await until(
        "the refusal shown",
        async () => (await pending.getAttribute("data-state").catch(() => null)) === "failed",
      );
      const reason = await pending.getByTestId("pending-state").textContent();
      assert(reason?.includes("longer than 40 characters"), reason ?? "no reason shown");
      await pending.getByRole("button", { name: "Discard" }).click();
      assertEquals(await pending.count(), 0);
      assertEquals((await texts(alice)).length, 3);

      // A longer conversation: the newest 30 first, then "load older" puts the rest on top.
      const bobToken = await t.login("bob", "bob-pw");
      const script = await t.connect("bob", bobToken);
      const bulk = Array.from({ length: 32 }, (_, i) => `bulk ${i + 1}`);
      for (const [i, text] of bulk.entries()) {
        script.send({ type: "say", chatid: CHAT, content: text, cid: `bulk-${i}` });
        await script.next((f) => f.type === "ack" && f.cid === `bulk-${i}`);
      }
      const everything = ["missed one", "missed two", "written while offline", ...bulk];
      await until("all 35 archived", async () => {
        const { body } = await t.api(bobToken, `/api/chats/${CHAT}/messages?after=0&limit=100`);
        return body?.messages?.length === everything.length;
      });
      await alice.reload();
      await online(alice);
      await alice.locator(`[data-testid="contact-item"][data-chatid="${CHAT}"]`).click();
      await until("the newest page", async () => (await texts(alice)).length === 30);
      assertEquals(await texts(alice), everything.slice(-30));
      await alice.getByTestId("load-older").click();
      await until("older messages", async () => (await texts(alice)).length === everything.length);
      assertEquals(await texts(alice), everything);
      assert(await alice.getByTestId("load-older").isHidden());
      for (const trouble of troubles) assertNoTrouble(trouble);
    } finally {
      await browser.close();
      await t.close();
    }
  },
});

/** A page of a new context (or `context`), logged in, with the chat with `other` open. */
async function openChatAs(
  browser: Browser,
  url: string,
  accountid: string,
  other: string,
  context?: Awaited<ReturnType<Browser["newContext"]>>,
): Promise<Page> {
  const page = await (context ?? await browser.newContext()).newPage();
  await page.goto(url);
  await logIn(page, accountid, `${accountid}-pw`);
  await online(page);
  await page.getByTestId("tab-people").click();
  await page.locator(`[data-testid="user-item"][data-accountid="${other}"]`).click();
  await page.getByTestId("composer-input").waitFor();
  return page;
}

/** Polls `check` (see `eventually`) and names what did not happen when it times out. */
function until<T>(what: string, check: () => Promise<T>, ms = 15_000): Promise<T> {
  return eventually(check, ms, what) as Promise<T>;
}

async function logIn(page: Page, accountid: string, password: string): Promise<void> {
  await page.getByTestId("login-account").fill(accountid);
  await page.getByTestId("login-password").fill(password);
  await page.getByTestId("login-submit").click();
}

/** Waits until the page's WebSocket has its `init`. */
async function online(page: Page): Promise<void> {
  await page.getByTestId("chat-view").waitFor();
  const status = page.getByTestId("conn-status");
  await until("page online", async () => (await status.getAttribute("data-state")) === "online");
}

/** The text of every confirmed message shown, top to bottom. */
function texts(page: Page): Promise<string[]> {
  return page.locator('[data-testid="message-list"] [data-testid="message-text"]')
    .evaluateAll((nodes) => nodes.map((n) => n.textContent ?? ""));
}

function senders(page: Page): Promise<string[]> {
  return page.locator('[data-testid="message-list"] [data-testid="message"]')
    .evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-from") ?? ""));
}

function assertNoTrouble(trouble: PageTrouble): void {
  assertEquals(trouble.dialogs, [], "no script from a message may run");
  assertEquals(trouble.errors, [], "the page must run without errors or CSP violations");
}
