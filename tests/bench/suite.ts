/**
 * The benchmark suite: every scenario as its own script in its own process (each starts its
 * servers itself, on 127.0.0.1, and drives them with its own load clients, bounded in count and
 * time), its `BENCH_RESULT` lines collected into `bench/results/<date>.json` and a Markdown
 * report beside it with SVG charts (latency against rate, memory against connections), the
 * machine, the versions and the settings. Each figure is printed beside the baseline the
 * scenario measured in the same run, and against its target.
 *
 *   deno task bench [--quick] [--only=connections,logins,one-to-one,groups,uploads,listener]
 *                   [--out=bench/results]
 *
 * `--quick` runs every scenario small (a few minutes in all); the full run takes about an hour.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { readLines } from "../support/read_lines.ts";
import { parseResults } from "./bench_report.ts";
import { lineChart } from "./svg_chart.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    out: { type: "string", default: "bench/results" },
  },
});
const quick = values.quick!;
const here = new URL(".", import.meta.url).pathname;
const root = new URL("../../", import.meta.url).pathname;

/** One run of one script. */
interface Run {
  scenario: string;
  script: string;
  args: string[];
  /** Killed after this long (a scenario that hangs must not hold the suite). */
  timeoutSeconds: number;
}

const RUNS: Run[] = [
  {
    scenario: "connections",
    script: "connections_bench.ts",
    args: quick
      ? ["--counts=500,1000", "--idle-seconds=3", "--settle-seconds=60"]
      : ["--counts=1000,5000,10000,18000", "--settle-seconds=180"],
    timeoutSeconds: quick ? 400 : 2400,
  },
  {
    scenario: "logins",
    script: "login_bench.ts",
    args: quick ? ["--logins=200", "--settle-seconds=5"] : ["--logins=1000", "--parallel=50"],
    timeoutSeconds: quick ? 300 : 900,
  },
  ...(quick ? [1000] : [500, 2000, 5000]).map((rate, i) => ({
    scenario: "one-to-one",
    script: "chat_bench.ts",
    args: [
      ...(quick
        ? [
          "--pairs=200",
          "--messages=10",
          "--latency-pairs=100",
          "--seconds=5",
          "--archive-rows=10000",
        ]
        : ["--archive-rows=100000"]),
      `--rate=${rate}`,
      "--trace-gc=false",
      // The archive phase once: it does not depend on the rate.
      ...(i === 0 ? [] : ["--skip-archive"]),
    ],
    timeoutSeconds: quick ? 600 : 1800,
  })),
  {
    scenario: "groups",
    script: "group_bench.ts",
    args: quick ? ["--sizes=50,200", "--deliveries=20000"] : [],
    timeoutSeconds: quick ? 600 : 1800,
  },
  {
    scenario: "uploads",
    script: "upload_bench.ts",
    args: quick ? ["--mib=50", "--rounds=1"] : ["--mib=200", "--rounds=3"],
    timeoutSeconds: quick ? 300 : 900,
  },
  {
    scenario: "listener",
    script: "listener_bench.ts",
    args: quick ? ["--sockets=500", "--rounds=1", "--requests=500"] : [],
    timeoutSeconds: quick ? 300 : 900,
  },
];

const only = values.only?.split(",").map((s) => s.trim());
const runs = RUNS.filter((r) => !only || only.includes(r.scenario));
const started = new Date();
const stamp = started.toISOString().replace(/[:]/g, "-").replace(/\.\d+Z$/, "Z");
const outDir = values.out!.startsWith("/") ? values.out! : root + values.out;
await Deno.mkdir(outDir, { recursive: true });
const outBase = `${outDir}/${stamp}`;

interface RunResult extends Run {
  seconds: number;
  exitCode: number | null;
  results: { scenario: string; data: unknown }[];
  tail: string[];
}

const done: RunResult[] = [];
for (const run of runs) {
  console.log(`== ${run.scenario}: ${run.script} ${run.args.join(" ")}`);
  const began = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--frozen", here + run.script, ...run.args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const lines: string[] = [];
  const onLine = (line: string) => {
    if (lines.push(line) > 20_000) lines.splice(0, 10_000);
    if (!line.startsWith("server:") && !line.startsWith("BENCH_RESULT")) console.log(`  ${line}`);
  };
  const pumps = Promise.all([readLines(child.stdout, onLine), readLines(child.stderr, onLine)]);
  const timer = setTimeout(() => {
    console.log(`  (${run.scenario}: over ${run.timeoutSeconds} s, stopped)`);
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, run.timeoutSeconds * 1000);
  const status = await child.status;
  clearTimeout(timer);
  await pumps.catch(() => {});
  done.push({
    ...run,
    seconds: (performance.now() - began) / 1000,
    exitCode: status.signal ? null : status.code,
    results: parseResults(lines),
    tail: lines.filter((l) => !l.startsWith("server:")).slice(-15),
  });
}

const report = {
  date: started.toISOString(),
  quick,
  machine: await machine(),
  versions: {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    commit: await git(["rev-parse", "HEAD"]),
  },
  runs: done,
};
await Deno.writeTextFile(`${outBase}.json`, JSON.stringify(report, null, 2) + "\n");
const markdown = renderMarkdown(report, stamp);
await Deno.writeTextFile(`${outBase}.md`, markdown);
console.log(`\nwrote ${values.out}/${stamp}.json and .md`);
console.log(markdown);

async function machine() {
  const text = (path: string) => Deno.readTextFile(path).catch(() => "");
  const cpuinfo = await text("/proc/cpuinfo");
  const meminfo = await text("/proc/meminfo");
  return {
    cpus: navigator.hardwareConcurrency,
    cpuModel: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1] ?? "unknown",
    memTotalKiB: Number(/MemTotal:\s+(\d+)/.exec(meminfo)?.[1] ?? 0),
    kernel: (await text("/proc/sys/kernel/osrelease")).trim(),
    loadAverageAtStart: Deno.loadavg(),
  };
}

async function git(args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command("git", { args, cwd: root, stdout: "piped", stderr: "null" })
      .output();
    return new TextDecoder().decode(out.stdout).trim();
  } catch {
    return "unknown";
  }
}

// deno-lint-ignore no-explicit-any
type Any = any;

function renderMarkdown(r: typeof report, stamp: string): string {
  const lines: string[] = [
    `# webChat benchmarks, ${r.date}${r.quick ? " (quick)" : ""}`,
    "",
    `Machine: ${r.machine.cpus} cores (${r.machine.cpuModel}), ` +
    `${
      (r.machine.memTotalKiB / 1048576).toFixed(1)
    } GiB, Linux ${r.machine.kernel}, load average ` +
    `at start ${r.machine.loadAverageAtStart.map((l) => l.toFixed(1)).join(" ")}. Deno ` +
    `${r.versions.deno}, commit ${
      r.versions.commit.slice(0, 10)
    }. Every baseline was measured in ` +
    `the same run, on the same machine.`,
    "",
    "| scenario | measure | webChat | baseline (same run) | ratio | target |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  const row = (...cells: string[]) => lines.push(`| ${cells.join(" | ")} |`);
  const fmt = (n: number | null | undefined, digits = 0) =>
    n === null || n === undefined || !isFinite(n) ? "—" : n.toLocaleString("en-US", {
      maximumFractionDigits: digits,
      minimumFractionDigits: digits,
    });
  const verdict = (ok: boolean | null) => ok === null ? "n/a" : ok ? "met" : "**missed**";
  const charts: string[] = [];
  const of = (scenario: string) => r.runs.filter((x) => x.scenario === scenario);
  const data = (scenario: string): Any[] =>
    of(scenario).flatMap((x) =>
      x.results.filter((y) => y.scenario === scenario).map((y) => y.data)
    );

  for (const held of (data("connections")[0] ?? []) as Any[]) {
    const ratio = held.webchat.kibPerConnection / held.bare.kibPerConnection;
    row(
      "connections",
      `${fmt(held.webchat.count)} sessions: RSS per connection`,
      `${fmt(held.webchat.kibPerConnection, 1)} KiB`,
      `${fmt(held.bare.kibPerConnection, 1)} KiB (bare Deno.serve)`,
      `${fmt(ratio, 2)}×`,
      `≤ 1.3×: ${verdict(ratio <= 1.3)}`,
    );
    row(
      "connections",
      `${fmt(held.webchat.count)} sessions: all logged in (init)`,
      held.webchat.settledSec === null
        ? `${held.webchat.failed} not in time`
        : `${fmt(held.webchat.settledSec, 1)} s`,
      held.bare.settledSec === null ? "not in time" : `${fmt(held.bare.settledSec, 1)} s`,
      "",
      held.webchat.count === 18000 ? `held: ${verdict(held.webchat.settledSec !== null)}` : "",
    );
    row(
      "connections",
      `${fmt(held.webchat.count)} sessions: idle server CPU`,
      `${fmt(held.webchat.idleCpuPercent, 1)}%`,
      `${fmt(held.bare.idleCpuPercent, 1)}%`,
      "",
      "",
    );
  }
  const connections = (data("connections")[0] ?? []) as Any[];
  if (connections.length > 0) {
    charts.push(`${stamp}-memory.svg`);
    Deno.writeTextFileSync(
      `${outBase}-memory.svg`,
      lineChart("Resident memory per connection", "connections held", "KiB per connection", [
        {
          name: "webChat",
          points: connections.map((h) => [h.webchat.count, h.webchat.kibPerConnection]),
        },
        {
          name: "bare Deno.serve",
          points: connections.map((h) => [h.bare.count, h.bare.kibPerConnection]),
        },
      ]),
    );
  }
  for (const l of data("logins") as Any[]) {
    row(
      "logins",
      `${fmt(l.logins)} POST /api/login, ${l.parallel} in parallel`,
      `${fmt(l.seconds, 1)} s`,
      `${fmt(l.healthzSeconds, 2)} s (as many GET /healthz)`,
      "",
      l.logins >= 1000 ? `1,000 in < 10 s: ${verdict(l.seconds < 10)}` : "(target: for 1,000)",
    );
    row(
      "logins",
      "server RSS: peak / settled",
      `${fmt(l.peakKiB / 1024)} / ${fmt(l.settledKiB / 1024)} MiB`,
      `${fmt(l.startKiB / 1024)} MiB before`,
      "",
      l.logins >= 1000
        ? `settled < 250 MiB: ${verdict(l.settledKiB / 1024 < 250)}`
        : "(target: for 1,000)",
    );
  }
  const oneToOne = data("one-to-one") as Any[];
  const latency: [number, number, number][] = [];
  for (const run of oneToOne) {
    const w = run.results.webchat, b = run.results.relay, rate = run.options.rate;
    if (w.burst && run === oneToOne[0]) {
      const ratio = b.burst ? w.burst.rate / b.burst.rate : NaN;
      row(
        "one-to-one",
        `${fmt(run.options.pairs)} pairs flat out: delivered/s`,
        fmt(w.burst.rate),
        b.burst ? `${fmt(b.burst.rate)} (bare relay)` : "—",
        `${fmt(ratio, 2)}×`,
        `≥ 0.5×: ${verdict(isFinite(ratio) ? ratio >= 0.5 : null)}`,
      );
    }
    if (w.paced) {
      latency.push([rate, w.paced.p99, b.paced?.p99 ?? NaN]);
      const target = rate >= 5000 ? 50 : rate >= 2000 ? 20 : null;
      row(
        "one-to-one",
        `paced ${fmt(rate)} msg/s: p50 / p99 / max`,
        `${fmt(w.paced.p50, 1)} / ${fmt(w.paced.p99, 1)} / ${fmt(w.paced.max, 0)} ms`,
        b.paced ? `${fmt(b.paced.p50, 1)} / ${fmt(b.paced.p99, 1)} ms (relay)` : "—",
        "",
        target ? `p99 < ${target} ms: ${verdict(w.paced.p99 < target)}` : "",
      );
    }
    const a = run.results.archive;
    if (a) {
      row(
        "archive",
        `backlog of ${fmt(run.options.archiveRows)}: rows/s`,
        fmt(a.worker),
        `${fmt(a.plain)} (plain multi-row INSERT)`,
        `${fmt(a.ratio, 2)}×`,
        `≥ 0.7×: ${verdict(a.ratio === null ? null : a.ratio >= 0.7)}`,
      );
    }
  }
  if (latency.length > 0) {
    charts.push(`${stamp}-latency.svg`);
    Deno.writeTextFileSync(
      `${outBase}-latency.svg`,
      lineChart("Send → receive p99 against rate", "messages per second", "p99 (ms)", [
        { name: "webChat", points: latency.map(([x, y]) => [x, y]) },
        { name: "bare relay", points: latency.map(([x, , y]) => [x, y]) },
      ]),
    );
  }
  for (const g of data("groups") as Any[]) {
    for (const w of g.webchat ?? []) {
      const b = (g.bare ?? []).find((s: Any) => s.size === w.size);
      const ratio = b ? w.rate / b.rate : NaN;
      row(
        "groups",
        `group of ${fmt(w.size)}: deliveries/s (p99)`,
        `${fmt(w.rate)} (${fmt(w.p99)} ms)`,
        b ? `${fmt(b.rate)} (${fmt(b.p99)} ms) bare broadcast` : "—",
        `${fmt(ratio, 2)}×`,
        `≥ 0.5×: ${verdict(isFinite(ratio) ? ratio >= 0.5 : null)}`,
      );
    }
  }
  for (const u of data("uploads") as Any[]) {
    row(
      "uploads",
      `${u.mib} MiB, ${u.parallel} chunks at a time (${u.backend}): MB/s, best`,
      fmt(Math.max(...u.webchatMBps)),
      `${fmt(Math.max(...u.rawMBps))} (raw streamed PUT)`,
      `${fmt(u.ratio, 2)}×`,
      `≥ 0.7×: ${verdict(u.ratio >= 0.7)}`,
    );
  }
  for (const l of data("listener") as Any[]) {
    for (const m of l) {
      row(
        "listener",
        m.label,
        `${fmt(m.webchatListener, 1)} ${m.unit}`,
        `${fmt(m.denoServe, 1)} ${m.unit} (Deno.serve)`,
        `${fmt(m.webchatListener / m.denoServe, 2)}×`,
        "",
      );
    }
  }
  lines.push(
    "",
    "Not measured by this suite yet: the reconnect storm, history and search at 1M and " +
      "10M archived messages, the embedded backend beside production for one-to-one.",
    "",
  );
  for (const chart of charts) lines.push(`![${chart}](${chart})`, "");
  lines.push("## Runs", "");
  for (const run of r.runs) {
    const state = run.exitCode === null ? "stopped at its time limit" : `exit ${run.exitCode}`;
    lines.push(
      `- ${run.scenario}: \`${run.script} ${run.args.join(" ")}\`, ${
        fmt(run.seconds)
      } s, ${state}` +
        (run.results.length === 0 ? " — no result (its last lines are in the JSON)" : ""),
    );
  }
  return lines.join("\n") + "\n";
}
