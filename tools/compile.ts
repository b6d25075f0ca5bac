/**
 * `deno task compile`: builds `dist/chat`, one executable with the archive worker's module and
 * the chat page embedded (`--include`), so it runs from any folder without the sources.
 *
 * `deno compile` needs Deno's runtime for standalone binaries, `denort`, of the same version
 * as the Deno that compiles. It downloads it from dl.deno.land unless `DENORT_BIN` names one.
 * Where that download cannot happen (no network, a proxy that refuses it) this says so, with
 * what to do, instead of leaving the operator with a stack of connection errors.
 *
 * Usage: deno run -A tools/compile.ts [--output PATH]
 *
 * @module
 */
import { parseArgs } from "node:util";

const ROOT = new URL("../", import.meta.url);

/**
 * Everything the program loads by path at run time rather than by `import`: the worker's
 * module (`new Worker(new URL("./worker.ts", import.meta.url))` in `queue/worker_host.ts`) and
 * the page's files (`api/web_routes.ts`). `tests/compile_test.ts` checks the sources for any
 * other such path.
 */
export const COMPILE_INCLUDES = ["queue/worker.ts", "api/upload_hash_worker.ts", "web/"];

/** The `deno compile` arguments. */
export function compileArgs(output: string): string[] {
  return [
    "compile",
    "-A",
    "--frozen",
    ...COMPILE_INCLUDES.flatMap((path) => ["--include", path]),
    "-o",
    output,
    "main.ts",
  ];
}

/** True when `deno compile` failed only for want of its runtime download. */
export function isRuntimeDownloadFailure(stderr: string): boolean {
  return /dl\.deno\.land|denort/i.test(stderr) &&
    /error sending request|dns error|Connect|timed out|certificate|status code|404/i
      .test(stderr);
}

/** The explanation printed when the runtime could not be had. */
export function downloadHelp(stderr: string): string {
  const lines = stderr.split("\n").map((line) => line.trim());
  const cause = lines.find((line) => /error sending request/.test(line)) ??
    lines.find((line) => line.startsWith("error:")) ?? "the download failed";
  const target = Deno.build.target;
  return [
    `chat compile: \`deno compile\` needs Deno's runtime for standalone binaries (denort ` +
    `${Deno.version.deno} for ${target}), which it downloads from dl.deno.land, and that ` +
    "download failed here:",
    `  ${cause}`,
    "Either:",
    `  - download denort-${target}.zip of Deno v${Deno.version.deno} (github.com/denoland/deno` +
    "/releases) where you can, unzip it here, and run again with DENORT_BIN=/path/to/denort;",
    "  - or build on a machine that can reach dl.deno.land;",
    "  - or go on without a binary: ./chat runs the same program with the pinned Deno.",
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { output: { type: "string" } },
  });
  const output = values.output ?? "dist/chat";
  const denort = Deno.env.get("DENORT_BIN");
  if (denort) {
    try {
      Deno.statSync(denort);
    } catch {
      console.error(`chat compile: DENORT_BIN=${denort} names no file`);
      Deno.exit(1);
    }
  }
  const result = await new Deno.Command(Deno.execPath(), {
    args: compileArgs(output),
    cwd: ROOT,
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
    stdout: "inherit",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(result.stderr);
  if (result.code === 0) {
    console.error(stderr.trimEnd());
    // The runtime must be denort: another Deno binary as the base builds a file that runs as
    // that Deno and ignores the program inside.
    const answer = await new Deno.Command(output, {
      args: ["version"],
      stdout: "piped",
      stderr: "piped",
    })
      .output().then(
        (o) => new TextDecoder().decode(o.stdout),
        (e) => String(e),
      );
    if (!answer.startsWith("webChat ")) {
      console.error(
        `chat compile: ${output} was built but does not run webChat (it answered ` +
          `${JSON.stringify(answer.split("\n")[0])}): DENORT_BIN must name denort, the ` +
          "runtime for standalone binaries, not the deno command",
      );
      Deno.exit(1);
    }
    console.log(
      `built ${output} (${answer.trim()}): run it as \`${output} start\`; it needs ` +
        "neither Deno nor the sources",
    );
    Deno.exit(0);
  }
  console.error(
    isRuntimeDownloadFailure(stderr) ? downloadHelp(stderr) : stderr.trimEnd(),
  );
  Deno.exit(1);
}
