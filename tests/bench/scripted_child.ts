/**
 * A Deno script of the benchmarks as a child process the parent talks to: lines of its output
 * awaited by pattern, commands written to its standard input (the bench server's `memory` and
 * `snapshot`), started with `--expose-gc` so that memory is read after a full collection.
 *
 * @module
 */
import { readLines } from "../support/read_lines.ts";

/** A running child. */
export interface ScriptedChild {
  child: Deno.ChildProcess;
  /** The match of `ready` in its output (e.g. its URL). */
  first: RegExpExecArray;
  /** The next line matching `match`. */
  line(match: RegExp): Promise<RegExpExecArray>;
  /** Writes `text` and a line break to its standard input, then waits for `answer`. */
  command(text: string, answer: RegExp): Promise<RegExpExecArray>;
  /** Closes its standard input (the bench server then stops in order) and waits for it. */
  stop(): Promise<void>;
}

/** Runs `deno run -A --frozen --v8-flags=--expose-gc <args>`; resolves once `ready` is seen. */
export async function startScript(args: string[], ready: RegExp): Promise<ScriptedChild> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--frozen", "--v8-flags=--expose-gc", ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stdin = child.stdin.getWriter();
  const waiting: { match: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  const onLine = (line: string) => {
    for (const w of [...waiting]) {
      const m = w.match.exec(line);
      if (m) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  readLines(child.stdout, onLine);
  readLines(child.stderr, onLine);
  const line = (match: RegExp) =>
    new Promise<RegExpExecArray>((resolve) => waiting.push({ match, resolve }));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const first = await Promise.race([
    line(ready),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${args[0]} did not start`)), 60_000);
    }),
  ]).finally(() => clearTimeout(timer));
  return {
    child,
    first,
    line,
    async command(text, answer) {
      const answered = line(answer);
      await stdin.write(new TextEncoder().encode(text + "\n"));
      return await answered;
    },
    async stop() {
      await stdin.close().catch(() => {});
      await child.status;
    },
  };
}
