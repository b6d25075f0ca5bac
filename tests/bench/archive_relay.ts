/**
 * The archive phase: queue/archive_bench.ts (worker path vs plain multi-row INSERT) as a
 * subprocess once the chat server has stopped, its output relayed line by line.
 *
 * @module
 */
import { readLines } from "../support/read_lines.ts";
import { aborted } from "./bounded_waits.ts";
import { TEST_REDIS_URL } from "../support/stores.ts";

const root = new URL("../../", import.meta.url).pathname;

/** What archive_bench.ts reported. */
export interface ArchiveResult {
  /** Rows per second through the worker path. */
  worker: number | null;
  /** Rows per second with a plain multi-row INSERT. */
  plain: number | null;
  ratio: number | null;
  ok: boolean;
  detail: string;
}

/**
 * Runs queue/archive_bench.ts with a backlog of `rows` (it is a top-level script with its own
 * cleanup); hands its figures to `report` and then throws if it failed.
 */
export async function archivePhase(
  rows: number,
  report: (result: ArchiveResult) => void,
): Promise<void> {
  const path = root + "queue/archive_bench.ts";
  console.log(`archive: deno run -A --frozen queue/archive_bench.ts ${rows}`);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--frozen", path, String(rows)],
    cwd: root,
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1", CHAT_TEST_REDIS: TEST_REDIS_URL },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const onLine = (line: string) => {
    lines.push(line);
    console.log(`  archive_bench | ${line}`);
  };
  const relays = Promise.all([readLines(child.stdout, onLine), readLines(child.stderr, onLine)]);
  const kill = (signal: Deno.Signal) => {
    try {
      child.kill(signal);
    } catch { /* exited */ }
  };
  // SIGINT lets its `finally` clean up; SIGKILL only if it does not end after that.
  const timer = setTimeout(() => kill("SIGINT"), 600_000);
  const onAbort = () => kill("SIGINT");
  aborted.signal.addEventListener("abort", onAbort);
  const hardTimer = setTimeout(() => kill("SIGKILL"), 660_000);
  const status = await child.status;
  clearTimeout(timer);
  clearTimeout(hardTimer);
  aborted.signal.removeEventListener("abort", onAbort);
  await relays;
  const text = lines.join("\n");
  const worker = Number(/worker path: (\d+) rows\/s/.exec(text)?.[1] ?? NaN);
  const plain = Number(/plain INSERT: (\d+) rows\/s/.exec(text)?.[1] ?? NaN);
  const ok = status.success && Number.isFinite(worker) && Number.isFinite(plain) && plain > 0;
  report({
    worker: Number.isFinite(worker) ? worker : null,
    plain: Number.isFinite(plain) ? plain : null,
    ratio: ok ? worker / plain : null,
    ok,
    detail: ok ? "" : `archive_bench exited ${status.code}`,
  });
  if (!ok) throw new Error(`archive_bench.ts failed (exit ${status.code})`);
}
