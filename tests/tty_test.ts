/**
 * What `chat` does on a terminal, run under a real pseudo-terminal (`script` from util-linux):
 * the password prompt does not echo what is typed, and asks twice; the import draws its
 * progress bar; `start -d` on a database of the PHP original offers the upgrade, and once it is
 * accepted converts the tables and starts. (Skipped where `script` is missing.)
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { defaultConfig } from "../config/mod.ts";
import { verifyPassword } from "../store/password.ts";
import { openAccountStores } from "../store/user_admin.ts";
import { runChat } from "./support/chat_cli.ts";
import { createPhpDatabase } from "./support/php_fixture.ts";
import { freePort } from "./support/server_process.ts";
import { openTestStores, TEST_REDIS_URL } from "./support/stores.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const hasScript = (() => {
  try {
    return new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/** Runs `chat <args>` on a terminal; `answers` are typed each after its prompt appears. */
async function onTerminal(
  args: string[],
  answers: [prompt: string, typed: string][],
): Promise<{ code: number; screen: string }> {
  const command = [Deno.execPath(), "run", "-A", MAIN, ...args].map((a) => `'${a}'`).join(" ");
  const child = new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  let screen = "";
  let next = 0;
  const answered = new Map<string, number>();
  const reading = (async () => {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      screen += chunk;
      // Type the next answer once its prompt shows one more time than it was answered.
      while (next < answers.length) {
        const [prompt, typed] = answers[next];
        const times = answered.get(prompt) ?? 0;
        if (screen.split(prompt).length - 1 <= times) break;
        answered.set(prompt, times + 1);
        next++;
        await writer.write(new TextEncoder().encode(typed));
      }
    }
  })();
  const [status] = await Promise.all([child.status, reading, child.stderr.cancel()]);
  await writer.close().catch(() => {});
  return { code: status.code, screen };
}

Deno.test({
  name: "on a terminal the password is asked twice without echo; the import draws a progress bar",
  ignore: !hasScript,
  async fn() {
    const data = await Deno.makeTempDir();
    try {
      const added = await onTerminal(
        ["user", "add", "tty", "--name", "Tty", "--data", data],
        [["Password: ", "typed-secret-1\r"], ["Again: ", "typed-secret-1\r"]],
      );
      assertEquals(added.code, 0, added.screen);
      assert(/added tty/.test(added.screen), added.screen);
      assert(!added.screen.includes("typed-secret-1"), `echoed: ${added.screen}`);
      const stores = await openAccountStores({ ...defaultConfig(), dataDir: data });
      try {
        const hash = (await stores.users.findWithPassword("tty"))!.passwordHash;
        assertEquals((await verifyPassword("typed-secret-1", hash)).ok, true);
      } finally {
        await stores.close();
      }
      const differ = await onTerminal(
        ["user", "passwd", "tty", "--data", data],
        [["Password: ", "one-password-1\r"], ["Again: ", "another-one-2\r"]],
      );
      assertEquals(differ.code, 2, differ.screen);
      assert(/the two passwords differ; nothing was changed/.test(differ.screen), differ.screen);

      const file = `${data}/people.csv`;
      await Deno.writeTextFile(
        file,
        "accountid,username,password\n" +
          [1, 2, 3].map((i) => `p${i},P ${i},plain-password-${i}`).join("\n") + "\n",
      );
      const imported = await onTerminal(["user", "import", file, "--data", data], []);
      assertEquals(imported.code, 0, imported.screen);
      assert(/hashing passwords \[#{30}\] 100% {2}3\/3/.test(imported.screen), imported.screen);
      assert(/imported 3 accounts/.test(imported.screen), imported.screen);
    } finally {
      await Deno.remove(data, { recursive: true });
    }
  },
});

Deno.test({
  name: "on a terminal, start -d on the PHP original's tables offers the upgrade, then starts",
  ignore: !hasScript,
  async fn() {
    const data = await Deno.makeTempDir();
    const stores = await openTestStores();
    try {
      await createPhpDatabase(stores.pool);
      // The settings as flags and a file: the terminal's environment is a clean one.
      await Deno.writeTextFile(
        `${data}/chat.json`,
        JSON.stringify({ redis: { prefix: stores.prefix } }),
      );
      const started = await onTerminal(
        [
          "start",
          "-d",
          "--config",
          `${data}/chat.json`,
          "--data",
          data,
          "--port",
          String(freePort()),
          "--redis",
          TEST_REDIS_URL,
          "--mysql",
          stores.mysqlUrl,
        ],
        [["Upgrade them now", "y\r"]],
      );
      assertEquals(started.code, 0, started.screen);
      assert(/tables of the PHP webChat that this version converts first/.test(started.screen));
      assert(/messages: \d+ in 2 monthly tables/.test(started.screen), started.screen);
      assert(/upgrade done/.test(started.screen), started.screen);
      assert(/on http:\/\/127\.0\.0\.1:\d+/.test(started.screen), started.screen);
      const [engine] = await stores.pool.query(
        `SELECT ENGINE AS engine FROM information_schema.TABLES
          WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'webchat_message201601'`,
      );
      assertEquals(engine, [{ engine: "InnoDB" }]);
    } finally {
      await runChat(["stop"], { CHAT_DATA_DIR: data });
      await stores.cleanup();
      await Deno.remove(data, { recursive: true });
    }
  },
});
