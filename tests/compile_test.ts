/**
 * The single binary. `deno compile` needs Deno's `denort`, which these machines cannot
 * download, so what can be checked without it is checked here: the compile task embeds every
 * file the program loads by path, those paths come from `import.meta.url` (a server started
 * from another folder finds its page and its worker), and the task says clearly what to do
 * when the runtime cannot be had. With `DENORT_BIN` (or a network) the binary is built and run.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { COMPILE_INCLUDES } from "../tools/compile.ts";
import { readLines } from "./support/read_lines.ts";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "..");
const SOURCE_FOLDERS = [
  "api",
  "cli",
  "config",
  "gateway",
  "migrate",
  "ops",
  "queue",
  "store",
  "upgrade",
];

/** Module-relative paths the sources open (`new URL("…", import.meta.url)`), from the root. */
async function pathsLoadedAtRunTime(): Promise<{ file: string; target: string }[]> {
  const found: { file: string; target: string }[] = [];
  for (const folder of SOURCE_FOLDERS) {
    for await (const entry of Deno.readDir(join(ROOT, folder))) {
      if (!entry.name.endsWith(".ts") || entry.name.endsWith("_test.ts")) continue;
      const file = join(folder, entry.name);
      const text = await Deno.readTextFile(join(ROOT, file));
      for (const [, path] of text.matchAll(/new URL\("([^"]+)",\s*import\.meta\.url\)/g)) {
        found.push({
          file,
          target: relative(ROOT, resolve(ROOT, folder, path)) + (path.endsWith("/") ? "/" : ""),
        });
      }
    }
  }
  return found;
}

Deno.test("deno task compile embeds every file the program loads by path", async () => {
  const tasks = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))).tasks;
  assert(/tools\/compile\.ts/.test(tasks.compile), tasks.compile);
  const loaded = await pathsLoadedAtRunTime();
  // The worker's module and the page are among them, so the scan sees what it should.
  assert(loaded.some((l) => l.target === "queue/worker.ts"), JSON.stringify(loaded));
  assert(loaded.some((l) => l.target === "web/"), JSON.stringify(loaded));
  for (const { file, target } of loaded) {
    // `start -d` re-runs main.ts only when not compiled (a binary runs itself).
    if (file === "api/daemon.ts" && target === "main.ts") continue;
    // `chat bench` runs the suite from a source checkout only; a binary says it has none.
    if (file === "cli/bench_command.ts" && target === "tests/bench/suite.ts") continue;
    const included = COMPILE_INCLUDES.some((path) =>
      path.endsWith("/") ? target.startsWith(path) : target === path
    );
    assert(included, `${file} loads ${target}, which --include does not embed`);
  }
  for (const path of COMPILE_INCLUDES) await Deno.stat(join(ROOT, path));
});

Deno.test("paths come from import.meta.url: started from another folder, it serves its page and runs its worker", async () => {
  const elsewhere = await Deno.makeTempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "main.ts"), "start", "--port", "0", "--data", "data"],
    cwd: elsewhere,
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const listening = Promise.withResolvers<string>();
  const pumps = Promise.all(
    [child.stdout, child.stderr].map((stream) =>
      readLines(stream, (line) => {
        const match = /webChat listening on (\S+)/.exec(line);
        if (match) listening.resolve(match[1]);
      })
    ),
  );
  try {
    const url = await listening.promise;
    const page = await fetch(`${url}/`);
    assertEquals([page.status, page.headers.get("content-type")], [
      200,
      "text/html; charset=utf-8",
    ]);
    assert((await page.text()).includes("<script"));
    const script = await fetch(`${url}/web/chat.js`);
    assertEquals(script.status, 200);
    await script.body?.cancel();
    const health = await (await fetch(`${url}/healthz`)).json();
    assertEquals(health.worker, "alive");
    // The data folder is the working directory's, as configured: relative to where it runs.
    await Deno.stat(join(elsewhere, "data", "webchat.db"));
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await pumps;
    await Deno.remove(elsewhere, { recursive: true });
  }
});

async function compile(output: string, env: Record<string, string>) {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "tools", "compile.ts"), "--output", output],
    cwd: ROOT,
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: result.code, out: decode(result.stdout), err: decode(result.stderr) };
}

Deno.test("without its runtime, deno task compile says what to do", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const missing = await compile(`${dir}/chat`, { DENORT_BIN: `${dir}/no-denort` });
    assertEquals(missing.code, 1);
    assert(/DENORT_BIN=.*no-denort names no file/.test(missing.err), missing.err);
    // A proxy that refuses everything stands for a machine without the network.
    const offline = await compile(`${dir}/chat`, { HTTPS_PROXY: "http://127.0.0.1:1" });
    if (offline.code === 0) {
      assert(/built .*webChat/.test(offline.out), offline.out); // denort was cached here
      return;
    }
    assertEquals(offline.code, 1);
    assert(
      /needs Deno's runtime for standalone binaries \(denort 2\.9\.6/.test(offline.err),
      offline.err,
    );
    assert(
      /error sending request for url \(https:\/\/dl\.deno\.land/.test(offline.err),
      offline.err,
    );
    assert(/DENORT_BIN=\/path\/to\/denort/.test(offline.err), offline.err);
    assert(/\.\/chat runs the same program/.test(offline.err), offline.err);
    assert(!/Caused by/.test(offline.err), "the raw error chain is not what the operator needs");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "the compiled binary runs: page, worker and commands from the one file (DENORT_BIN)",
  ignore: !Deno.env.get("DENORT_BIN"),
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const built = await compile(`${dir}/chat`, { DENORT_BIN: Deno.env.get("DENORT_BIN")! });
      assertEquals(built.code, 0, built.err);
      const binary = `${dir}/chat`;
      const run = (args: string[], stdin?: string) =>
        new Deno.Command(binary, {
          args,
          cwd: dir,
          env: { CHAT_DATA_DIR: `${dir}/data`, CHAT_PORT: "0" },
          stdin: stdin === undefined ? "null" : "piped",
          stdout: "piped",
          stderr: "piped",
        });
      const added = run(["user", "add", "alice", "--name", "A", "--password-stdin"], "pw-alice-1\n")
        .spawn();
      const writer = added.stdin.getWriter();
      await writer.write(new TextEncoder().encode("pw-alice-1\n"));
      await writer.close();
      assertEquals((await added.output()).code, 0);
      const server = run(["start"]).spawn();
      const listening = Promise.withResolvers<string>();
      const pumps = Promise.all(
        [server.stdout, server.stderr].map((stream) =>
          readLines(stream, (line) => {
            const match = /webChat listening on (\S+)/.exec(line);
            if (match) listening.resolve(match[1]);
          })
        ),
      );
      try {
        const url = await listening.promise;
        assertEquals((await fetch(`${url}/`)).status, 200);
        assertEquals((await (await fetch(`${url}/healthz`)).json()).worker, "alive");
        const status = await run(["status"]).output();
        assertEquals(status.code, 0, new TextDecoder().decode(status.stdout));
      } finally {
        server.kill("SIGTERM");
        await server.status;
        await pumps;
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
