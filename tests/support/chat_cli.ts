/**
 * Runs the `chat` command line (`main.ts`) as an operator would, in a child process.
 *
 * @module
 */

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** What one `chat …` run answered. */
export interface ChatRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `chat ...args` with `env` added to the environment; `stdin` is written and closed. */
export async function runChat(
  args: string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<ChatRun> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1", ...env },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  return {
    code,
    out: new TextDecoder().decode(stdout),
    err: new TextDecoder().decode(stderr),
  };
}
