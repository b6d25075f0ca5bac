/**
 * What the browser tests do on the chat page, by its `data-testid`s: log in, wait for the
 * socket, open a chat through the search box, read what the conversation shows.
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { PageTrouble } from "./browser.ts";
import { eventually } from "./fixtures.ts";
import type { Frame, WsClient } from "./ws_client.ts";

/**
 * The page's globals inside `page.evaluate` callbacks (the tests are type-checked without the
 * DOM library; what runs in the browser is checked by the browser).
 */
// deno-lint-ignore no-explicit-any
export type InPage = any;

/** What the notification step puts in the page before its scripts run. */
export interface Fake {
  __hidden: boolean;
  __asks: number;
  __chimes: number;
  __notes: { title: string; body: string; tag: string; closed: boolean; onclick?: () => void }[];
}

/**
 * Emulates a hidden page (`document.visibilityState` follows `__hidden`), and records
 * notifications (a stand-in `Notification` whose permission starts as "default"), permission
 * requests and the chime's oscillators.
 */
export const FAKE_HIDDEN_AND_NOTIFICATIONS = `
  window.__hidden = false;
  window.__asks = 0;
  window.__chimes = 0;
  window.__notes = [];
  Object.defineProperty(Document.prototype, "visibilityState", {
    configurable: true, get() { return window.__hidden ? "hidden" : "visible"; } });
  Object.defineProperty(Document.prototype, "hidden", {
    configurable: true, get() { return window.__hidden; } });
  class FakeNotification {
    static permission = "default";
    static requestPermission() {
      window.__asks++;
      FakeNotification.permission = "granted";
      return Promise.resolve("granted");
    }
    constructor(title, options = {}) {
      Object.assign(this, { title, body: options.body, tag: options.tag, closed: false });
      window.__notes.push(this);
    }
    close() { this.closed = true; }
  }
  window.Notification = FakeNotification;
  const createOscillator = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () {
    window.__chimes++;
    return createOscillator.call(this);
  };
`;

/** Polls `check` (see `eventually`) and names what did not happen when it times out. */
export function until<T>(what: string, check: () => Promise<T>, ms = 15_000): Promise<T> {
  return eventually(check, ms, what) as Promise<T>;
}

export async function logIn(page: Page, accountid: string, password: string): Promise<void> {
  await page.getByTestId("login-account").fill(accountid);
  await page.getByTestId("login-password").fill(password);
  await page.getByTestId("login-submit").click();
}

/** Waits until the page's WebSocket has its `init`. */
export async function online(page: Page): Promise<void> {
  await page.getByTestId("chat-view").waitFor();
  const status = page.getByTestId("conn-status");
  await until("page online", async () => (await status.getAttribute("data-state")) === "online");
}

/** Opens the one-to-one chat with `accountid` by searching for it. */
export async function openChatWith(page: Page, accountid: string): Promise<void> {
  const search = page.getByTestId("search");
  await search.fill(accountid);
  await page.locator(`[data-testid="search-user-item"][data-accountid="${accountid}"]`).click();
  await search.fill("");
  await page.getByTestId("composer-input").waitFor();
}

/** A page of a new context (or of `context`), logged in as `accountid` (password `<id>-pw`). */
export async function pageAs(
  browser: Browser,
  url: string,
  accountid: string,
  context?: BrowserContext,
): Promise<Page> {
  const page = await (context ?? await browser.newContext()).newPage();
  await page.goto(url);
  await logIn(page, accountid, `${accountid}-pw`);
  await online(page);
  return page;
}

/** Types `text` into the composer and presses Enter. */
export async function say(page: Page, text: string): Promise<void> {
  const input = page.getByTestId("composer-input");
  await input.fill(text);
  await input.press("Enter");
}

/** The text of every confirmed message shown, top to bottom. */
export function texts(page: Page): Promise<string[]> {
  return page.locator('[data-testid="message-list"] [data-testid="message-text"]')
    .evaluateAll((nodes) => nodes.map((n) => n.textContent ?? ""));
}

/** The sender of every confirmed message shown, top to bottom. */
export function senders(page: Page): Promise<string[]> {
  return page.locator('[data-testid="message-list"] [data-testid="message"]')
    .evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-from") ?? ""));
}

export function assertNoTrouble(trouble: PageTrouble): void {
  assertEquals(trouble.dialogs, [], "no script from a message may run");
  assertEquals(trouble.errors, [], "the page must run without errors or CSP violations");
}

/** Where the tests put their screenshots: `CHAT_SCREENSHOTS_DIR`, else a temporary folder. */
export async function screenshotDir(): Promise<string> {
  const dir = Deno.env.get("CHAT_SCREENSHOTS_DIR") ??
    await Deno.makeTempDir({ prefix: "webchat-screens-" });
  await Deno.mkdir(dir, { recursive: true });
  return dir;
}

/**
 * Sends `text` from a script's socket and waits for its `ack`; a `rate_limited` answer is
 * waited out and the same `cid` sent again, as the protocol asks.
 */
export async function scriptSay(
  client: WsClient,
  chatid: string,
  text: string,
  cid: string,
): Promise<Frame> {
  for (;;) {
    client.send({ type: "say", chatid, content: text, cid });
    const answer = await client.next((f) =>
      (f.type === "ack" || f.type === "error") && f.cid === cid
    );
    if (answer.type === "ack") return answer;
    if (answer.info !== "rate_limited") throw new Error(`say refused: ${JSON.stringify(answer)}`);
    await new Promise((resolve) => setTimeout(resolve, answer.retryAfterMs ?? 100));
  }
}

/** Measures whether anything on the page is wider than it should be (long unbroken text). */
export function layoutOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const { document, innerWidth } = globalThis as InPage;
    const problems: string[] = [];
    const width = innerWidth;
    if (document.documentElement.scrollWidth > width) {
      problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
    }
    for (const node of document.querySelectorAll("body *")) {
      if (node.offsetParent === null) continue; // not shown
      const box = node.getBoundingClientRect();
      if (box.right > width + 1) {
        problems.push(
          `${node.tagName}.${node.className} ends at ${Math.round(box.right)} > ${width}`,
        );
      }
    }
    const log = document.querySelector('[data-testid="message-log"]');
    if (log && log.offsetParent !== null && log.scrollWidth > log.clientWidth + 1) {
      problems.push(`the conversation scrolls sideways: ${log.scrollWidth} > ${log.clientWidth}`);
    }
    return problems.slice(0, 10);
  });
}
