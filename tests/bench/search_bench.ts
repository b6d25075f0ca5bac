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
import { type ChatMessage, firstMidAt, newMid } from "../../queue/message.ts";
import type { MessageSearch, SearchScope } from "../../queue/search.ts";
import { MysqlSearch } from "../../queue/search_mysql.ts";
import { SqliteSearch } from "../../queue/search_sqlite.ts";
import { parseQuery } from "../../queue/search_tokens.ts";
import { openMysql } from "../../store/mysql_pool.ts";
import { openSqliteDb } from "../../store/sqlite_db.ts";
import { TEST_MYSQL_SERVER } from "../support/stores.ts";
import { percentile } from "./percentile.ts";

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

const ZH = (
  "会议 明天 项目 今天 下午 上午 客户 需求 测试 上线 版本 问题 文档 周报 安排 时间 " +
  "地点 确认 一下 谢谢 好的 收到 麻烦 看看 方案 预算 合同 报价 审批 流程 系统 服务器 " +
  "数据库 接口 发布 回滚 故障 排查 日志 监控 告警 用户 反馈 产品 设计 评审 代码 提交"
).split(" ");
const EN = (
  "meeting tomorrow project today afternoon customer release test version issue docs " +
  "weekly plan time room confirm thanks ok received please check budget contract quote " +
  "approve server database api deploy rollback incident logs monitor alert user feedback " +
  "product design review code commit merge branch build pipeline ticket sprint standup"
).split(" ");
const PUNCT = ["，", "。", "？", "！", " ", ", ", ". "];

/**
 * A deterministic pseudo-random source (the same archive every run): mulberry32, 32-bit integer
 * arithmetic throughout (a plain LCG in doubles loses bits and correlates consecutive draws).
 */
let seed = 12345;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];

function text(): string {
  const parts: string[] = [];
  const words = 3 + Math.floor(random() * 10);
  const english = random() < 0.3;
  for (let i = 0; i < words; i++) {
    parts.push(english || random() < 0.2 ? pick(EN) : pick(ZH));
    if (random() < 0.3) parts.push(pick(PUNCT));
    else if (english) parts.push(" ");
  }
  return parts.join("").trim();
}

const ACCOUNTS = 2000, DIRECT = 4500, GROUPS = 500;
const account = (i: number) => `u${i}`;
/** The chats: one-to-one chats first (chat 0..39 are the reader u0's), then groups. */
const chats: string[] = [];
for (let i = 0; i < DIRECT; i++) {
  const [a, b] = i < 40 ? [0, i + 1] : [1 + (i % ACCOUNTS), 1 + ((i * 7919) % ACCOUNTS)];
  const [x, y] = [account(a), account(b === a ? (b + 1) % ACCOUNTS : b)].sort();
  chats.push(`${x}--${y}`);
}
for (let i = 0; i < GROUPS; i++) chats.push(`${account(i % ACCOUNTS)}-${1700000000000 + i}`);
const seqs = new Map<string, number>();

const YEAR_MS = 365 * 24 * 3600 * 1000;
const startMs = Date.now() - YEAR_MS;

function message(i: number, atMs: number): ChatMessage {
  const chatid = chats[Math.floor(random() * chats.length)];
  const seq = (seqs.get(chatid) ?? 0) + 1;
  seqs.set(chatid, seq);
  const members = chatid.includes("--") ? chatid.split("--") : [];
  return {
    mid: newMid(atMs),
    chatid,
    seq,
    fromuser: members[0] ?? account(i % ACCOUNTS),
    message: text(),
    type: 0,
    fileId: "",
    time: Math.floor(atMs / 1000),
    cid: "",
    members,
  };
}

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
