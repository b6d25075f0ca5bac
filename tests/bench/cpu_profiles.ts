/**
 * `--profile`: the server runs with V8's CPU profiler; this records each phase's window on the
 * profiler's clock and, after the server exited, prints where its threads spent time in each.
 *
 * @module
 */

const root = new URL("../../", import.meta.url).pathname;

/** A phase's span on the profiler's clock (µs); `to` is Infinity until it ends. */
export interface ProfileWindow {
  name: string;
  from: number;
  to: number;
}

/** Where the profiles go and the phases marked so far; without a dir, marks do nothing. */
export class ProfileRecorder {
  /** The phases marked so far. */
  readonly windows: ProfileWindow[] = [];

  /** `dir`: where the server writes its .cpuprofile files; null when not profiling. */
  constructor(readonly dir: string | null) {}

  /** Records a phase boundary on the profiler's clock (CLOCK_MONOTONIC ≈ /proc/uptime, in µs). */
  mark(name: string, edge: "start" | "end"): void {
    if (!this.dir) return;
    const uptime = Number(Deno.readTextFileSync("/proc/uptime").split(" ")[0]) * 1e6;
    if (edge === "start") this.windows.push({ name, from: uptime, to: Infinity });
    else {
      const window = this.windows.findLast((w) => w.name === name);
      if (window) window.to = uptime;
    }
  }
}

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Self time by function (and by module) of every profiled thread, per phase window. */
export async function reportProfiles(dir: string, windows: ProfileWindow[]): Promise<void> {
  const files = [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".cpuprofile"));
  if (files.length === 0) {
    console.log("profile: the server wrote no profile (it did not exit normally?)");
    return;
  }
  for (const file of files) {
    const profile = JSON.parse(await Deno.readTextFile(`${dir}/${file.name}`)) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    const urls = new Set(profile.nodes.map((n) => n.callFrame.url));
    const thread = [...urls].some((u) => u.endsWith("/queue/worker.ts"))
      ? "archive worker thread"
      : "main thread";
    for (const window of windows) {
      const self = new Map<string, number>();
      const modules = new Map<string, number>();
      let t = profile.startTime, total = 0, idle = 0;
      for (let i = 0; i < profile.samples.length; i++) {
        t += profile.timeDeltas[i];
        if (t < window.from || t > window.to) continue;
        const dt = profile.timeDeltas[i + 1] ?? 0;
        const frame = byId.get(profile.samples[i])!;
        total += dt;
        if (frame.functionName === "(idle)") {
          idle += dt;
          continue;
        }
        const module = frame.url ? shortUrl(frame.url) : frame.functionName;
        const key = `${frame.functionName || "(anonymous)"} ${module}` +
          (frame.url ? `:${frame.lineNumber + 1}` : "");
        self.set(key, (self.get(key) ?? 0) + dt);
        modules.set(module, (modules.get(module) ?? 0) + dt);
      }
      if (total === 0) continue;
      const busy = total - idle;
      console.log(
        `profile ${window.name}, server ${thread}: ${(total / 1e6).toFixed(1)} s sampled, ` +
          `busy ${(100 * busy / total).toFixed(0)}%; top self time:`,
      );
      const top = (map: Map<string, number>, n: number) =>
        [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
      for (const [key, us] of top(self, 18)) {
        console.log(`  ${(100 * us / busy).toFixed(1).padStart(5)}%  ${key}`);
      }
      console.log("  by module:");
      for (const [key, us] of top(modules, 10)) {
        console.log(`  ${(100 * us / busy).toFixed(1).padStart(5)}%  ${key}`);
      }
    }
  }
}

function shortUrl(url: string): string {
  const npm = /\/npm\/registry\.npmjs\.org\/(.+)$/.exec(url);
  if (npm) return "npm:" + npm[1];
  return url.replace("file://" + root, "").replace(/^ext:/, "ext:");
}
