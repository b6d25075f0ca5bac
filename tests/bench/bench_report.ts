/**
 * The machine-readable side of every benchmark script: one `BENCH_RESULT <json>` line per
 * result, which `suite.ts` collects into `bench/results/<date>.json` and its report. The human
 * output of each script stays as it is.
 *
 * @module
 */

/** The prefix `suite.ts` looks for. */
export const RESULT_PREFIX = "BENCH_RESULT ";

/** Prints one result of `scenario` (any JSON-able data). */
export function emitResult(scenario: string, data: unknown): void {
  console.log(RESULT_PREFIX + JSON.stringify({ scenario, data }));
}

/** The results of one script's output, by scenario. */
export function parseResults(lines: string[]): { scenario: string; data: unknown }[] {
  const found: { scenario: string; data: unknown }[] = [];
  for (const line of lines) {
    const at = line.indexOf(RESULT_PREFIX);
    if (at < 0) continue;
    try {
      found.push(JSON.parse(line.slice(at + RESULT_PREFIX.length)));
    } catch {
      // a torn line: the scenario is reported missing
    }
  }
  return found;
}

/** VmRSS and VmHWM of a process, in KiB (0 when it is gone). */
export function processMemory(pid: number): { rssKiB: number; peakKiB: number } {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const field = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    return { rssKiB: field("VmRSS"), peakKiB: field("VmHWM") };
  } catch {
    return { rssKiB: 0, peakKiB: 0 };
  }
}

/** CPU seconds (user + system) a process has used so far. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
