/**
 * The benchmark's command line: `--name=value` / `--name value` / `--flag`, typed by the
 * defaults, resolved once into {@linkcode BenchOptions}.
 *
 * @module
 */

const DEFAULTS = {
  pairs: 1000,
  messages: 20,
  window: 8,
  rate: 2000,
  "latency-pairs": 200,
  seconds: 10,
  "archive-rows": 50_000,
  "login-concurrency": 16,
  "connect-concurrency": 50,
  "skip-baseline": false,
  "skip-archive": false,
  profile: false,
  "trace-gc": true,
};

/** The resolved options: every field filled and bounded. */
export interface BenchOptions {
  /** Sender/receiver pairs, each with its own two sockets. */
  pairs: number;
  /** Messages each sender sends in the throughput phase. */
  messages: number;
  /** Unacknowledged frames per sender; at most 900 (the server closes at 1000 in flight). */
  window: number;
  /** Messages per second, in total, in the paced latency phase. */
  rate: number;
  /** Pairs sending in the paced phase; at most `pairs`. */
  latencyPairs: number;
  /** Length of the paced phase's schedule. */
  seconds: number;
  /** Backlog handed to queue/archive_bench.ts. */
  archiveRows: number;
  loginConcurrency: number;
  connectConcurrency: number;
  skipBaseline: boolean;
  skipArchive: boolean;
  profile: boolean;
  traceGc: boolean;
}

/**
 * Parses `args` (Deno.args); an unknown name or a number that is not positive prints the
 * problem and exits with code 2.
 */
export function readBenchOptions(args: string[]): BenchOptions {
  const o = parseOptions(args, DEFAULTS);
  return {
    pairs: o.pairs,
    messages: o.messages,
    window: Math.min(o.window, 900), // the server closes at 1000 in flight
    rate: o.rate,
    latencyPairs: Math.min(o["latency-pairs"], o.pairs),
    seconds: o.seconds,
    archiveRows: o["archive-rows"],
    loginConcurrency: o["login-concurrency"],
    connectConcurrency: o["connect-concurrency"],
    skipBaseline: o["skip-baseline"],
    skipArchive: o["skip-archive"],
    profile: o.profile,
    traceGc: o["trace-gc"],
  };
}

/** `--name=value` / `--name value` / `--flag`, typed by the defaults; unknown names fail. */
function parseOptions<T extends Record<string, number | boolean>>(args: string[], defaults: T): T {
  const result = { ...defaults } as Record<string, number | boolean>;
  for (let i = 0; i < args.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]);
    if (!match || !(match[1] in defaults)) {
      console.error(`unknown argument ${args[i]}; options: ${Object.keys(defaults).join(", ")}`);
      Deno.exit(2);
    }
    const [, name, inline] = match;
    if (typeof defaults[name] === "boolean") {
      result[name] = inline === undefined ? true : inline !== "false";
    } else {
      const value = Number(inline ?? args[++i]);
      if (!Number.isFinite(value) || value <= 0) {
        console.error(`--${name} needs a positive number`);
        Deno.exit(2);
      }
      result[name] = value;
    }
  }
  return result as T;
}
