/**
 * The chat page's groups, files and broadcasts in a real browser, on both backends: headless
 * Chromium (support/browser.ts) against a real server over Redis and MariaDB, and over the
 * embedded SQLite. Each person is a browser context of their own. Every hostile string here
 * (a group title, a file name, a broadcast's subject and text) is typed or uploaded through
 * the page and must come back as text.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { launchChromium, watchPage } from "./support/browser.ts";
import { bothBackends, type BothHarness } from "./support/both_backends.ts";
import {
  assertNoTrouble,
  type Fake,
  FAKE_HIDDEN_AND_NOTIFICATIONS,
  type InPage,
  layoutOverflow,
  logIn,
  online,
  openChatWith,
  say,
  screenshotDir,
  texts,
  until,
} from "./support/chat_page.ts";
import { pngImage } from "./support/images.ts";
import { testBytes } from "./support/upload_client.ts";

/** Markup, a script and a long unbroken word: at most 100 characters, as titles may be. */
const TITLE = `<img src=x onerror=alert(1)><script>alert(2)</script>${"T".repeat(40)}`;
/** Markup and a long unbroken run in a file's name (the server keeps names up to 255). */
const FILE_NAME = `"><img src=x onerror=alert(3)>${"R".repeat(150)}report.txt`;
const SUBJECT = "<script>alert(4)</script> All hands";
const ANNOUNCEMENT = `<img src=x onerror=alert(5)> Meeting at 3 in room <b>7</b>\n${
  "W".repeat(300)
}`;
const MIB = 1 << 20;

/** A page of a new context logged in as `accountid` (the harness's password `pw-<id>`). */
async function pageOf(
  browser: Browser,
  url: string,
  accountid: string,
  options: { init?: string; width?: number; locale?: string } = {},
): Promise<Page> {
  const context = await browser.newContext({
    ...(options.width ? { viewport: { width: options.width, height: 844 } } : {}),
    ...(options.locale ? { locale: options.locale } : {}),
  });
  if (options.init) await context.addInitScript(options.init);
  const page = await context.newPage();
  await page.goto(url);
  await logIn(page, accountid, `pw-${accountid}`);
  await online(page);
  return page;
}

/**
 * A page that can be hidden (`hide`) and records its notifications, allowed from the start
 * (the permission is asked once, and these pages reload).
 */
const NOTIFIED = `${FAKE_HIDDEN_AND_NOTIFICATIONS}\nwindow.Notification.permission = "granted";`;

/** Hides or shows a page made with {@link NOTIFIED}. */
async function hide(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((hidden) => {
    const inPage = globalThis as InPage;
    inPage.__hidden = hidden;
    inPage.document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}

/** The contact row of a chat. */
const row = (page: Page, chatid: string) =>
  page.locator(`[data-testid="contact-item"][data-chatid="${chatid}"]`);

/**
 * Opens a chat from the recent list, clicking again if the list was redrawn under the
 * pointer (a click whose press and release land on different rows is no click).
 */
async function openRow(page: Page, chatid: string): Promise<void> {
  const active = page.locator(`[data-testid="contact-item"].active[data-chatid="${chatid}"]`);
  await until(`the chat ${chatid} open`, async () => {
    if ((await active.count()) > 0 && await page.locator("#chat").isVisible()) return true;
    await row(page, chatid).click({ timeout: 2000 }).catch(() => {});
    return false;
  });
}

/** Scripted markup never ran and never became elements. */
async function assertInert(page: Page): Promise<void> {
  assertEquals(await page.locator('body script, img[src="x"], body iframe').count(), 0);
}

bothBackends("the chat page: groups, files and broadcasts", async (h: BothHarness, test) => {
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
  /** The group the first step creates. */
  let group = "";
  try {
    await h.addUser("alice", "Company,R&D");
    await h.addUser("bob", "Company,R&D");
    await h.addUser("carol", "Company,Sales");
    await h.addUser("dave", "Company,Sales");

    await step("a group made in the picker; members chat in it; add, remove, leave", async () => {
      const alice = await pageOf(browser, url, "alice");
      const bob = await pageOf(browser, url, "bob");
      const carol = await pageOf(browser, url, "carol");
      const troubles = [alice, bob, carol].map(watchPage);

      await alice.getByTestId("new-group").click();
      const picker = alice.getByTestId("picker-dialog");
      await picker.waitFor();
      await alice.getByTestId("picker-title").fill(TITLE);
      // Nobody chosen: the server's refusal is shown in the picker, which stays open.
      await alice.getByTestId("picker-confirm").click();
      const error = alice.getByTestId("picker-error");
      await until("the server's refusal", async () => ((await error.textContent()) ?? "") !== "");
      assert(
        (await error.textContent())!.startsWith("The server did not accept this: "),
        await error.textContent() ?? "",
      );
      assert(await picker.isVisible());
      // bob by the search, Sales as a whole department (carol and dave).
      await alice.getByTestId("picker-search").fill("bob");
      await alice.locator('[data-testid="picker-person"][data-accountid="bob"]').check();
      await alice.getByTestId("picker-search").fill("");
      await alice.locator('[data-testid="picker-dept"][data-path="Company,Sales"]').check();
      assertEquals(await alice.getByTestId("picker-count").textContent(), "3 chosen");
      if (h.kind === "production") {
        await alice.screenshot({ path: `${shots}/group-picker.png` });
      }
      await alice.getByTestId("picker-confirm").click();
      await until("the group opened", async () => (await picker.isHidden()));
      assertEquals(await alice.getByTestId("chat-title").textContent(), TITLE);
      group = await alice.locator('[data-testid="contact-item"].active').getAttribute(
        "data-chatid",
      ) ?? "";
      assert(/^alice-\d+$/.test(group), group);

      // The others see it at once, before anyone writes in it, titled as text.
      for (const page of [bob, carol]) {
        await row(page, group).waitFor();
        assertEquals(await row(page, group).locator(".name-text").textContent(), TITLE);
      }
      await until(
        "the server's line in the group",
        async () => (await alice.getByTestId("system-line").count()) === 1,
      );
      assertEquals(
        await alice.getByTestId("chat-subtitle").textContent(),
        "Group · owner ALICE · 4 members",
      );

      await say(alice, "hello group");
      await openRow(bob, group);
      await until("bob reads it", async () => (await texts(bob)).includes("hello group"));
      await say(bob, "hi all");
      await until("alice reads bob", async () => (await texts(alice)).at(-1) === "hi all");
      await until("carol reads both", async () => {
        await openRow(carol, group);
        return (await texts(carol)).join("|") === "hello group|hi all";
      });

      // The owner removes dave; carol, who does not own it, is offered no remove, and leaves.
      await alice.getByTestId("chat-members").click();
      const members = alice.getByTestId("group-member");
      await until("four members", async () => (await members.count()) === 4);
      if (h.kind === "production") {
        await alice.screenshot({ path: `${shots}/group-members.png` });
      }
      await alice.locator('[data-testid="group-remove"][data-accountid="dave"]').click();
      await until("dave removed", async () => (await members.count()) === 3);
      await alice.getByTestId("group-close").click();
      await carol.getByTestId("chat-members").click();
      await until(
        "carol's list",
        async () => (await carol.getByTestId("group-member").count()) === 3,
      );
      assertEquals(await carol.getByTestId("group-remove").count(), 0);
      await carol.getByTestId("group-leave").click();
      assertEquals(await carol.getByTestId("group-leave").textContent(), "Click again to leave");
      await carol.getByTestId("group-leave").click();
      await until(
        "carol is out",
        async () =>
          (await carol.getByTestId("group-summary").textContent()) ===
            "You are no longer a member of this group.",
      );
      await carol.getByTestId("group-close").click();
      assert(await carol.getByTestId("composer-input").isDisabled());
      await until(
        "alice sees two members",
        async () =>
          (await alice.getByTestId("chat-subtitle").textContent()) ===
            "Group · owner ALICE · 2 members",
      );
      // The owner adds dave back: the picker offers only people outside the group.
      await alice.getByTestId("chat-members").click();
      await alice.getByTestId("group-add").click();
      await alice.getByTestId("picker-search").fill("o");
      assertEquals(
        await alice.getByTestId("picker-person").evaluateAll((boxes) =>
          boxes.map((b) => b.getAttribute("data-accountid"))
        ),
        ["carol", "dave"],
      );
      await alice.locator('[data-testid="picker-person"][data-accountid="dave"]').check();
      await alice.getByTestId("picker-confirm").click();
      await until("dave is back", async () => (await members.count()) === 3);
      await alice.getByTestId("group-close").click();
      // bob renames it; alice's header follows.
      await bob.getByTestId("chat-members").click();
      await bob.getByTestId("group-title-input").fill("Launch team");
      await bob.getByTestId("group-rename").click();
      await until(
        "renamed",
        async () => (await alice.getByTestId("chat-title").textContent()) === "Launch team",
      );
      await bob.getByTestId("group-close").click();
      const lines = await alice.getByTestId("system-line").allTextContents();
      assertEquals(lines.length, 5, lines.join(" | "));
      for (const page of [alice, bob, carol]) await assertInert(page);
      for (const trouble of troubles) assertNoTrouble(trouble);
    });

    await step(
      "mentions: @ completion, highlighted for the one named; mute is the server's",
      async () => {
        const alice = await pageOf(browser, url, "alice");
        const bob = await pageOf(browser, url, "bob", { init: NOTIFIED });
        const troubles = [alice, bob].map(watchPage);
        await openRow(alice, group);
        await openRow(bob, group);
        // bob mutes the group: stored on the server, so his other device (a browser of its
        // own, already open) follows at once, and a reload keeps it.
        const phone = await pageOf(browser, url, "bob");
        await bob.getByTestId("chat-mute").click();
        await until(
          "muted",
          async () => (await bob.getByTestId("chat-mute").getAttribute("aria-pressed")) === "true",
        );
        await row(phone, group).getByTestId("muted-icon").waitFor();
        await phone.context().close();
        await bob.reload();
        await online(bob);
        await row(bob, group).getByTestId("muted-icon").waitFor();
        await openRow(bob, group);
        assertEquals(await bob.getByTestId("chat-mute").getAttribute("aria-pressed"), "true");
        await hide(bob, true);
        // A plain message in the muted group: counted, but no notification.
        await say(alice, "quiet one");
        await until(
          "bob's badge",
          async () =>
            (await row(bob, group).getByTestId("unread-badge").textContent().catch(() => "")) ===
              "1",
        );
        assertEquals(await bob.evaluate(() => (globalThis as unknown as Fake).__notes.length), 0);
        // A mention, typed with the completion: it pierces the mute.
        const input = alice.getByTestId("composer-input");
        await input.pressSequentially("@bo");
        await alice.locator('[data-testid="mention-option"][data-accountid="bob"]').waitFor();
        await input.press("Enter");
        assertEquals(await input.inputValue(), "@bob ");
        await input.pressSequentially("look at this");
        await input.press("Enter");
        await until(
          "the mention's notification",
          async () =>
            await bob.evaluate(() => (globalThis as unknown as Fake).__notes.length) === 1,
        );
        assertEquals(
          await bob.evaluate(() =>
            (globalThis as unknown as Fake).__notes.map((n) => [n.title, n.body, n.tag])
          ),
          [["ALICE in Launch team:", "@bob look at this", group]],
        );
        await row(bob, group).getByTestId("mention-badge").waitFor();
        await hide(bob, false);
        const named = bob.locator('[data-testid="message"][data-mention="true"]');
        await named.waitFor();
        assertEquals(await named.getByTestId("message-text").textContent(), "@bob look at this");
        assertEquals(await named.getByTestId("mention").textContent(), "@bob");
        await until(
          "the mention badge cleared",
          async () => (await row(bob, group).getByTestId("mention-badge").count()) === 0,
        );
        // alice sees the name highlighted, but the message is not one that names her.
        await until(
          "alice's copy",
          async () => (await texts(alice)).at(-1) === "@bob look at this",
        );
        assertEquals(
          await alice.locator('[data-testid="message"][data-mention="true"]').count(),
          0,
        );
        assertEquals(await alice.getByTestId("mention").count(), 1);
        // A mention of someone who is not a member is refused, and the page says so.
        await say(alice, "@carol are you there?");
        const failed = alice.locator('[data-testid="pending-message"][data-state="failed"]');
        await failed.waitFor();
        assert(
          ((await failed.getByTestId("pending-state").textContent()) ?? "").includes("@carol"),
        );
        await failed.getByTestId("pending-discard").click();
        if (h.kind === "production") {
          await alice.mouse.move(700, 300);
          await alice.screenshot({ path: `${shots}/group.png` });
        }
        // Unmuted again, on the server.
        await bob.getByTestId("chat-mute").click();
        await until(
          "unmuted",
          async () => (await bob.getByTestId("chat-mute").getAttribute("aria-pressed")) === "false",
        );
        for (const trouble of troubles) assertNoTrouble(trouble);
      },
    );

    await step(
      "a pasted picture and an attached file; resumed after a dropped connection; the partner opens and downloads them",
      async () => {
        const alice = await pageOf(browser, url, "alice");
        const bob = await pageOf(browser, url, "bob");
        const troubles = [alice, bob].map(watchPage);
        await openChatWith(alice, "bob");
        const png = pngImage(900, 600);
        // A screenshot pasted into the composer.
        await alice.getByTestId("composer-input").evaluate((area: InPage, bytes: number[]) => {
          const page = globalThis as InPage;
          const data = new page.DataTransfer();
          data.items.add(
            new page.File([new Uint8Array(bytes)], "screen.png", { type: "image/png" }),
          );
          area.dispatchEvent(
            new page.ClipboardEvent("paste", {
              clipboardData: data,
              bubbles: true,
              cancelable: true,
            }),
          );
        }, [...png]);
        const picture = alice.locator('[data-testid="message-list"] [data-testid="message-image"]');
        await picture.waitFor();

        // A 3 MiB file in 1 MiB chunks; the connection drops on the second chunk once.
        const bytes = testBytes(3 * MIB, 7);
        const puts: string[] = [];
        let dropped = false;
        alice.on("request", (r) => {
          if (r.method() === "PUT") puts.push(r.url().split("/chunks/")[1]);
        });
        await alice.route("**/api/uploads/*/chunks/1", async (route) => {
          if (dropped) return await route.continue();
          dropped = true;
          await route.abort("connectionreset");
        });
        // From real files (a file chooser gives paths; the name is the file's own).
        const folder = await Deno.makeTempDir({ prefix: "webchat-upload-" });
        await Deno.writeFile(`${folder}/${FILE_NAME}`, bytes);
        await Deno.writeFile(`${folder}/huge.bin`, new Uint8Array(5 * MIB));
        await alice.getByTestId("attach-input").setInputFiles(`${folder}/${FILE_NAME}`);
        const upload = alice.getByTestId("upload");
        await until(
          "the upload waits to resume",
          async () => (await upload.getAttribute("data-state").catch(() => null)) === "retrying",
        );
        const file = alice.locator('[data-testid="message-list"] [data-testid="message-file"]');
        await file.waitFor({ timeout: 20_000 });
        assertEquals(await upload.count(), 0);
        assertEquals(puts.filter((p) => p === "0").length, 1, `chunk 0 sent once: ${puts}`);
        assertEquals(puts.filter((p) => p === "1").length, 2, `chunk 1 sent again: ${puts}`);
        assertEquals(await file.getByTestId("file-name").textContent(), FILE_NAME);

        // bob: the thumbnail, the full picture, the file's name and size, the download's bytes.
        await openRow(bob, "alice--bob");
        const thumb = bob.locator('[data-testid="message-image"] img');
        await thumb.waitFor();
        assert((await thumb.getAttribute("src"))!.endsWith("?thumbnail"));
        await until(
          "the thumbnail decoded",
          async () => (await thumb.evaluate((img: InPage) => img.naturalWidth)) === 320,
        );
        await bob.getByTestId("message-image").click();
        const full = bob.getByTestId("image-full");
        await until(
          "the full picture",
          async () => (await full.evaluate((img: InPage) => img.naturalWidth)) === 900,
        );
        assert(!(await full.getAttribute("src"))!.includes("thumbnail"));
        await bob.keyboard.press("Escape");
        const card = bob.getByTestId("message-file");
        assertEquals(await card.getByTestId("file-name").textContent(), FILE_NAME);
        assertEquals(await card.locator(".file-size").textContent(), "3.0 MB");
        assertEquals(await layoutOverflow(bob), []);
        const [download] = await Promise.all([bob.waitForEvent("download"), card.click()]);
        const got = await Deno.readFile(await download.path());
        assertEquals(got.length, bytes.length);
        assert(got.every((b, i) => b === bytes[i]), "the downloaded bytes are the uploaded ones");
        assertEquals(download.suggestedFilename().endsWith("report.txt"), true);
        // Over the server's limit: a clear answer on the upload, nothing sent.
        await alice.unroute("**/api/uploads/*/chunks/1");
        await alice.getByTestId("attach-input").setInputFiles(`${folder}/huge.bin`);
        await until(
          "refused",
          async () => (await upload.getAttribute("data-state").catch(() => null)) === "failed",
        );
        const reason = (await upload.getByTestId("upload-state").textContent()) ?? "";
        assert(reason.startsWith("not uploaded: Too large"), reason);
        await upload.getByTestId("upload-cancel").click();
        assertEquals(await upload.count(), 0);

        // Paused while its third chunk is on its way, resumed: the chunks held are not sent again.
        await Deno.writeFile(`${folder}/notes.bin`, testBytes(3 * MIB, 11));
        let held = true;
        await alice.route("**/api/uploads/*/chunks/2", async (route) => {
          if (!held) return await route.continue();
          // Never answered: the page's pause aborts it.
          await until("paused", () => Promise.resolve(!held), 20_000).catch(() => {});
          await route.abort("aborted").catch(() => {});
        });
        puts.length = 0;
        await alice.getByTestId("attach-input").setInputFiles(`${folder}/notes.bin`);
        await until("the third chunk on its way", () => Promise.resolve(puts.includes("2")));
        await upload.getByTestId("upload-pause").click();
        await until(
          "paused",
          async () => (await upload.getAttribute("data-state").catch(() => null)) === "paused",
        );
        assertEquals(
          (await upload.getByTestId("upload-state").textContent())?.startsWith("paused at 66%"),
          true,
        );
        held = false;
        await upload.getByTestId("upload-resume").click();
        await until("the second file", async () => (await file.count()) === 2);
        assertEquals(puts.sort(), ["0", "1", "2", "2"], "only the third chunk went again");
        await alice.unroute("**/api/uploads/*/chunks/2");

        // The page closed mid-upload: the same file picked again in another page sends only
        // what the server lacks (it resumes an upload of the account's by name, size and md5).
        await Deno.writeFile(`${folder}/big.bin`, testBytes(3 * MIB, 13));
        const first = await pageOf(browser, url, "alice");
        await openChatWith(first, "bob");
        const firstPuts: string[] = [];
        first.on("request", (r) => {
          if (r.method() === "PUT") firstPuts.push(r.url().split("/chunks/")[1]);
        });
        let closing = false;
        await first.route("**/api/uploads/*/chunks/1", async (route) => {
          await until("the page closing", () => Promise.resolve(closing), 30_000).catch(() => {});
          await route.abort().catch(() => {});
        });
        await first.getByTestId("attach-input").setInputFiles(`${folder}/big.bin`);
        await until("chunk 1 on its way", () => Promise.resolve(firstPuts.includes("1")));
        closing = true;
        await first.context().close();
        puts.length = 0;
        await alice.getByTestId("attach-input").setInputFiles(`${folder}/big.bin`);
        await until("the third file", async () => (await file.count()) === 3);
        assertEquals(puts.sort(), ["1", "2"], "chunk 0 was the server's already");

        // Nine pictures dropped on the conversation: eight go, and the page says why.
        const pictures = Array.from({ length: 9 }, (_, i) => [...pngImage(8 + i, 8)]);
        await alice.getByTestId("message-log").evaluate((log: InPage, all: number[][]) => {
          const page = globalThis as InPage;
          const data = new page.DataTransfer();
          all.forEach((bytes, i) =>
            data.items.add(
              new page.File([new Uint8Array(bytes)], `p${i}.png`, { type: "image/png" }),
            )
          );
          for (const type of ["dragover", "drop"]) {
            log.dispatchEvent(
              new page.DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }),
            );
          }
        }, pictures);
        assertEquals(
          await alice.getByTestId("composer-note").textContent(),
          "At most 8 pictures at once; the first 8 are being sent.",
        );
        await until("eight more pictures", async () => (await picture.count()) === 9);
        await until(
          "bob sees them",
          async () => (await bob.getByTestId("message-image").count()) === 9,
        );
        await Deno.remove(folder, { recursive: true });
        if (h.kind === "production") await bob.screenshot({ path: `${shots}/files.png` });
        for (const page of [alice, bob]) await assertInert(page);
        for (const trouble of troubles) assertNoTrouble(trouble);
      },
    );

    await step("history dialog: pictures, files, a day, words", async () => {
      const alice = await pageOf(browser, url, "alice");
      const trouble = watchPage(alice);
      await openRow(alice, "alice--bob");
      await say(alice, "the quarterly numbers are in");
      await until(
        "sent",
        async () => (await texts(alice)).at(-1) === "the quarterly numbers are in",
      );
      await h.archived();
      await alice.getByTestId("chat-history").click();
      const items = alice.getByTestId("history-item");
      await until("everything", async () => (await items.count()) === 13);
      await alice.getByTestId("history-type").selectOption("file");
      await until("files only", async () => (await items.count()) === 3);
      assertEquals(await items.getByTestId("file-name").allTextContents(), [
        FILE_NAME,
        "notes.bin",
        "big.bin",
      ]);
      await alice.getByTestId("history-type").selectOption("image");
      await until(
        "pictures only",
        async () =>
          (await items.count()) === 9 && (await items.getByTestId("message-image").count()) === 9,
      );
      await alice.getByTestId("history-type").selectOption("");
      await alice.getByTestId("history-query").fill("QUARTERLY numbers");
      await alice.getByTestId("history-search").click();
      await until("found by words", async () =>
        (await items.count()) === 1 &&
        (await items.getByTestId("message-text").textContent()) === "the quarterly numbers are in");
      await alice.getByTestId("history-query").fill("");
      await alice.getByTestId("history-date").fill("2001-02-03");
      await until(
        "nothing that day",
        async () =>
          (await alice.getByTestId("history-status").textContent()) === "No messages match.",
      );
      const today = await alice.evaluate(() => {
        const d = new Date();
        const pad = (n: number) => String(n).padStart(2, "0");
        return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
      });
      await alice.getByTestId("history-date").fill(today);
      await until("today's", async () => (await items.count()) === 13);
      await alice.keyboard.press("Escape");

      // A group started from the one-to-one chat: bob is chosen already.
      await alice.getByTestId("chat-new-group").click();
      assertEquals(await alice.getByTestId("picker-count").textContent(), "1 chosen");
      assert(
        await alice.locator('[data-testid="picker-person"][data-accountid="bob"]').isChecked(),
      );
      await alice.getByTestId("picker-confirm").click();
      await until(
        "the group with bob",
        async () =>
          (await alice.getByTestId("chat-subtitle").textContent()) ===
            "Group · owner ALICE · 2 members",
      );
      // No title given: the server names it after its first members.
      assertEquals(await alice.getByTestId("chat-title").textContent(), "ALICE, BOB");
      assertNoTrouble(trouble);
    });

    await step("a broadcast: composed, popped up, listed unread, marked read", async () => {
      const alice = await pageOf(browser, url, "alice");
      const bob = await pageOf(browser, url, "bob", { init: NOTIFIED });
      const troubles = [alice, bob].map(watchPage);
      await hide(bob, true);
      await alice.getByTestId("broadcast-button").click();
      await alice.getByTestId("broadcast-compose").click();
      await alice.getByTestId("broadcast-recipients").click();
      await alice.locator('[data-testid="picker-person"][data-accountid="bob"]').check();
      await alice.locator('[data-testid="picker-dept"][data-path="Company,Sales"]').check();
      assertEquals(
        await alice.getByTestId("picker-count").textContent(),
        "chosen: 1 people · 1 departments",
      );
      await alice.getByTestId("picker-confirm").click();
      assertEquals(
        await alice.getByTestId("broadcast-chosen").textContent(),
        "Company / Sales, BOB",
      );
      await alice.getByTestId("broadcast-subject").fill(SUBJECT);
      await alice.getByTestId("broadcast-content").fill(ANNOUNCEMENT);
      await alice.getByTestId("broadcast-send").click();
      await alice.getByTestId("broadcast-note").waitFor();

      // bob: a popup, the icon's count, the list with it unread, then read (on the server).
      const popup = bob.getByTestId("broadcast-popup");
      await popup.waitFor();
      assertEquals(await popup.locator(".popup-title").textContent(), SUBJECT);
      assertEquals(await bob.getByTestId("broadcast-unread").textContent(), "1");
      // Hidden: a desktop notification too, which opens the list.
      assertEquals(
        await bob.evaluate(() =>
          (globalThis as unknown as Fake).__notes.map((n) => [n.title, n.body])
        ),
        [["Broadcast from ALICE", SUBJECT]],
      );
      await hide(bob, false);
      await popup.click();
      const item = bob.getByTestId("broadcast-item");
      await item.first().waitFor();
      assertEquals(await item.first().getAttribute("data-unread"), "true");
      assertEquals(await item.first().getByTestId("broadcast-title").textContent(), SUBJECT);
      assertEquals(await item.first().getByTestId("message-text").textContent(), ANNOUNCEMENT);
      await assertInert(bob);
      assertEquals(await layoutOverflow(bob), []);
      if (h.kind === "production") await bob.screenshot({ path: `${shots}/broadcasts.png` });
      await bob.getByTestId("broadcast-mark-read").click();
      await until("read", async () => (await bob.getByTestId("broadcast-unread").isHidden()));
      assertEquals(await item.first().getAttribute("data-unread"), "false");
      await bob.reload();
      await online(bob);
      assert(await bob.getByTestId("broadcast-unread").isHidden());
      // Only alice may broadcast here: bob is offered no composer.
      await bob.getByTestId("broadcast-button").click();
      await bob.getByTestId("broadcast-item").first().waitFor();
      assertEquals(
        await bob.getByTestId("broadcast-item").first().getAttribute("data-unread"),
        "false",
      );
      assertEquals(await bob.getByTestId("broadcast-compose").count(), 0);

      // carol was offline, and reads Chinese: her count waits for her login.
      const carol = await pageOf(browser, url, "carol", { locale: "zh-CN" });
      assertEquals(await carol.getByTestId("broadcast-unread").textContent(), "1");
      assertEquals(await carol.getByTestId("new-group").getAttribute("title"), "发起群聊");
      await carol.getByTestId("broadcast-button").click();
      assertEquals(await carol.getByTestId("broadcast-mark-read").textContent(), "全部标为已读");
      assertEquals(
        await carol.locator('[data-testid="broadcast-dialog"] h2').textContent(),
        "通知",
      );
      await carol.getByTestId("broadcast-item").first().waitFor();
      assertEquals(
        await carol.getByTestId("broadcast-item").first().getByTestId("broadcast-title")
          .textContent(),
        SUBJECT,
      );
      await assertInert(carol);
      for (const trouble of troubles) assertNoTrouble(trouble);
    });

    await step("phone width: the group with its hostile title holds the layout", async () => {
      const bob = await pageOf(browser, url, "bob", { width: 390 });
      const trouble = watchPage(bob);
      // The group was renamed; a hostile title comes back through the members dialog.
      await openRow(bob, group);
      await bob.getByTestId("chat-members").click();
      await bob.getByTestId("group-title-input").fill(TITLE);
      await bob.getByTestId("group-rename").click();
      await until(
        "retitled",
        async () => (await bob.getByTestId("chat-title").textContent()) === TITLE,
      );
      await bob.getByTestId("group-close").click();
      assert(await bob.getByTestId("chat-members").isVisible());
      assertEquals(await layoutOverflow(bob), []);
      if (h.kind === "production") await bob.screenshot({ path: `${shots}/phone-group.png` });
      await bob.getByTestId("back").click();
      assertEquals(await row(bob, group).locator(".name-text").textContent(), TITLE);
      assertEquals(await layoutOverflow(bob), []);
      await assertInert(bob);
      assertNoTrouble(trouble);
    });
  } finally {
    await browser.close();
  }
}, {
  sanitize: false,
  configure(config) {
    config.files.maxBytes = 4 * MIB;
    config.broadcast.senders = ["alice"];
  },
});
