/**
 * `chat bench [--quick] [--only=…] [--out=DIR]`: the benchmark suite (tests/bench/suite.ts, the
 * same as `deno task bench`), run from a source checkout with the Deno that runs `chat`. The
 * single binary does not carry the benchmarks.
 *
 * @module
 */
import type { CommandInput } from "./command_line.ts";

const SUITE = new URL("../tests/bench/suite.ts", import.meta.url);

/** Runs the suite as a child process; answers its exit code. */
export async function benchCommand(input: CommandInput): Promise<number> {
  try {
    if (SUITE.protocol !== "file:") throw new Error("not a file");
    await Deno.stat(SUITE);
  } catch {
    console.error(
      "chat bench: the benchmarks are not part of this build; run ./chat bench (or deno task " +
        "bench) from a source checkout of webChat",
    );
    return 1;
  }
  const args = [SUITE.pathname];
  if (input.values.quick === true) args.push("--quick");
  for (const name of ["only", "out"] as const) {
    const value = input.values[name];
    if (typeof value === "string") args.push(`--${name}=${value}`);
  }
  const status = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--frozen", ...args],
    stdin: "null",
  }).spawn().status;
  return status.code;
}
