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

Deno.test("every text the page names is in both languages", async () => {
  const { CATALOG } = await import("../web/i18n_catalog.js");
  const keys = new Set<string>();
  for (const name of await pageScripts()) {
    const text = await Deno.readTextFile(new URL(name, WEB));
    // t("key"), and keys spelled out whole where they are chosen (`upload.${state}` is below).
    for (const m of text.matchAll(/\bt\(\s*"([A-Za-z0-9_.]+)"/g)) keys.add(m[1]);
    for (const m of text.matchAll(/\[\s*"([a-z]+\.[A-Za-z]+)",\s*"[a-z-]+",/g)) keys.add(m[1]);
  }
  const html = await Deno.readTextFile(new URL("index.html", WEB));
  for (const m of html.matchAll(/data-i18n[a-z-]*="([^"]+)"/g)) keys.add(m[1]);
  for (const state of ["hashing", "uploading", "retrying", "paused", "failed"]) {
    keys.add(`upload.${state}`);
  }
  assert(keys.size > 100, `found ${keys.size} keys`);
  for (const language of ["en", "zh-CN"] as const) {
    const missing = [...keys].filter((key) => !(key in CATALOG[language])).sort();
    assertEquals(missing, [], `keys missing from the ${language} catalogue`);
  }
  // No key of one language is missing from the other (a string added in one place only).
  assertEquals(
    Object.keys(CATALOG.en).filter((key) => !(key in CATALOG["zh-CN"])),
    [],
    "English keys without Chinese",
  );
  assertEquals(Object.keys(CATALOG["zh-CN"]).filter((key) => !(key in CATALOG.en)), []);
});

Deno.test("the page's MD5 (uploads declare it) matches node:crypto in pieces of every size", async () => {
  const { Md5 } = await import("../web/md5.js");
  const { createHash } = await import("node:crypto");
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 70_001]) {
    const bytes = new Uint8Array(n).map((_, i) => (i * 7 + n) & 255);
    for (const piece of [1, 13, 64, 4096]) {
      const md5 = new Md5();
      for (let i = 0; i < n; i += piece) md5.update(bytes.subarray(i, i + piece));
      assertEquals(md5.hex(), createHash("md5").update(bytes).digest("hex"), `${n} by ${piece}`);
    }
  }
});
