/**
 * Benchmark (a script, not a test) of uploads: a file of `--mib` MiB (200) uploaded to webChat
 * (`chat start`, in its own process, embedded backend or `--backend=production` on the local
 * Redis and MariaDB) in 1 MiB chunks, `--parallel` (4) at a time, start to `complete` (which
 * assembles the chunks and checks the md5), beside the baseline in the same run: one raw
 * streamed PUT of the same bytes to a bare `Deno.serve` that writes the body to a file on the
 * same disk (raw_put_server.ts). Rounds alternate the order; the best round of each is
 * compared (least disturbed by other work on a shared machine), the median shown too.
 *
 *   deno run -A --frozen tests/bench/upload_bench.ts [--mib=200] [--parallel=4] [--rounds=3]
 *                                                     [--backend=embedded|production]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { hashPassword } from "../../store/password.ts";
import { openSqliteDb } from "../../store/sqlite_db.ts";
import { MysqlUserStore } from "../../store/users_mysql.ts";
import { SqliteUserStore } from "../../store/users_sqlite.ts";
import { loginOver } from "../support/chat_session.ts";
import { plainUser } from "../support/fixtures.ts";
import { readLines } from "../support/read_lines.ts";
import { spawnServer } from "../support/server_process.ts";
import { openTestStores, TEST_REDIS_URL } from "../support/stores.ts";
import { fetchAt, md5Hex, testBytes, UploadClient } from "../support/upload_client.ts";
import { emitResult } from "./bench_report.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    mib: { type: "string", default: "200" },
    parallel: { type: "string", default: "4" },
    rounds: { type: "string", default: "3" },
    backend: { type: "string", default: "embedded" },
  },
});
const MiB = 1024 * 1024;
const SIZE = Number(values.mib) * MiB;
const PARALLEL = Number(values.parallel);
const ROUNDS = Number(values.rounds);
const production = values.backend === "production";

const dataDir = await Deno.makeTempDir({ prefix: "webchat-upload-bench-" });
const stores = production ? await openTestStores() : null;
const args = ["--port", "0", "--data", dataDir];
if (stores) args.push("--redis", TEST_REDIS_URL, "--mysql", stores.mysqlUrl);
const env: Record<string, string> = {
  CHAT_FILES_MAX_BYTES: String(SIZE),
  ...(stores ? { CHAT_REDIS_PREFIX: stores.prefix } : {}),
};
const hash = await hashPassword("pw-bench");
if (stores) {
  const users = new MysqlUserStore(stores.pool);
  await users.ensureSchema();
  await users.add(plainUser("bench"), hash);
} else {
  const db = openSqliteDb(dataDir);
  await new SqliteUserStore(db.db).add(plainUser("bench"), hash);
  db.close();
}

const webchat = await spawnServer(args, env);
const raw = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", new URL("./raw_put_server.ts", import.meta.url).pathname, dataDir],
  env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
  stdin: "piped",
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const rawPort = Promise.withResolvers<number>();
const rawLines = readLines(raw.stdout, (line) => {
  const match = /raw put listening on (\d+)/.exec(line);
  if (match) rawPort.resolve(Number(match[1]));
});
const rawUrl = `http://127.0.0.1:${await rawPort.promise}`;

const token = await loginOver(webchat.url, "bench", "pw-bench");
const client = new UploadClient(fetchAt(webchat.url), token);

/** CPU seconds (user + system, every thread) a process has used, from /proc (100 ticks/s). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Seconds for one upload of `bytes` to webChat (start → chunks → complete). */
async function webchatRound(bytes: Uint8Array, round: number): Promise<number> {
  const md5 = md5Hex(bytes); // the client's work, done before the clock starts
  const began = performance.now();
  const started = await client.start({ name: `bench-${round}.bin`, size: bytes.length, md5 });
  const { uploadId, chunkSize } = started.body!;
  await client.sendChunks(uploadId, chunkSize, bytes, [], {
    parallel: PARALLEL,
    order: Array.from({ length: Math.ceil(bytes.length / chunkSize) }, (_, i) => i),
  });
  const sent = performance.now();
  const done = await client.complete(uploadId);
  phases.push({ chunks: (sent - began) / 1000, complete: (performance.now() - sent) / 1000 });
  if (done.status !== 200) throw new Error(`complete: ${JSON.stringify(done.body)}`);
  return (performance.now() - began) / 1000;
}

/** Seconds for one raw streamed PUT of `bytes`. */
async function rawRound(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const began = performance.now();
  const response = await fetch(`${rawUrl}/put`, { method: "PUT", body: bytes });
  const { size } = await response.json();
  if (size !== bytes.length) throw new Error(`raw put stored ${size} bytes`);
  return (performance.now() - began) / 1000;
}

const phases: { chunks: number; complete: number }[] = [];
const rates = { webchat: [] as number[], raw: [] as number[] };
/** Server CPU seconds per 100 MiB uploaded. */
const cpu = { webchat: [] as number[], raw: [] as number[] };
const mbps = (seconds: number) => SIZE / 1e6 / seconds;
try {
  // One small round each first: code paths compiled, files and connections open.
  await webchatRound(testBytes(8 * MiB, 99), -1);
  await rawRound(testBytes(8 * MiB, 99));
  for (let round = 0; round < ROUNDS; round++) {
    // Different bytes each round: no instant re-send.
    const bytes = testBytes(SIZE, round + 1);
    const order = round % 2 === 0 ? ["webchat", "raw"] as const : ["raw", "webchat"] as const;
    for (const which of order) {
      const pid = which === "webchat" ? webchat.child.pid : raw.pid;
      const cpuBefore = await cpuSeconds(pid);
      const seconds = which === "webchat"
        ? await webchatRound(bytes, round)
        : await rawRound(bytes);
      cpu[which].push(((await cpuSeconds(pid)) - cpuBefore) * (100 * MiB) / SIZE);
      rates[which].push(mbps(seconds));
    }
    const { chunks, complete } = phases.at(-1)!;
    console.log(
      `round ${round + 1}: webChat ${rates.webchat.at(-1)!.toFixed(0)} MB/s ` +
        `(chunks ${chunks.toFixed(2)} s, complete ${complete.toFixed(2)} s), ` +
        `raw PUT ${rates.raw.at(-1)!.toFixed(0)} MB/s; server CPU per 100 MiB: webChat ` +
        `${cpu.webchat.at(-1)!.toFixed(2)} s, raw ${cpu.raw.at(-1)!.toFixed(2)} s`,
    );
  }
} finally {
  await webchat.kill();
  raw.stdin.close();
  await raw.status;
  await rawLines;
  await stores?.cleanup();
  await Deno.remove(dataDir, { recursive: true });
}

const best = (list: number[]) => Math.max(...list);
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const ratio = best(rates.webchat) / best(rates.raw);
// The two measured moments apart within a round: the same machine load for both.
const roundRatios = rates.webchat.map((rate, i) => rate / rates.raw[i]);
console.log(
  `\n${values.mib} MiB, ${PARALLEL} chunks of 1 MiB at a time, ${values.backend} backend ` +
    `(the machine may be shared with other work: compare within this run)\n` +
    `webChat upload (start, chunks, complete with md5): best ${best(rates.webchat).toFixed(0)} ` +
    `MB/s, median ${median(rates.webchat).toFixed(0)} MB/s\n` +
    `raw streamed PUT to disk (Deno.serve → file):     best ${best(rates.raw).toFixed(0)} ` +
    `MB/s, median ${median(rates.raw).toFixed(0)} MB/s\n` +
    `webChat / raw: ${(ratio * 100).toFixed(0)}% best against best; per round ` +
    `${roundRatios.map((r) => `${(r * 100).toFixed(0)}%`).join(", ")}, median ` +
    `${(median(roundRatios) * 100).toFixed(0)}% (target: at least 70%)\n` +
    `server CPU per 100 MiB (all threads), median: webChat ${median(cpu.webchat).toFixed(2)} s, ` +
    `raw ${median(cpu.raw).toFixed(2)} s`,
);
emitResult("uploads", {
  mib: Number(values.mib),
  parallel: PARALLEL,
  backend: values.backend,
  webchatMBps: rates.webchat,
  rawMBps: rates.raw,
  ratio,
  cpuPer100MiB: cpu,
});
