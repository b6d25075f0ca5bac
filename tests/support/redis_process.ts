/**
 * A `redis-server` of a test's own, as a child process on a port the test names, with the
 * persistence settings under test and its data in a temporary folder: fault tests kill and
 * restart it without touching the shared Redis.
 *
 * @module
 */
import { readLines } from "./read_lines.ts";

/** Persistence settings of a {@link RedisProcess}. */
export interface RedisProcessOptions {
  appendonly: "yes" | "no";
  appendfsync?: "always" | "everysec" | "no";
  /** RDB snapshot rules; "" (the default) = none. */
  save?: string;
  maxmemoryPolicy?: string;
  /** More arguments, e.g. `["--rename-command", "CONFIG", ""]` to act like a managed Redis. */
  extraArgs?: string[];
}

/** A running redis-server child. */
export interface RedisProcess {
  port: number;
  /** `redis://127.0.0.1:<port>/0`. */
  url: string;
  /** Its data folder (the append-only file and snapshots), kept across restarts. */
  dir: string;
  /** Everything it wrote, of every run. */
  output: string[];
  /** Kills it (SIGKILL by default) and waits for it to exit. */
  kill(signal?: Deno.Signal): Promise<void>;
  /** Starts it again on the same port and folder (after `kill`). */
  restart(): Promise<void>;
  /** Kills it if running and removes its folder. Idempotent. */
  cleanup(): Promise<void>;
}

/** Starts redis-server on 127.0.0.1:`port` and waits until it accepts connections. */
export async function startRedisProcess(
  port: number,
  options: RedisProcessOptions,
): Promise<RedisProcess> {
  const dir = await Deno.makeTempDir({ prefix: `webchat-redis-${port}-` });
  const output: string[] = [];
  let child: Deno.ChildProcess | undefined;
  let pumps: Promise<unknown> = Promise.resolve();

  const launch = async () => {
    const args = [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      options.save ?? "",
      "--appendonly",
      options.appendonly,
      "--appendfsync",
      options.appendfsync ?? "everysec",
      "--maxmemory-policy",
      options.maxmemoryPolicy ?? "noeviction",
      "--daemonize",
      "no",
      ...options.extraArgs ?? [],
    ];
    const started = new Deno.Command("redis-server", {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    child = started;
    const ready = Promise.withResolvers<void>();
    const onLine = (line: string) => {
      output.push(line);
      if (/Ready to accept connections/.test(line)) ready.resolve();
    };
    pumps = Promise.all([readLines(started.stdout, onLine), readLines(started.stderr, onLine)]);
    started.status.then((s) =>
      ready.reject(new Error(`redis-server exited (${s.code}): ${output.slice(-5).join("\n")}`))
    );
    const timer = setTimeout(() => ready.reject(new Error("redis-server did not start")), 10_000);
    try {
      await ready.promise;
    } finally {
      clearTimeout(timer);
    }
  };

  const kill = async (signal: Deno.Signal = "SIGKILL") => {
    const running = child;
    if (!running) return;
    child = undefined;
    try {
      running.kill(signal);
    } catch {
      // already exited
    }
    await running.status;
    await pumps;
  };

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    dir,
    output,
    kill,
    async restart() {
      if (child) throw new Error("redis-server is still running");
      await launch();
    },
    async cleanup() {
      await kill();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
