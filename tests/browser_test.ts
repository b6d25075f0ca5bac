/**
 * The chat page in a real browser, as its users use it: headless Chromium from the system
 * (support/browser.ts) against a real server over real Redis and MariaDB. One browser and one
 * server serve every step (each step logs in its own people in fresh contexts), so the file
 * costs one start of each; the last step restarts the server on the same port and stores.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { launchChromium, watchPage } from "./support/browser.ts";
import {
  assertNoTrouble,
  type Fake,
  FAKE_HIDDEN_AND_NOTIFICATIONS,
  type InPage,
  layoutOverflow,
  logIn,
  online,
  openChatWith,
  pageAs,
  say,
  screenshotDir,
  scriptSay,
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
/** As long as `webchat_user.username` holds (40), markup, and no place to break the line. */
const HOSTILE_NAME = `<script>${"M".repeat(32)}`;
const HOSTILE = [
  "<script>alert(1)</script>",
  XSS,
  "javascript:alert(1)",
  '<a href="javascript:alert(2)">click</a> [x](javascript:alert(3))',
  'https://example.com/a?q=<b>x</b>&r="y"',
  "W".repeat(900),
];

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
    const t: TestServer = await startTestServer({ stores, configure });
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

      await step("two people chat both ways; a badge appears and clears", async () => {
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
        const icon = await alice.locator('link[rel="icon"]').getAttribute("href");
        const favicon = await alice.request.get(new URL(icon ?? "", t.url).href);
        assertEquals([favicon.status(), favicon.headers()["content-type"]], [200, "image/svg+xml"]);
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

        // Logging out ends the session: a reload shows the form again.
        await bob.getByTestId("logout").click();
        await bob.getByTestId("login-form").waitFor();
        await bob.reload();
        await bob.getByTestId("login-form").waitFor();
        for (const each of [trouble, bobTrouble]) assertNoTrouble(each);
        await alice.context().close();
        await bob.context().close();
      });

      await step("hostile names and messages render as text and the layout holds", async () => {
        await t.addUser("mallory", "mallory-pw", HOSTILE_NAME, {
          dept: XSS,
          deptDetail: `Company,${XSS}`,
          email: `"><script>alert(3)</script>@example.com`,
        });
        const script = await t.connect("mallory", await t.login("mallory", "mallory-pw"));
        for (const [i, text] of HOSTILE.entries()) {
          await scriptSay(script, "alice--mallory", text, `hostile-${i}`);
        }
        const alice = await pageAs(browser, t.url, "alice");
        const trouble = watchPage(alice);
        const contact = alice.locator('[data-testid="contact-item"][data-chatid="alice--mallory"]');
        assertEquals(await contact.locator(".name").textContent(), HOSTILE_NAME);
        await contact.click();
        await until(
          "mallory's messages",
          async () => (await texts(alice)).length === HOSTILE.length,
        );
        assertEquals(await texts(alice), HOSTILE);
        assertEquals(await alice.getByTestId("chat-title").textContent(), HOSTILE_NAME);
        assertEquals(await alice.locator("body script, body img, body iframe").count(), 0);
        // Only the http(s) address is a link; javascript: stays text.
        const links = alice.locator('[data-testid="message-log"] a');
        assertEquals(await links.count(), 1);
        assertEquals(await links.getAttribute("href"), "https://example.com/a?q=");
        assertEquals(await links.getAttribute("rel"), "noopener noreferrer");
        assertEquals(await layoutOverflow(alice), []);
        // The long name is cut with an ellipsis inside its row, not pushed out of the column.
        const side = await alice.getByTestId("side").boundingBox();
        const name = await contact.locator(".name").boundingBox();
        assert(side && name && side.width <= 21 * 15 + 1, `side ${side?.width}`);
        assert(name.x + name.width <= side.x + side.width, "the name stays in the column");
        // The department with markup is a text heading in the organisation tree.
        await alice.getByTestId("tab-org").click();
        const dept = alice.locator(`[data-testid="dept"][data-path="Company,${XSS}"]`);
        assertEquals(await dept.locator(".dept-name").textContent(), XSS);
        await dept.click();
        const person = alice.locator('[data-testid="user-item"][data-accountid="mallory"]');
        assertEquals(await person.locator(".name").textContent(), HOSTILE_NAME);
        assertEquals(await layoutOverflow(alice), []);
        // Removed from the recent list, on the server too: a reload does not bring it back.
        await alice.getByTestId("tab-recent").click();
        await alice.locator('[data-testid="contact-remove"][data-chatid="alice--mallory"]').click();
        await until("removed", async () => (await contact.count()) === 0);
        await alice.reload();
        await online(alice);
        await alice.locator(`[data-testid="contact-item"][data-chatid="${AB}"]`).waitFor();
        assertEquals(await contact.count(), 0);
        assertNoTrouble(trouble);
        await alice.context().close();
      });

      await step("composer: emoji, empty and over-long text, refusal, rate limit", async () => {
        const context = await browser.newContext();
        const alice = await context.newPage();
        const trouble = watchPage(alice);
        /** The `say` frames the page sent, and the errors it got. */
        const sent: { cid: string; content: string }[] = [];
        const refused: { info: string; cid: string }[] = [];
        /** `say` frames sent and not answered yet, and the most there ever were. */
        const unanswered = new Set<string>();
        let mostUnanswered = 0;
        alice.on("websocket", (ws) => {
          ws.on("framesent", ({ payload }) => {
            const frame = JSON.parse(String(payload));
            if (frame.type !== "say") return;
            sent.push(frame);
            unanswered.add(frame.cid);
            mostUnanswered = Math.max(mostUnanswered, unanswered.size);
          });
          ws.on("framereceived", ({ payload }) => {
            const frame = JSON.parse(String(payload));
            if (frame.type === "error") refused.push(frame);
            if (frame.type === "error" || frame.type === "ack") unanswered.delete(frame.cid);
          });
        });
        await alice.goto(t.url);
        await logIn(alice, "alice", "alice-pw");
        await online(alice);
        await openChatWith(alice, "bob");
        const bob = await pageAs(browser, t.url, "bob");
        await bob.locator(`[data-testid="contact-item"][data-chatid="${AB}"]`).click();
        const before = (await texts(bob)).length;
        const input = alice.getByTestId("composer-input");
        const error = alice.getByTestId("composer-error");

        // Empty: said so, and the answer goes away as soon as there is text.
        await alice.getByTestId("send").click();
        assertEquals(await error.textContent(), "Write something first.");
        assertEquals(await error.getAttribute("data-problem"), "empty");
        await input.pressSequentially("x");
        assertEquals(await error.textContent(), "");
        // Over the page's limit: said while typing, with the count, cleared once short enough.
        await input.fill("y".repeat(5001));
        assertEquals(
          await error.textContent(),
          "A message holds at most 5000 characters; this one has 5001.",
        );
        assertEquals(await alice.getByTestId("composer-count").textContent(), "5001/5000");
        await input.press("End");
        await input.press("Backspace");
        assertEquals(await error.textContent(), "");
        assertEquals(await input.getAttribute("aria-invalid"), "false");
        // Under the page's limit but over the server's (1000): refused, shown, retried, discarded.
        await input.press("Enter");
        const pending = alice.getByTestId("pending-message");
        await until(
          "the refusal shown",
          async () => (await pending.getAttribute("data-state").catch(() => null)) === "failed",
        );
        const reason = await pending.getByTestId("pending-state").textContent() ?? "";
        assert(reason.includes("1000"), reason);
        assert(reason.startsWith("not sent: The server did not accept this: "), reason);
        await pending.getByTestId("pending-retry").click();
        await until("refused again", () => Promise.resolve(refused.length === 2));
        assertEquals(sent.at(-1)?.cid, sent.at(-2)?.cid, "a retry sends the same cid");
        await pending.getByTestId("pending-discard").click();
        assertEquals(await pending.count(), 0);
        assertEquals(sent.filter((f) => f.content.length === 5000).length, 2);

        // Ctrl+Enter mode: Enter breaks the line, Ctrl+Enter sends; the choice is kept.
        await alice.getByTestId("send-key").selectOption("ctrl-enter");
        await input.fill("line one");
        await input.press("Enter");
        await input.pressSequentially("line two");
        await input.press("Control+Enter");
        await until(
          "sent with Ctrl+Enter",
          async () => (await texts(bob)).at(-1) === "line one\nline two",
        );
        await alice.reload();
        await online(alice);
        await alice.locator(`[data-testid="contact-item"][data-chatid="${AB}"]`).click();
        assertEquals(await alice.getByTestId("send-key").inputValue(), "ctrl-enter");
        await alice.getByTestId("send-key").selectOption("enter");

        // The emoji picker: keyboard to the second emoji, Enter inserts it at the caret.
        await input.fill("hi ");
        await alice.getByTestId("emoji-button").click();
        assert(await alice.getByTestId("emoji-panel").isVisible());
        await alice.keyboard.press("ArrowRight");
        await alice.keyboard.press("Enter");
        assert(await alice.getByTestId("emoji-panel").isHidden());
        assertEquals(await input.inputValue(), "hi 😃");
        assert(
          await input.evaluate((node) => node === (globalThis as InPage).document.activeElement),
        );
        await input.press("Enter");

        // Ten at once: the server answers some with rate_limited; they go again, same cid.
        refused.length = 0;
        await input.evaluate((area: InPage) => {
          for (let i = 0; i < 10; i++) {
            area.value = `burst ${i}`;
            const { KeyboardEvent } = globalThis as InPage;
            area.dispatchEvent(
              new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }),
            );
          }
        });
        const burst = Array.from({ length: 10 }, (_, i) => `burst ${i}`);
        const expected = ["line one\nline two", "hi 😃", ...burst];
        await until(
          "bob got all twelve",
          async () => (await texts(bob)).length === before + expected.length,
        );
        assertEquals((await texts(bob)).slice(before), expected);
        await until(
          "alice shows all",
          async () => (await alice.getByTestId("pending-message").count()) === 0,
        );
        assertEquals((await texts(alice)).slice(-expected.length), expected);
        const limited = refused.filter((f) => f.info === "rate_limited");
        assert(limited.length > 0, "the burst met the rate limit");
        // One message of the chat on the wire at a time: a refused one is never overtaken.
        assertEquals(mostUnanswered, 1, "say frames sent before the previous one was answered");
        for (const { cid } of limited) {
          assert(sent.filter((f) => f.cid === cid).length >= 2, `cid ${cid} was sent again`);
        }
        assertNoTrouble(trouble);
        await context.close();
        await bob.context().close();
      });

      await step("a zh-CN browser gets Chinese; the choice of language is kept", async () => {
        const context = await browser.newContext({ locale: "zh-CN" });
        const carol = await context.newPage();
        const trouble = watchPage(carol);
        await carol.goto(t.url);
        assertEquals(await carol.getByTestId("login-submit").textContent(), "登录");
        assertEquals(
          await carol.evaluate(() => (globalThis as InPage).document.documentElement.lang),
          "zh-CN",
        );
        await logIn(carol, "carol", "wrong-password");
        const error = carol.getByTestId("login-error");
        await until(
          "the error in Chinese",
          async () => (await error.textContent()) === "账号或密码错误。",
        );
        await logIn(carol, "carol", "carol-pw");
        await online(carol);
        assertEquals(await carol.getByTestId("conn-status").textContent(), "在线");
        assertEquals(
          await carol.getByTestId("tab-recent").locator("span").textContent(),
          "最近联系人",
        );
        assertEquals(await carol.getByTestId("tab-org").textContent(), "组织架构");
        assertEquals(
          await carol.getByTestId("search").getAttribute("placeholder"),
          "搜索联系人和会话…",
        );
        // Through the organisation tree: Company is open, R&D and its Web team are folded.
        await carol.getByTestId("tab-org").click();
        await carol.locator('[data-testid="dept"][data-path="Company,R&D"]').click();
        await carol.locator('[data-testid="dept"][data-path="Company,R&D,Web"]').click();
        const alice = carol.locator('[data-testid="user-item"][data-accountid="alice"]');
        assertEquals(await alice.getAttribute("data-presence"), "offline");
        await alice.click();
        assertEquals(
          await carol.getByTestId("chat-subtitle").textContent(),
          "alice · 离线",
        );
        assertEquals(await carol.getByTestId("chat-dept").locator(".label").textContent(), "部门");
        await carol.getByTestId("send").click();
        assertEquals(await carol.getByTestId("composer-error").textContent(), "请先输入内容。");
        await say(carol, "你好，Alice！明天 10 点开会 🙂");
        await until("sent", async () => (await texts(carol)).length === 1);
        assertEquals(await carol.getByTestId("day-separator").allTextContents(), ["今天"]);
        assertEquals(await carol.locator('[data-testid="message"] .who').textContent(), "我");
        await carol.mouse.move(700, 300);
        await carol.screenshot({ path: `${shots}/zh-CN.png` });
        // Switched to English: the page changes at once, and a reload keeps it.
        await carol.getByTestId("lang-switch").selectOption("en");
        assertEquals(await carol.getByTestId("tab-org").textContent(), "Organisation");
        assertEquals(await carol.getByTestId("day-separator").allTextContents(), ["Today"]);
        await carol.reload();
        await online(carol);
        assertEquals(await carol.getByTestId("tab-recent").locator("span").textContent(), "Recent");
        assertEquals(
          await carol.evaluate(() => (globalThis as InPage).document.documentElement.lang),
          "en",
        );
        assertNoTrouble(trouble);
        await context.close();
      });

      await step("while hidden: a chime, a desktop notification, a flashing title", async () => {
        const context = await browser.newContext();
        await context.addInitScript(FAKE_HIDDEN_AND_NOTIFICATIONS);
        const alice = await context.newPage();
        const trouble = watchPage(alice);
        await alice.goto(t.url);
        await logIn(alice, "alice", "alice-pw");
        await online(alice);
        assertEquals(
          await alice.evaluate(() => (globalThis as unknown as Fake).__asks),
          1,
          "asked once",
        );
        await openChatWith(alice, "carol");
        await alice.evaluate(() => {
          const page = globalThis as InPage;
          page.__hidden = true;
          page.document.dispatchEvent(new Event("visibilitychange"));
        });
        const bob = await t.connect("bob", await t.login("bob", "bob-pw"));
        await scriptSay(bob, AB, "are you there?", "hidden-1");
        const titles = new Set<string>();
        for (let i = 0; i < 30; i++) {
          titles.add(await alice.title());
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert(
          titles.has("✉ New message (1) webChat") && titles.has("(1) webChat"),
          [...titles].join(" | "),
        );
        const notes = await alice.evaluate(() =>
          (globalThis as unknown as Fake).__notes.map((n) => ({
            title: n.title,
            body: n.body,
            tag: n.tag,
          }))
        );
        assertEquals(notes, [{
          title: "Bob <b>Builder</b> says:",
          body: "are you there?",
          tag: AB,
        }]);
        assert(
          await alice.evaluate(() => (globalThis as unknown as Fake).__chimes) >= 2,
          "two notes of a chime",
        );
        // Clicking the notification opens the chat.
        await alice.evaluate(() => (globalThis as unknown as Fake).__notes[0].onclick?.());
        await until(
          "the chat opened",
          async () =>
            (await alice.getByTestId("chat-title").textContent()) === "Bob <b>Builder</b>",
        );
        // Seen again: the flashing stops and the notification closes.
        await alice.evaluate(() => {
          const page = globalThis as InPage;
          page.__hidden = false;
          page.document.dispatchEvent(new Event("visibilitychange"));
        });
        await until("title steady", async () => (await alice.title()) === "webChat");
        await new Promise((resolve) => setTimeout(resolve, 1200));
        assertEquals(await alice.title(), "webChat");
        assert(await alice.evaluate(() => (globalThis as unknown as Fake).__notes[0].closed));
        // The permission is asked once, not on every visit.
        await alice.reload();
        await online(alice);
        await alice.getByTestId("search").click();
        assertEquals(await alice.evaluate(() => (globalThis as unknown as Fake).__asks), 0);
        assertNoTrouble(trouble);
        await context.close();
      });

      await step("phone width: the list and the conversation are separate views", async () => {
        const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
        const bob = await context.newPage();
        const trouble = watchPage(bob);
        await bob.goto(t.url);
        await logIn(bob, "bob", "bob-pw");
        await online(bob);
        const side = bob.getByTestId("side");
        const pane = bob.getByTestId("pane");
        assert(await side.isVisible() && await pane.isHidden());
        await bob.mouse.move(380, 800);
        await bob.screenshot({ path: `${shots}/phone-list.png` });
        // With the keyboard alone: search, arrow down to the chat, Enter, type, Enter, Escape.
        await bob.getByTestId("search").focus();
        await bob.keyboard.type("alice");
        await bob.locator('[data-testid="search-chat-item"]').waitFor();
        await bob.keyboard.press("ArrowDown");
        await bob.keyboard.press("Enter");
        assert(await pane.isVisible() && await side.isHidden(), "the conversation alone");
        assert(await bob.getByTestId("back").isVisible());
        const before = (await texts(bob)).length;
        await bob.keyboard.type("typed on a phone, keyboard only");
        await bob.keyboard.press("Enter");
        await until("sent from the phone", async () => (await texts(bob)).length === before + 1);
        assertEquals(await layoutOverflow(bob), []);
        await bob.screenshot({ path: `${shots}/phone-chat.png` });
        await bob.keyboard.press("Escape");
        assert(await side.isVisible() && await pane.isHidden(), "back to the list");
        await bob.getByTestId("search").fill("");
        await bob.locator(`[data-testid="contact-item"][data-chatid="${AB}"]`).click();
        assert(await pane.isVisible());
        await bob.getByTestId("back").click();
        assert(await side.isVisible() && await pane.isHidden());
        assertEquals(await layoutOverflow(bob), []);
        assertNoTrouble(trouble);
        await context.close();
      });

      await step("the main screen, for the README", async () => {
        await t.addUser("dave", "dave-pw", "Dave Chen", { deptDetail: "Company,Sales" });
        await t.addUser("erin", "erin-pw", "王芳", { deptDetail: "Company,R&D,Web" });
        const dave = await t.connect("dave", await t.login("dave", "dave-pw"));
        await scriptSay(dave, "alice--dave", "Lunch at 12:30?", "shot-1");
        await scriptSay(dave, "alice--dave", "The usual place 🍜", "shot-2");
        const erin = await t.connect("erin", await t.login("erin", "erin-pw"));
        await scriptSay(
          erin,
          "alice--erin",
          "设计稿已更新，请看 https://example.com/design",
          "shot-3",
        );
        const alice = await pageAs(browser, t.url, "alice");
        const trouble = watchPage(alice);
        await alice.locator('[data-testid="contact-item"][data-chatid="alice--carol"]').click();
        await say(alice, "Sounds good, see you at 10 👍\nI'll bring the slides.");
        await until("sent", async () => (await texts(alice)).length === 2);
        await until(
          "previews",
          async () => (await alice.getByTestId("contact-preview").allTextContents()).every(Boolean),
        );
        await alice.mouse.move(800, 400);
        await alice.screenshot({ path: `${shots}/desktop.png` });
        console.log(`screenshots: ${shots}`);
        assertNoTrouble(trouble);
        await dave.close();
        await erin.close();
        await alice.context().close();
      });
    } finally {
      await browser.close();
      await t.close();
      await stores.cleanup();
    }
  },
});
