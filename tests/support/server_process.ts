/**
 * The real `chat start` command as a child process, for tests that kill it.
 *
 * @module
 */
import { readLines } from "./read_lines.ts";

/** A server child process. */
export interface ServerProcess {
  url: string;
  child: Deno.ChildProcess;
  /** Everything the process wrote (stdout and stderr). */
  output: string[];
  kill(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Runs `main.ts start` with the given flags/env and waits for its "listening" line. */
export async function spawnServer(
  args: string[],
  env: Record<string, string> = {},
  options: { timeoutMs?: number; fdLimit?: number } = {},
): Promise<ServerProcess> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const main = new URL("../../main.ts", import.meta.url).pathname;
  const denoArgs = ["run", "-A", main, "start", ...args];
  // A lower descriptor limit goes through the shell's ulimit, then exec's Deno itself.
  const [program, programArgs] = options.fdLimit
    ? ["bash", [
      "-c",
      `ulimit -n ${options.fdLimit} && exec "$0" "$@"`,
      Deno.execPath(),
      ...denoArgs,
    ]]
    : [Deno.execPath(), denoArgs];
  const child = new Deno.Command(program, {
    args: programArgs,
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output: string[] = [];
  const listening = Promise.withResolvers<string>();
  const onLine = (line: string) => {
    output.push(line);
    const match = /webChat listening on (\S+)/.exec(line);
    if (match) listening.resolve(match[1]);
  };
  const pumps = Promise.all([readLines(child.stdout, onLine), readLines(child.stderr, onLine)]);
  child.status.then((s) =>
    listening.reject(new Error(`server exited (${s.code}): ${output.join("\n")}`))
  );
  const timer = setTimeout(() => listening.reject(new Error("server did not start")), timeoutMs);
  try {
    const url = await listening.promise;
    return {
      url,
      child,
      output,
      async kill(signal: Deno.Signal = "SIGTERM") {
        try {
          child.kill(signal);
        } catch {
          // already exited
        }
        const status = await child.status;
        await pumps;
        return status;
      },
    };
  } catch (error) {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await child.status;
    await pumps;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
