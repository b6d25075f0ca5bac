/**
 * The chat page's code is type-checked like the server's: every `web/*.js` file opts in with
 * `// @ts-check`, and `deno check` over all of them (JSDoc types, the browser's DOM library, the
 * project's strict settings) must pass. This is what makes CI enforce it.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";

const WEB = new URL("../web/", import.meta.url);

async function pageScripts(): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(WEB)) {
    if (entry.isFile && entry.name.endsWith(".js")) names.push(entry.name);
  }
  return names.sort();
}

Deno.test("every page script opts in to type checking", async () => {
  const names = await pageScripts();
  assert(names.includes("chat.js"), "web/chat.js exists");
  const unchecked: string[] = [];
  for (const name of names) {
    const text = await Deno.readTextFile(new URL(name, WEB));
    const head = text.split("\n").filter((line) => !line.startsWith("/// <reference"));
    if (head[0] !== "// @ts-check") unchecked.push(name);
  }
  assertEquals(unchecked, [], "web/*.js files without a first line // @ts-check");
});

Deno.test("deno check passes over the page's scripts", async () => {
  const names = await pageScripts();
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--frozen", ...names.map((name) => `web/${name}`)],
    cwd: new URL("..", import.meta.url),
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assertEquals(code, 0, `deno check web/*.js failed:\n${out}`);
});
