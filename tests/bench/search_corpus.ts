/**
 * The search benchmarks' archive: mixed Chinese and English office chat, deterministic (the same
 * messages every run), over 5,000 chats: 4,500 one-to-one among 2,000 accounts (the first 40 are
 * `u0`'s, the reader's) and 500 groups.
 *
 * @module
 */
import { type ChatMessage, newMid } from "../../queue/message.ts";

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

const ACCOUNTS = 2000, GROUPS = 500;
/** How many of {@link chats} are one-to-one (the groups follow). */
export const DIRECT = 4500;
const account = (i: number) => `u${i}`;
/** The chats: one-to-one chats first (chat 0..39 are the reader u0's), then groups. */
export const chats: string[] = [];
for (let i = 0; i < DIRECT; i++) {
  const [a, b] = i < 40 ? [0, i + 1] : [1 + (i % ACCOUNTS), 1 + ((i * 7919) % ACCOUNTS)];
  const [x, y] = [account(a), account(b === a ? (b + 1) % ACCOUNTS : b)].sort();
  chats.push(`${x}--${y}`);
}
for (let i = 0; i < GROUPS; i++) chats.push(`${account(i % ACCOUNTS)}-${1700000000000 + i}`);
const seqs = new Map<string, number>();

/** The span the archive's messages are spread over. */
export const YEAR_MS = 365 * 24 * 3600 * 1000;
/** When the archive's first message was sent. */
export const startMs = Date.now() - YEAR_MS;

/** The `i`th message of the archive, sent at `atMs`. */
export function message(i: number, atMs: number): ChatMessage {
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
