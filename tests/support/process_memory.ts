/**
 * Resident memory of another process, from `/proc/<pid>/status` (Linux), sampled while a test
 * runs, to show a server's memory stays flat under a large upload or download.
 *
 * @module
 */

/** The process's resident set size in bytes (VmRSS). */
export async function rssBytes(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** Samples a process's RSS every `everyMs` until stopped; the peak and the samples. */
export function sampleRss(pid: number, everyMs = 20) {
  const samples: number[] = [];
  let stopped = false;
  const running = (async () => {
    while (!stopped) {
      samples.push(await rssBytes(pid));
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop(): Promise<{ peak: number; samples: number }> {
      stopped = true;
      await running;
      return { peak: Math.max(...samples), samples: samples.length };
    },
  };
}
