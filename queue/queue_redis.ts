/**
 * The message queue on Redis, with the original's key names behind a prefix:
 * - `chat:msg-list`: the queue (LPUSH by producers, taken from the right: FIFO);
 * - `chat:msg-list:inflight:<workerId>`: what one worker has taken and not yet acknowledged;
 * - `chat:msg-list:lease:<workerId>`: present (with a TTL) while that worker is alive;
 * - `<chatid>:seq`: the chat's last `seq`;
 * - `cid:<fromuser>:<cid>`: what an `ack` of that client id's message carries (mid, chatid,
 *   seq, time), kept 24 h for idempotent retries;
 * - `chat:seq-epoch`: `<epoch>:<run_id>`, the seq epoch (see `seq_epochs.ts`) and the Redis
 *   process that set it.
 *
 * Why the marker names a Redis process: a restart without persistence loses the counters (the
 * marker is gone), but so can a restart from an RDB snapshot or an append-only file missing its
 * last second, or a failover to a replica that lagged: there the marker survives while the
 * counters go back. Since Redis 7 the script cache is neither persisted nor replicated, so the
 * enqueue script is loaded (`EVAL`) exactly once in every new Redis process; that run compares
 * the marker's run_id with the live one and voids a marker set by another process. The usual
 * run (`EVALSHA`) then trusts the marker without the cost of asking Redis who it is.
 *
 * @module
 */
import type { Log } from "../ops/log.ts";
import type { RedisClient } from "../store/redis_client.ts";
import type { ChatMessage, MessageDraft } from "./message.ts";
import type {
  EnqueueResult,
  MessageConsumer,
  MessageProducer,
  ParkedReason,
  QueueCounts,
  TakenBatch,
} from "./queue.ts";
import {
  ackJson,
  byCount,
  checkTake,
  checkWorkerId,
  CID_TTL_SECONDS,
  draftJson,
  enqueueResult,
  parseQueued,
} from "./queued_message.ts";
import { RedisScript } from "./redis_script.ts";
import { MAX_SEQ_EPOCH, SEQ_EPOCH_SPAN, type SeqEpochStore } from "./seq_epochs.ts";

// One script so that the duplicate check, the seq and the push cannot interleave with another
// producer. The message JSON is built by JSON.stringify on the TS side and `seq` is spliced in
// as text: re-encoding with cjson would turn `[]` into `{}` and escape "/" differently, and the
// text must stay byte-for-byte what the sender wrote. Numbers are printed with %d: Lua's
// default formatting of numbers beyond 10^14 (late epochs) is inexact.
// KEYS: queue, the chat's counter, the cid record, the epoch marker.
// ARGV: message JSON, "1" when there is a cid, cid TTL, cid record JSON, "1" when run by EVAL.
const ENQUEUE = new RedisScript(`
if ARGV[2] == '1' then
  local prior = redis.call('GET', KEYS[3])
  if prior then return {'duplicate', prior} end
end
local marker = redis.call('GET', KEYS[4])
local epoch, owner
if marker then epoch, owner = string.match(marker, '^(%d+):(%x+)$') end
if epoch and ARGV[5] == '1' then
  local live = string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')
  if owner ~= live then
    -- Set by another Redis process: this one may hold older counters. Void it for everybody.
    redis.call('SET', KEYS[4], 'stale:' .. marker)
    epoch = nil
  end
end
if not epoch then return {'epoch'} end
local base = tonumber(epoch) * ${SEQ_EPOCH_SPAN}
local last = tonumber(redis.call('GET', KEYS[2]) or '-1')
if last < base then redis.call('SET', KEYS[2], string.format('%d', base)) end
local seq = string.format('%d', redis.call('INCR', KEYS[2]))
local message = string.sub(ARGV[1], 1, -2) .. ',"seq":' .. seq .. '}'
redis.call('LPUSH', KEYS[1], message)
if ARGV[2] == '1' then
  redis.call('SET', KEYS[3], string.sub(ARGV[4], 1, -2) .. ',"seq":' .. seq .. '}', 'EX', ARGV[3])
end
return {'queued', message}
`);

// Looks at the marker (ARGV[1] = '') or sets a new epoch in it, unless this Redis process has
// set one meanwhile (another node was quicker: everybody then uses that one).
// Answers {'current', epoch}, {'stale', last epoch named or ''} or {'started', epoch}.
const RENEW_EPOCH = new RedisScript(`
local live = string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')
local marker = redis.call('GET', KEYS[1])
if marker then
  local epoch, owner = string.match(marker, '^(%d+):(%x+)$')
  if epoch and owner == live then return {'current', epoch} end
end
if ARGV[1] == '' then
  return {'stale', marker and string.match(marker, '(%d+):%x+$') or ''}
end
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. live)
return {'started', ARGV[1]}
`);

// Up to N non-blocking moves in one round trip, stopping at the first empty pop: cheaper than a
// pipeline of N LMOVEs that mostly answer nil when the queue holds only a few messages.
const TAKE_MORE = new RedisScript(`
local taken = {}
for i = 1, tonumber(ARGV[1]) do
  local item = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
  if not item then break end
  taken[#taken + 1] = item
end
return taken
`);

// The in-flight list holds the newest-taken item on the left; moving from its left onto the
// queue's right (consumer) end leaves the oldest-taken item rightmost, so order is kept.
const RECOVER = new RedisScript(`
local count = 0
while redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT') do count = count + 1 end
return count
`);

// Acknowledges by identity: each message of the batch, oldest first, is removed by value from
// the in-flight list. The oldest taken items sit at the right end, where LREM with a negative
// count starts looking, so each removal finds its item at once.
const ACK = new RedisScript(`
local removed = 0
for i = 1, #ARGV do removed = removed + redis.call('LREM', KEYS[1], -1, ARGV[i]) end
return removed
`);

// A dead worker's in-flight list goes back to the queue, unless its lease is still held: the
// check and the move are one step, so a worker that renews meanwhile keeps what it holds.
const RECLAIM = new RedisScript(`
if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local count = 0
while redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT') do count = count + 1 end
return count
`);

// Moves parked records back to the queue, each only if it is still the oldest parked one (so
// two operators retrying at once cannot queue a message twice). ARGV: record, item, record, …
const UNPARK = new RedisScript(`
local moved = 0
for i = 1, #ARGV, 2 do
  if redis.call('LINDEX', KEYS[1], 0) ~= ARGV[i] then break end
  redis.call('LPOP', KEYS[1])
  redis.call('LPUSH', KEYS[2], ARGV[i + 1])
  moved = moved + 1
end
return moved
`);

/** Options for {@link RedisQueue}. */
export interface RedisQueueOptions {
  /** Connection for ordinary commands (shared with the rest of the process is fine). */
  redis: RedisClient;
  /**
   * A dedicated connection for the blocking pop; consumer side only. The queue takes ownership:
   * `close()` destroys it, which is what interrupts a pending `takeBatch`.
   */
  blocking?: RedisClient;
  /** Prefix of every key (may be ""). */
  prefix: string;
  /** This consumer's identity: names its in-flight list and lease; unique to the process. */
  workerId: string;
  /**
   * Where the seq epoch is kept durably (producer side only): asked for a new one when Redis
   * holds no valid marker. Without it such an enqueue fails.
   */
  epochs?: SeqEpochStore;
  /** Hears when a new seq epoch starts (default: silence). */
  log?: Log;
}

/** {@link MessageProducer} and {@link MessageConsumer} on Redis lists. */
export class RedisQueue implements MessageProducer, MessageConsumer {
  readonly #redis: RedisClient;
  readonly #blocking: RedisClient | undefined;
  readonly #prefix: string;
  readonly #queueKey: string;
  readonly #inflightKey: string;
  readonly #leaseKey: string;
  /** The raw items of each batch handed out, so `ack` removes exactly those. */
  readonly #taken = new WeakMap<TakenBatch, string[]>();
  readonly #epochKey: string;
  readonly #epochs: SeqEpochStore | undefined;
  readonly #log: Log;
  #renewing: Promise<void> | undefined;
  #closed = false;

  constructor(options: RedisQueueOptions) {
    checkWorkerId(options.workerId);
    this.#redis = options.redis;
    this.#blocking = options.blocking;
    this.#prefix = options.prefix;
    this.#queueKey = `${options.prefix}chat:msg-list`;
    this.#inflightKey = `${this.#queueKey}:inflight:${options.workerId}`;
    this.#leaseKey = `${this.#queueKey}:lease:${options.workerId}`;
    this.#epochKey = `${options.prefix}chat:seq-epoch`;
    this.#epochs = options.epochs;
    this.#log = options.log ?? (() => {});
  }

  /**
   * Assigns the next `seq` and queues the message, or answers the earlier ack for a known cid.
   * When Redis holds no valid epoch marker, a new epoch is started first (see the module doc).
   */
  async enqueue(draft: MessageDraft): Promise<EnqueueResult> {
    const json = draftJson(draft);
    const keys = [
      this.#queueKey,
      `${this.#prefix}${draft.chatid}:seq`,
      `${this.#prefix}cid:${draft.fromuser}:${draft.cid}`,
      this.#epochKey,
    ];
    const args = [json, draft.cid === "" ? "0" : "1", String(CID_TTL_SECONDS), ackJson(draft)];
    // Three rounds cover a marker voided while we renewed (another Redis restart meanwhile).
    for (let round = 1;; round++) {
      const reply = await ENQUEUE.run(this.#redis, keys, [...args, "0"], [...args, "1"]);
      const [kind, raw] = reply as [string, string];
      if (kind === "queued" || kind === "duplicate") return enqueueResult(kind, raw, draft);
      if (round === 3) throw new Error("Cannot enqueue message: the seq epoch keeps being lost");
      await this.#renewEpoch();
    }
  }

  /** Starts a new seq epoch unless this Redis process has one; one renewal at a time. */
  #renewEpoch(): Promise<void> {
    return this.#renewing ??= (async () => {
      try {
        const [state, named] = await RENEW_EPOCH.run(this.#redis, [this.#epochKey], [""]) as [
          string,
          string,
        ];
        if (state === "current") return;
        if (!this.#epochs) {
          throw new TypeError(
            "Cannot enqueue message: Redis holds no valid seq epoch and this queue has no epoch store",
          );
        }
        const epoch = await this.#epochs.next(named === "" ? 0 : Number(named) + 1);
        if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch > MAX_SEQ_EPOCH) {
          throw new RangeError(`Cannot enqueue message: seq epoch ${epoch} is out of range`);
        }
        const [outcome] = await RENEW_EPOCH.run(this.#redis, [this.#epochKey], [String(epoch)]) as [
          string,
        ];
        if (outcome !== "started") return;
        const why = named === ""
          ? "Redis held no epoch marker: it is new, or lost its data"
          : `the marker of epoch ${named} was set by another Redis process: Redis restarted, ` +
            "was restored or failed over, and its counters may be older than seqs given out";
        this.#log(
          `redis: seq epoch ${epoch} started (${why}); every chat continues from ` +
            `${epoch} × 2^32 + 1, so no seq is given twice`,
        );
      } finally {
        this.#renewing = undefined;
      }
    })();
  }

  /**
   * Blocks on the dedicated connection (no polling) until a message arrives, then takes up to
   * `max - 1` more without waiting. Resolves `null` on timeout or when `close()` interrupts it.
   */
  async takeBatch(max: number, timeoutSeconds: number): Promise<TakenBatch | null> {
    checkTake(max, timeoutSeconds);
    if (this.#blocking === undefined) {
      throw new TypeError("Cannot take a batch: no blocking connection was given");
    }
    if (this.#closed) throw new TypeError("Cannot take a batch: queue is closed");
    let first: string | null;
    try {
      first = await this.#blocking.blMove(
        this.#queueKey,
        this.#inflightKey,
        "RIGHT",
        "LEFT",
        timeoutSeconds,
      );
    } catch (error) {
      // Destroying the connection is how close() interrupts the wait; anything moved meanwhile
      // stays in flight and comes back through recover().
      if (this.#closed) return null;
      throw error;
    }
    if (first === null) return null;
    const raws = [first];
    if (max > 1) {
      const more = await TAKE_MORE.run(
        this.#redis,
        [this.#queueKey, this.#inflightKey],
        [String(max - 1)],
      ) as string[];
      raws.push(...more);
    }
    const batch: TakenBatch = { messages: raws.map(parseQueued) };
    this.#taken.set(batch, raws);
    return batch;
  }

  /** Removes the batch's own items from the in-flight list (by value, not by count). */
  async ack(batch: TakenBatch): Promise<void> {
    const raws = this.#taken.get(batch);
    if (!raws) throw new TypeError("Cannot acknowledge: the batch was not taken from this queue");
    if (raws.length === 0) return;
    await ACK.run(this.#redis, [this.#inflightKey], raws);
    this.#taken.delete(batch);
  }

  async lastSeq(chatid: string): Promise<number> {
    return Number(await this.#redis.get(`${this.#prefix}${chatid}:seq`) ?? 0);
  }

  /** Puts this worker's in-flight messages back at the consumer end of the queue. */
  async recover(): Promise<number> {
    return Number(await RECOVER.run(this.#redis, [this.#inflightKey, this.#queueKey], []));
  }

  async renewLease(ttlMs: number): Promise<void> {
    await this.#redis.set(this.#leaseKey, String(Date.now()), { PX: Math.ceil(ttlMs) });
  }

  async releaseLease(): Promise<void> {
    await this.#redis.del(this.#leaseKey);
  }

  /** Moves back the in-flight lists of workers without a live lease key. */
  async reclaimExpired(): Promise<number> {
    let reclaimed = 0;
    for (const key of await this.#inflightKeys()) {
      if (key === this.#inflightKey) continue;
      const worker = key.slice(`${this.#queueKey}:inflight:`.length);
      const moved = Number(
        await RECLAIM.run(
          this.#redis,
          [key, this.#queueKey, `${this.#queueKey}:lease:${worker}`],
          [],
        ),
      );
      if (moved > 0) reclaimed += moved;
    }
    return reclaimed;
  }

  async #inflightKeys(): Promise<string[]> {
    const found: string[] = [];
    const match = `${globEscape(this.#queueKey)}:inflight:*`;
    for await (const keys of this.#redis.scanIterator({ MATCH: match, COUNT: 500 })) {
      found.push(...keys);
    }
    return found;
  }

  /** Queue length and the in-flight messages of every worker. */
  async counts(): Promise<QueueCounts> {
    const pending = await this.#redis.lLen(this.#queueKey);
    let inFlight = 0;
    for (const key of await this.#inflightKeys()) inFlight += await this.#redis.lLen(key);
    const parked = await this.#redis.lLen(this.#parkedKey);
    return { pending, inFlight, parked };
  }

  /** Appends `{reason, parkedAt, message}` records to `chat:msg-list:parked`. */
  async park(messages: ChatMessage[], reason: string): Promise<void> {
    if (messages.length === 0) return;
    const parkedAt = Math.floor(Date.now() / 1000);
    await this.#redis.rPush(
      this.#parkedKey,
      messages.map((message) => JSON.stringify({ reason, parkedAt, message })),
    );
  }

  async oldestWaiting(): Promise<number | null> {
    const ends = [await this.#redis.lIndex(this.#queueKey, -1)];
    for (const key of await this.#inflightKeys()) ends.push(await this.#redis.lIndex(key, -1));
    const times = ends.filter((raw): raw is string => raw !== null).map((raw) => itemTime(raw));
    return times.length === 0 ? null : Math.min(...times);
  }

  async parkedReasons(): Promise<ParkedReason[]> {
    const counts = new Map<string, number>();
    for (const record of await this.#redis.lRange(this.#parkedKey, 0, -1)) {
      const reason = parkedRecord(record)?.reason ?? "unreadable parked record";
      counts.set(reason, (counts.get(reason) ?? 0) + 1);
    }
    return byCount(counts);
  }

  /** Back at the producer end, so they are archived after what is waiting now. */
  async retryParked(): Promise<number> {
    let moved = 0;
    while (true) {
      const records = await this.#redis.lRange(this.#parkedKey, 0, 99);
      if (records.length === 0) return moved;
      const args: string[] = [];
      for (const record of records) {
        const parsed = parkedRecord(record);
        if (!parsed) break; // kept for an operator to read; never dropped
        args.push(record, JSON.stringify(parsed.message));
      }
      if (args.length === 0) return moved;
      const n = Number(await UNPARK.run(this.#redis, [this.#parkedKey, this.#queueKey], args));
      moved += n;
      if (n === 0) return moved;
    }
  }

  get #parkedKey(): string {
    return parkedKey(this.#prefix);
  }

  /** Interrupts a pending `takeBatch` and destroys the blocking connection. Idempotent. */
  close(): Promise<void> {
    this.#closed = true;
    if (this.#blocking?.isOpen) this.#blocking.destroy();
    return Promise.resolve();
  }
}

/** `<prefix>chat:msg-list:parked`: records `{reason, parkedAt, message}` the archive refused. */
export function parkedKey(prefix: string): string {
  return `${prefix}chat:msg-list:parked`;
}

/** The `time` of a queued item, as the gateway set it. */
function itemTime(raw: string): number {
  return parseQueued(raw).time;
}

/** A parked record `{reason, parkedAt, message}`, or null when it cannot be read. */
function parkedRecord(record: string): { reason: string; message: ChatMessage } | null {
  try {
    const parsed = JSON.parse(record);
    parseQueued(JSON.stringify(parsed.message)); // throws on a message that cannot be queued
    return { reason: String(parsed.reason), message: parsed.message };
  } catch {
    return null;
  }
}

function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
