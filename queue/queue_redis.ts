/**
 * The message queue on Redis, with the original's key names behind a prefix:
 * - `chat:msg-list`: the queue (LPUSH by producers, taken from the right: FIFO);
 * - `chat:msg-list:inflight:<workerId>`: what one worker has taken and not yet acknowledged;
 * - `chat:msg-list:lease:<workerId>`: present (with a TTL) while that worker is alive;
 * - `<chatid>:seq`: the chat's last `seq`;
 * - `cid:<fromuser>:<cid>`: the message a client id produced, kept 24 h for idempotent retries.
 *
 * @module
 */
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
  byCount,
  checkTake,
  checkWorkerId,
  CID_TTL_SECONDS,
  draftJson,
  parseQueued,
} from "./queued_message.ts";
import { RedisScript } from "./redis_script.ts";

// One script so that the duplicate check, the seq and the push cannot interleave with another
// producer. The message JSON is built by JSON.stringify on the TS side and `seq` is spliced in
// as text: re-encoding with cjson would turn `[]` into `{}` and escape "/" differently, and the
// text must stay byte-for-byte what the sender wrote.
const ENQUEUE = new RedisScript(`
if ARGV[2] == '1' then
  local prior = redis.call('GET', KEYS[3])
  if prior then return {'duplicate', prior} end
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  if ARGV[3] == '' then return {'seed'} end
  redis.call('SET', KEYS[2], ARGV[3], 'NX')
end
local seq = redis.call('INCR', KEYS[2])
local message = string.sub(ARGV[1], 1, -2) .. ',"seq":' .. seq .. '}'
redis.call('LPUSH', KEYS[1], message)
if ARGV[2] == '1' then redis.call('SET', KEYS[3], message, 'EX', ARGV[4]) end
return {'queued', message}
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
   * The `seq` to continue from when a chat's counter is missing (Redis was flushed): usually
   * the archive's `maxSeq`. Default: 0.
   */
  seed?: (chatid: string) => Promise<number>;
}

/** {@link MessageProducer} and {@link MessageConsumer} on Redis lists. */
export class RedisQueue implements MessageProducer, MessageConsumer {
  readonly #redis: RedisClient;
  readonly #blocking: RedisClient | undefined;
  readonly #prefix: string;
  readonly #queueKey: string;
  readonly #inflightKey: string;
  readonly #leaseKey: string;
  readonly #seed: (chatid: string) => Promise<number>;
  /** The raw items of each batch handed out, so `ack` removes exactly those. */
  readonly #taken = new WeakMap<TakenBatch, string[]>();
  #closed = false;

  constructor(options: RedisQueueOptions) {
    checkWorkerId(options.workerId);
    this.#redis = options.redis;
    this.#blocking = options.blocking;
    this.#prefix = options.prefix;
    this.#queueKey = `${options.prefix}chat:msg-list`;
    this.#inflightKey = `${this.#queueKey}:inflight:${options.workerId}`;
    this.#leaseKey = `${this.#queueKey}:lease:${options.workerId}`;
    this.#seed = options.seed ?? (() => Promise.resolve(0));
  }

  /** Assigns the next `seq` and queues the message, or answers the earlier one for a known cid. */
  async enqueue(draft: MessageDraft): Promise<EnqueueResult> {
    const json = draftJson(draft);
    const keys = [
      this.#queueKey,
      `${this.#prefix}${draft.chatid}:seq`,
      `${this.#prefix}cid:${draft.fromuser}:${draft.cid}`,
    ];
    const hasCid = draft.cid === "" ? "0" : "1";
    const ttl = String(CID_TTL_SECONDS);
    let reply = await ENQUEUE.run(this.#redis, keys, [json, hasCid, "", ttl]) as string[];
    if (reply[0] === "seed") {
      const seed = await this.#seed(draft.chatid);
      if (!Number.isSafeInteger(seed) || seed < 0) {
        throw new RangeError(`Cannot enqueue message: invalid seed ${seed} for ${draft.chatid}`);
      }
      reply = await ENQUEUE.run(this.#redis, keys, [json, hasCid, String(seed), ttl]) as string[];
    }
    return { message: parseQueued(reply[1]), duplicate: reply[0] === "duplicate" };
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
    return `${this.#queueKey}:parked`;
  }

  /** Interrupts a pending `takeBatch` and destroys the blocking connection. Idempotent. */
  close(): Promise<void> {
    this.#closed = true;
    if (this.#blocking?.isOpen) this.#blocking.destroy();
    return Promise.resolve();
  }
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
