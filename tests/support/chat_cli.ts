/**
 * The `chat` command line as an operator runs it: `main.ts` in a child process, with the given
 * environment and, optionally, a line on standard input.
 *
 * @module
 */

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** What one `chat` run printed and how it exited. */
export interface ChatRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `chat <args>` to its end. */
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
