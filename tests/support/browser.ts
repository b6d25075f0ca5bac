/**
 * Headless Chromium for the page tests, driven by playwright-core against the system browser
 * (`/usr/bin/chromium`, installed by CI; never a downloaded browser build). A missing browser is
 * a failure with a clear message, not a skip.
 *
 * @module
 */
import { type Browser, chromium, type Page } from "playwright-core";

/** The system Chromium (override with `CHAT_TEST_CHROMIUM`). */
export const CHROMIUM_PATH = Deno.env.get("CHAT_TEST_CHROMIUM") ?? "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Launches Chromium. Playwright's `launch` gives the browser a fresh temporary
 * `--user-data-dir` and removes it on `close()`, so no profile survives a run; each
 * `browser.newContext()` is then a separate cookie jar (one per person in a test).
 */
export async function launchChromium(): Promise<Browser> {
  try {
    await Deno.stat(CHROMIUM_PATH);
  } catch {
    throw new Error(
      `Cannot run the browser tests: no Chromium at ${CHROMIUM_PATH}. ` +
        "Install it (apt-get install chromium) or set CHAT_TEST_CHROMIUM to its path.",
    );
  }
  return await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
}

/** What a page did that a test should see: uncaught errors, CSP reports, dialogs. */
export interface PageTrouble {
  errors: string[];
  dialogs: string[];
}

/** Records uncaught exceptions, Content-Security-Policy violations and `alert()`s of a page. */
export function watchPage(page: Page): PageTrouble {
  const trouble: PageTrouble = { errors: [], dialogs: [] };
  page.on("pageerror", (error) => trouble.errors.push(`uncaught: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) {
      trouble.errors.push(`csp: ${message.text()}`);
    }
  });
  page.on("dialog", (dialog) => {
    trouble.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  return trouble;
}
