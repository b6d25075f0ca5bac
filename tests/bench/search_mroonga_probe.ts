/**
 * What MariaDB's Mroonga would do for the same search, to compare with `search_bench.ts`: the
 * same archive (`search_corpus.ts`) in one Mroonga table with a FULLTEXT index (TokenBigram,
 * NormalizerAuto) on the text and the chat id beside it, filled with multi-row INSERTs in batches
 * of 2,000; then the reader's first page of `会议` and of `meeting` restricted to its 50 chats.
 * Needs the plugin (`apt-get install mariadb-plugin-mroonga`, `INSTALL SONAME 'ha_mroonga'`).
 *
 *   deno run -A tests/bench/search_mroonga_probe.ts [--messages 200000] [--queries 100]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { openMysql } from "../../store/mysql_pool.ts";
import { TEST_MYSQL_SERVER } from "../support/stores.ts";
import { percentile } from "./percentile.ts";
import { chats, DIRECT, message, startMs, YEAR_MS } from "./search_corpus.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    messages: { type: "string", default: "200000" },
    queries: { type: "string", default: "100" },
  },
});
const TOTAL = Number(args.messages);
const database = `webchat_mroonga_probe_${Date.now()}`;
const pool = await openMysql(`${TEST_MYSQL_SERVER}/${database}`);
try {
  await pool.query(`CREATE TABLE m (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    mid CHAR(24) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    chatid VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    message TEXT NOT NULL,
    KEY (chatid), KEY (mid),
    FULLTEXT INDEX ft (message) COMMENT 'tokenizer "TokenBigram", normalizer "NormalizerAuto"'
  ) ENGINE=Mroonga DEFAULT CHARSET=utf8mb4`);
  const began = performance.now();
  for (let done = 0; done < TOTAL;) {
    const rows: string[][] = [];
    for (; rows.length < 2000 && done < TOTAL; done++) {
      const m = message(done, startMs + Math.floor((done / TOTAL) * (YEAR_MS - 3600_000)));
      rows.push([m.mid, m.chatid, m.message]);
    }
    await pool.query("INSERT INTO m (mid, chatid, message) VALUES ?", [rows]);
    if (done % 50_000 === 0) console.log(`  ${done} inserted`);
  }
  const seconds = (performance.now() - began) / 1000;
  console.log(
    `mroonga: filled ${TOTAL} in ${seconds.toFixed(0)} s (${(TOTAL / seconds).toFixed(0)} msg/s)`,
  );
  const scope = [...chats.slice(0, 40), ...chats.slice(DIRECT, DIRECT + 10)];
  for (const q of ["会议", "meeting"]) {
    const times = new Float64Array(Number(args.queries));
    let hits = 0;
    for (let i = 0; i < times.length; i++) {
      const t0 = performance.now();
      const [rows] = await pool.query(
        `SELECT mid FROM m WHERE MATCH (message) AGAINST (? IN BOOLEAN MODE) AND chatid IN (?)
          ORDER BY mid DESC LIMIT 20`,
        [`+${q}`, scope],
      );
      times[i] = performance.now() - t0;
      hits = (rows as unknown[]).length;
    }
    times.sort();
    const [[all]] = await pool.query(
      "SELECT COUNT(*) AS n FROM m WHERE MATCH (message) AGAINST (? IN BOOLEAN MODE)",
      [`+${q}`],
    ) as unknown as [{ n: number }[]];
    console.log(
      `mroonga ${JSON.stringify(q)}: p50 ${percentile(times, 0.5).toFixed(1)} ms, p99 ` +
        `${percentile(times, 0.99).toFixed(1)} ms (${hits} hits a page; ${all.n} in all chats)`,
    );
  }
} finally {
  await pool.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await pool.end();
}
