/**
 * The chat page on two nodes of one installation: alice's browser talks to node 0, bob's to
 * node 1; what each types appears live on the other's page, once, and each sees the other online
 * and going away when the other node stops.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { launchChromium, watchPage } from "./support/browser.ts";
import { assertNoTrouble, openChatWith, pageAs, say, texts, until } from "./support/chat_page.ts";
import { startNodeCluster } from "./support/node_cluster.ts";

Deno.test({
  name: "the chat page across two nodes",
  sanitizeResources: false, // Playwright's pipes to the browser outlive the test's steps
  sanitizeOps: false,
  async fn() {
    const cluster = await startNodeCluster(2);
    const browser = await launchChromium();
    try {
      await cluster.addUsers(["alice", "bob"], (id) => `${id}-pw`);
      const alice = await pageAs(browser, cluster.nodes[0]!.url, "alice");
      const bob = await pageAs(browser, cluster.nodes[1]!.url, "bob");
      const troubles = [watchPage(alice), watchPage(bob)];
      await openChatWith(alice, "bob");
      await openChatWith(bob, "alice");
      // Each sees the other online (the presence of another node).
      const dot = (page: typeof alice) =>
        page.locator('[data-testid="contact-item"][data-chatid="alice--bob"] .avatar-wrap');
      await say(alice, "hello from node 0");
      await until("bob's page shows it", async () => (await texts(bob)).length === 1);
      await say(bob, "hello from node 1");
      await until("alice's page shows the answer", async () => (await texts(alice)).length === 2);
      for (const page of [alice, bob]) {
        await until("both lines, once each", async () => (await texts(page)).length === 2);
        assertEquals(await texts(page), ["hello from node 0", "hello from node 1"]);
      }
      for (const page of [alice, bob]) {
        await until(
          "the other shown online",
          async () => /presence-online/.test(await dot(page).getAttribute("class") ?? ""),
        );
      }
      // Node 1 stops: alice's page hears bob go (his page reconnects, but to nowhere).
      await cluster.nodes[1]!.kill("SIGTERM");
      cluster.nodes[1] = null;
      await until(
        "bob shown offline on alice's page",
        async () => !/presence-online/.test(await dot(alice).getAttribute("class") ?? ""),
      );
      assertNoTrouble(troubles[0]);
    } finally {
      await browser.close();
      await cluster.close();
    }
  },
});
