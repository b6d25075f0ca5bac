/**
 * The chat page's conversation features in a real browser, on both backends: recall (seen by the
 * partner at once, and after a reload from history), edit, a reply with its quote, the typing
 * indicator appearing and expiring, "read" once the partner opens the chat, "read by N of M" in a
 * group with the list of readers, the setting that stops receipts, and the export menu. Each
 * person is a browser context of their own; the hostile texts of the edit and the reply are typed
 * through the page and must come back as text. bob's page is phone-width throughout.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { launchChromium, watchPage } from "./support/browser.ts";
import { bothBackends, type BothHarness } from "./support/both_backends.ts";
import {
  assertNoTrouble,
  layoutOverflow,
  logIn,
  online,
  openChatWith,
  say,
  screenshotDir,
  texts,
  until,
} from "./support/chat_page.ts";

const EDITED = `<img src=x onerror=alert(1)> edited <b>bold</b>`;
const REPLY = `<script>alert(2)</script> my answer ${"Q".repeat(120)}`;
const AB = "alice--bob";

/** A page of a new context logged in as `accountid` (the harness's password `pw-<id>`). */
async function pageOf(
  browser: Browser,
  url: string,
  accountid: string,
  width?: number,
): Promise<Page> {
  const context = await browser.newContext(
    width ? { viewport: { width, height: 844 } } : {},
  );
  const page = await context.newPage();
  await page.goto(url);
  await logIn(page, accountid, `pw-${accountid}`);
  await online(page);
  return page;
}

/** The confirmed message whose text contains `text`. */
const message = (page: Page, text: string) =>
  page.locator('[data-testid="message-list"] [data-testid="message"]', {
    has: page.getByTestId("message-text").filter({ hasText: text }),
  });

/** Opens a chat from the recent list (on a phone the search box is hidden once a chat is open). */
async function openRow(page: Page, chatid: string): Promise<void> {
  await page.locator(`[data-testid="contact-item"][data-chatid="${chatid}"]`).click();
  await page.getByTestId("composer-input").waitFor();
}

/** Opens a message's ⋯ menu and picks `action` (`action-reply`, `action-edit`, …). */
async function act(page: Page, text: string, action: string): Promise<void> {
  await message(page, text).getByTestId("message-more").click();
  await page.getByTestId("message-menu").getByTestId(action).click();
}

/** The actions a message's menu offers, then closes it again. */
async function actions(page: Page, text: string): Promise<string[]> {
  const more = message(page, text).getByTestId("message-more");
  await more.click();
  const offered = await page.getByTestId("message-menu").locator("button").evaluateAll(
    (nodes) => nodes.map((n) => n.getAttribute("data-testid") ?? ""),
  );
  await page.keyboard.press("Escape");
  return offered;
}

/** Scripted markup never ran and never became elements. */
async function assertInert(page: Page): Promise<void> {
  assertEquals(await page.locator('body script, img[src="x"]').count(), 0);
  assertEquals(await page.locator("b", { hasText: "bold" }).count(), 0);
}

bothBackends("the chat page: recall, edit, replies, typing, receipts, export", async (
  h: BothHarness,
  test,
) => {
  const browser = await launchChromium();
  const shots = await screenshotDir();
  const url = h.server.url;
  const step = (name: string, fn: () => Promise<void>) =>
    test.step(name, async () => {
      const before = new Set(browser.contexts());
      try {
        await fn();
      } finally {
        for (const context of browser.contexts()) if (!before.has(context)) await context.close();
      }
    });
  try {
    for (const id of ["alice", "bob", "carol"]) await h.addUser(id);

    await step("a pair: read, typing, edit, reply, recall, export", async () => {
      const alice = await pageOf(browser, url, "alice");
      const bob = await pageOf(browser, url, "bob", 390);
      const troubles = [alice, bob].map(watchPage);

      await openChatWith(alice, "bob");
      await say(alice, "first words");
      await say(alice, "second thoughts");
      const first = message(alice, "first words");
      await first.waitFor();
      await message(alice, "second thoughts").getByTestId("message-sent").waitFor();
      // bob has not opened the chat: no "read" yet.
      assertEquals(await alice.getByTestId("message-read").count(), 0);

      // bob opens it: his read (with its seq) is the receipt; both messages show "read".
      await openRow(bob, AB);
      await until("bob sees both", async () => (await texts(bob)).length === 2);
      await until(
        "read shown to alice",
        async () => (await alice.getByTestId("message-read").count()) === 2,
      );
      assertEquals(await first.getByTestId("message-read").textContent(), "read");
      assertEquals(await alice.getByTestId("message-sent").count(), 0);

      // bob types: alice's header says so, and it goes away by itself after expiresMs.
      await bob.getByTestId("composer-input").fill("I am writ");
      const indicator = alice.getByTestId("chat-typing");
      await until("typing shown", async () => await indicator.isVisible());
      assertEquals(await indicator.textContent(), "BOB is typing…");
      const shownAt = Date.now();
      await until("typing expired", async () => await indicator.isHidden(), 12_000);
      assert(Date.now() - shownAt > 3000, "shown until its expiry, not dropped at once");
      await bob.getByTestId("composer-input").fill("");

      // alice edits her first message into hostile text: bob sees it replaced, marked, as text.
      assertEquals(await actions(alice, "first words"), [
        "action-reply",
        "action-edit",
        "action-recall",
      ]);
      assertEquals(await actions(bob, "first words"), ["action-reply"], "not bob's to change");
      // A draft written before the edit comes back once the edit is sent.
      await alice.getByTestId("composer-input").fill("my draft");
      await act(alice, "first words", "action-edit");
      assertEquals(await alice.getByTestId("composer-input").inputValue(), "first words");
      assert(await alice.getByTestId("composer-context").isVisible());
      await say(alice, EDITED);
      const edited = message(bob, "edited");
      await until(
        "bob sees the edit",
        async () => (await edited.getByTestId("message-text").textContent()) === EDITED,
      );
      await edited.getByTestId("message-edited").waitFor();
      assertEquals(await texts(bob), [EDITED, "second thoughts"]);
      assert(await alice.getByTestId("composer-context").isHidden());
      assertEquals(await alice.getByTestId("composer-input").inputValue(), "my draft");
      await alice.getByTestId("composer-input").fill("");

      // bob replies to it: the quote is above his composer, then on his message for both.
      await act(bob, "edited", "action-reply");
      assertEquals(await bob.getByTestId("composer-context-text").textContent(), EDITED);
      assertEquals(await layoutOverflow(bob), []);
      if (h.kind === "production") await bob.screenshot({ path: `${shots}/phone-reply.png` });
      await say(bob, REPLY);
      for (const page of [alice, bob]) {
        const reply = message(page, "my answer");
        await reply.waitFor();
        await until(
          "the reply's quote",
          async () => (await reply.getByTestId("quote-text").textContent()) === EDITED,
        );
        assertEquals(await reply.getByTestId("message-text").textContent(), REPLY);
      }
      assertEquals(await layoutOverflow(bob), []);
      if (h.kind === "production") await alice.screenshot({ path: `${shots}/conversation.png` });

      // alice recalls the edited message: bob's page shows the line at once, and the quote of
      // it in his reply becomes "recalled message".
      await act(alice, "edited", "action-recall");
      const line = bob.getByTestId("recalled-line");
      await until("bob sees the recall", async () => (await line.count()) === 1);
      assertEquals(await line.textContent(), "ALICE recalled a message");
      assertEquals(
        await alice.getByTestId("recalled-line").textContent(),
        "You recalled a message",
      );
      assertEquals(
        await message(bob, "my answer").getByTestId("quote-text").textContent(),
        "recalled message",
      );
      assertEquals(await texts(bob), ["second thoughts", REPLY]);
      // The recent list's preview is the newest message still; the recalled text is nowhere.
      assertEquals(await bob.getByText("edited <b>").count(), 0);

      // A recall while bob is elsewhere reaches his per-chat cache: back in the chat, at once.
      await bob.getByTestId("back").click();
      await bob.getByTestId("search").fill("carol");
      await bob.locator('[data-testid="search-user-item"][data-accountid="carol"]').click();
      await bob.getByTestId("composer-input").waitFor();
      await act(alice, "second thoughts", "action-recall");
      await until(
        "alice's second line",
        async () => (await alice.getByTestId("recalled-line").count()) === 2,
      );
      await bob.getByTestId("back").click();
      await bob.getByTestId("search").fill("");
      await openRow(bob, AB);
      await until("from the cache", async () => (await line.count()) === 2);
      // And from history after a reload.
      await bob.reload();
      await online(bob);
      await openRow(bob, AB);
      await until("from history", async () => (await line.count()) === 2);
      assertEquals(await texts(bob), [REPLY]);
      assertEquals(
        await message(bob, "my answer").getByTestId("quote-text").textContent(),
        "recalled message",
      );

      // The export menu downloads the conversation as CSV, the hostile reply quoted as text.
      await alice.getByTestId("chat-export").click();
      const [download] = await Promise.all([
        alice.waitForEvent("download"),
        alice.getByTestId("export-csv").click(),
      ]);
      assertEquals(download.suggestedFilename(), `chat-${AB}.csv`);
      const csv = await Deno.readTextFile(await download.path());
      assert(csv.startsWith("time,seq,mid,fromuser,type,message,"), csv.slice(0, 80));
      assert(csv.includes(`"${REPLY}"`), csv);
      assert(!csv.includes("first words") && !csv.includes(EDITED), "recalled text is gone");
      await alice.getByTestId("chat-export").click();
      const [html] = await Promise.all([
        alice.waitForEvent("download"),
        alice.getByTestId("export-html").click(),
      ]);
      assertEquals(html.suggestedFilename(), `chat-${AB}.html`);
      assert((await Deno.readTextFile(await html.path())).includes("&lt;script&gt;alert(2)"));
      // A date range: yesterday holds nothing of today's conversation; a reversed range is refused
      // in the page.
      const [today, yesterday] = await alice.evaluate(() =>
        [0, 86_400_000].map((ago) => new Date(Date.now() - ago).toLocaleDateString("sv"))
      );
      await alice.getByTestId("chat-export").click();
      await alice.getByTestId("export-range").click();
      const range = alice.getByTestId("export-dialog");
      await range.getByTestId("export-from").fill(today);
      await range.getByTestId("export-to").fill(yesterday);
      await range.getByTestId("export-download").click();
      assertEquals(
        await range.getByTestId("export-error").textContent(),
        "The first day must not be after the last.",
      );
      await range.getByTestId("export-from").fill(yesterday);
      await range.getByTestId("export-format").selectOption("csv");
      const [part] = await Promise.all([
        alice.waitForEvent("download"),
        range.getByTestId("export-download").click(),
      ]);
      const partCsv = await Deno.readTextFile(await part.path());
      assertEquals(partCsv.split("\r\n").filter(Boolean).length, 1, partCsv);
      assert(await range.isHidden());

      for (const page of [alice, bob]) await assertInert(page);
      troubles.forEach(assertNoTrouble);
    });

    await step(
      "a group: read by N of M, who, the owner's recall, receipts turned off",
      async () => {
        const token = await h.login("alice");
        const script = await h.connect("alice", token);
        const group = `alice-${Date.now()}`;
        script.send({ type: "groupset", chatid: group, title: "team", members: ["bob", "carol"] });
        await script.next((f) => f.type === "groupset");
        await script.close();
        const alice = await pageOf(browser, url, "alice");
        const bob = await pageOf(browser, url, "bob", 390);
        const carol = await pageOf(browser, url, "carol");
        const troubles = [alice, bob, carol].map(watchPage);
        const openGroup = (page: Page) => openRow(page, group);

        await openGroup(bob);
        await say(bob, "who reads this");
        const mine = message(bob, "who reads this");
        await mine.getByTestId("message-sent").waitFor();
        await openGroup(carol);
        await message(carol, "who reads this").waitFor();
        const readBy = mine.getByTestId("message-read-by");
        await until(
          "read by 1 of 2",
          async () => (await readBy.textContent()) === "read by 1 of 2",
        );
        await readBy.click();
        const dialog = bob.getByTestId("readers-dialog");
        await until(
          "the readers",
          async () =>
            (await dialog.getByTestId("readers-read").textContent()) === "CAROL" &&
            (await dialog.getByTestId("readers-unread").textContent()) === "ALICE",
        );
        await dialog.getByTestId("readers-close").click();

        // The owner may recall anyone's message of the group, whenever.
        await openGroup(alice);
        await message(alice, "who reads this").waitFor();
        await until(
          "alice's read counted",
          async () => (await readBy.textContent()) === "read by 2 of 2",
        );
        await act(alice, "who reads this", "action-recall");
        await until(
          "bob sees the owner's recall",
          async () =>
            (await bob.getByTestId("recalled-line").textContent()) === "ALICE recalled a message",
        );

        // carol stops sending receipts: her mark is no longer listed, her reads no longer count.
        await carol.getByTestId("settings-button").click();
        const box = carol.getByTestId("settings-receipts");
        await until("settings loaded", async () => await box.isEnabled());
        assert(await box.isChecked());
        await box.uncheck();
        await until(
          "saved",
          async () => (await carol.getByTestId("settings-status").textContent()) === "Saved.",
        );
        await carol.getByTestId("settings-close").click();
        const { body } = await h.api(await h.login("bob"), `/api/chats/${group}/receipts`);
        assert(!("carol" in body.receipts) && "alice" in body.receipts, JSON.stringify(body));
        await say(bob, "read quietly");
        await message(carol, "read quietly").waitFor();
        await message(alice, "read quietly").waitFor();
        assertEquals(await actions(carol, "read quietly"), ["action-reply"]);
        assertEquals(await actions(alice, "read quietly"), ["action-reply", "action-recall"]);
        const quiet = message(bob, "read quietly").getByTestId("message-read-by");
        await until(
          "alice's read only",
          async () => (await quiet.textContent()) === "read by 1 of 2",
        );
        await new Promise((resolve) => setTimeout(resolve, 1500));
        assertEquals(await quiet.textContent(), "read by 1 of 2");
        assertEquals(await layoutOverflow(bob), []);
        troubles.forEach(assertNoTrouble);
      },
    );
  } finally {
    await browser.close();
  }
}, { sanitize: false });
