/**
 * Search benchmark: fills an archive itself (MySQL in a fresh database, or the embedded
 * SQLite file in a temporary folder) through the archive's own `saveMessages`, which also fills
 * the search index, in batches as the worker writes them, with progress; then times a
 * two-character CJK query and a Latin word for one reader with 40 one-to-one chats and 10
 * groups, and the index lag at a steady message rate.
 *
 *   deno run -A tests/bench/search_bench.ts [--backend production|embedded] [--messages N]
 *     [--rate 2000] [--lag-seconds 10] [--queries 200] [--keep]
 *
 * Messages are spread over 12 months, 5,000 chats (one-to-one among 2,000 accounts and 500
 * groups), mixed Chinese and English of everyday office chat.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { searchMessages } from "../../api/message_search.ts";
import type { MessageArchive } from "../../queue/archive.ts";
import { MysqlArchive } from "../../queue/archive_mysql.ts";
import { SqliteArchive } from "../../queue/archive_sqlite.ts";
import { type ChatMessage, firstMidAt } from "../../queue/message.ts";
import type { MessageSearch, SearchScope } from "../../queue/search.ts";
import { MysqlSearch } from "../../queue/search_mysql.ts";
import { SqliteSearch } from "../../queue/search_sqlite.ts";
import { parseQuery } from "../../queue/search_tokens.ts";
import { openMysql } from "../../store/mysql_pool.ts";
import { openSqliteDb } from "../../store/sqlite_db.ts";
import { TEST_MYSQL_SERVER } from "../support/stores.ts";
import { percentile } from "./percentile.ts";
import { chats, DIRECT, message, startMs, YEAR_MS } from "./search_corpus.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    backend: { type: "string", default: "production" },
    messages: { type: "string", default: "1000000" },
    batch: { type: "string", default: "2000" },
    rate: { type: "string", default: "2000" },
    "lag-seconds": { type: "string", default: "10" },
    queries: { type: "string", default: "200" },
    keep: { type: "boolean", default: false },
  },
});
const TOTAL = Number(args.messages);
const BATCH = Number(args.batch);

interface Target {
  archive: MessageArchive;
  search: MessageSearch;
  sizes(): Promise<string>;
  close(): Promise<void>;
}

async function openTarget(): Promise<Target> {
  if (args.backend === "embedded") {
    const dir = await Deno.makeTempDir({ prefix: "search-bench-" });
    const sqlite = openSqliteDb(dir);
    return {
      archive: new SqliteArchive(sqlite.db),
      search: new SqliteSearch(sqlite.db),
      sizes: async () =>
        `database file ${((await Deno.stat(sqlite.path)).size / 2 ** 20).toFixed(0)} MiB`,
      async close() {
        sqlite.close();
        if (!args.keep) await Deno.remove(dir, { recursive: true });
      },
    };
  }
  const database = `webchat_search_bench_${Date.now()}`;
  const pool = await openMysql(`${TEST_MYSQL_SERVER}/${database}`);
  return {
    archive: new MysqlArchive(pool),
    search: new MysqlSearch(pool),
    async sizes() {
      const [rows] = await pool.query(
        `SELECT TABLE_NAME AS name, TABLE_ROWS AS n, DATA_LENGTH + INDEX_LENGTH AS bytes
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()`,
      );
      const list = rows as { name: string; n: number; bytes: number }[];
      const search = list.find((t) => t.name === "webchat_search");
      const archive = list.filter((t) => t.name.startsWith("webchat_message"))
        .reduce((sum, t) => sum + Number(t.bytes), 0);
      return `webchat_search ~${search?.n} rows ${
        (Number(search?.bytes) / 2 ** 20).toFixed(0)
      } MiB, ` +
        `monthly tables ${(archive / 2 ** 20).toFixed(0)} MiB`;
    },
    async close() {
      if (!args.keep) await pool.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await pool.end();
    },
  };
}

const target = await openTarget();
try {
  console.log(`search bench: ${args.backend}, filling ${TOTAL} messages in batches of ${BATCH}`);
  const began = performance.now();
  let last = began;
  for (let done = 0; done < TOTAL;) {
    const batch: ChatMessage[] = [];
    for (; batch.length < BATCH && done < TOTAL; done++) {
      batch.push(message(done, startMs + Math.floor((done / TOTAL) * (YEAR_MS - 3600_000))));
    }
    await target.archive.saveMessages(batch);
    if (performance.now() - last > 10_000 || done === TOTAL) {
      last = performance.now();
      const rate = done / ((last - began) / 1000);
      console.log(`  ${done} archived, ${rate.toFixed(0)} msg/s`);
    }
  }
  const fillSeconds = (performance.now() - began) / 1000;
  console.log(
    `filled in ${fillSeconds.toFixed(0)} s (${
      (TOTAL / fillSeconds).toFixed(0)
    } msg/s); ${await target.sizes()}`,
  );

  // The reader u0: its 40 one-to-one chats, and 10 groups it joined half a year ago.
  const joined = firstMidAt(startMs + YEAR_MS / 2);
  const scopes: SearchScope[] = [
    ...chats.slice(0, 40).map((chatid) => ({ chatid })),
    ...chats.slice(DIRECT, DIRECT + 10).map((chatid) => ({
      chatid,
      visible: [{ from: joined, to: null }],
    })),
  ];
  for (const q of ["会议", "meeting", "项目 review"]) {
    const parsed = parseQuery(q)!;
    const times = new Float64Array(Number(args.queries));
    let hits = 0;
    for (let i = 0; i < times.length; i++) {
      const t0 = performance.now();
      const page = await searchMessages(target.search, target.archive, {
        parsed,
        scopes,
        limit: 20,
      });
      times[i] = performance.now() - t0;
      hits = page.hits.length;
    }
    times.sort();
    console.log(
      `query ${JSON.stringify(q)}: p50 ${percentile(times, 0.5).toFixed(1)} ms, ` +
        `p99 ${percentile(times, 0.99).toFixed(1)} ms (${times.length} runs, ${hits} hits a page)`,
    );
  }

  // Index lag at a steady rate: the worker writes what arrived every 100 ms; a message is
  // searchable once its batch's saveMessages resolved.
  const rate = Number(args.rate), seconds = Number(args["lag-seconds"]);
  const lags: number[] = [];
  const perTick = Math.round(rate / 10);
  const lagStart = performance.now();
  for (let tick = 0; tick < seconds * 10; tick++) {
    const due = lagStart + tick * 100;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const batch = Array.from(
      { length: perTick },
      (_, i) => message(TOTAL + tick * perTick + i, Date.now()),
    );
    await target.archive.saveMessages(batch);
    // The oldest message of the batch arrived up to 100 ms before its tick.
    lags.push(performance.now() - due + 100);
  }
  const sorted = new Float64Array(lags).sort();
  console.log(
    `index lag at ${rate} msg/s for ${seconds} s: p50 ${percentile(sorted, 0.5).toFixed(0)} ms, ` +
      `p99 ${percentile(sorted, 0.99).toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms`,
  );
} finally {
  await target.close();
}
