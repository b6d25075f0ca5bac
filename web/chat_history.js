// @ts-check
/**
 * What the page knows of one chat's messages, kept while the page lives: in `seq` order without
 * duplicates (by `mid`), with the history cursors (newest page, older pages, catch-up after a
 * gap or a reconnect). A chat that is not on screen keeps only its newest
 * {@link KEPT_WHILE_CLOSED} messages, so switching back to it shows them at once, without a
 * request, and the recent list has each chat's last message for its preview.
 *
 * No DOM here: views subscribe to what is added.
 *
 * @module
 */

/**
 * A message as the server sends it (`say` frame, `init.offline`, history).
 * @typedef {{type?: string, chatid: string, fromuser: string, message: string, msgType?: string,
 *   file?: any, time: number, mid: string, seq: number, cid?: string, mentions?: string[],
 *   mention?: boolean}} Say
 */
/** @typedef {{messages: Say[], hasMore: boolean}} Page */
/** @typedef {(chatid: string, params: Record<string, number>) => Promise<Page>} FetchPage */
/** @typedef {{frames: Say[], older: boolean}} Change */

/** Messages kept of a chat that is not open (the per-chat cache). */
export const KEPT_WHILE_CLOSED = 50;
const PAGE = 30;
const CATCH_UP_PAGE = 100;
/** Catch-up retries for a gap that stays (the archive may lag a moment behind delivery). */
const GAP_RETRIES = 5;

export class ChatHistory {
  /** @type {Say[]} ascending seq */
  messages = [];
  #mids = new Set();
  /** The newest page of history has arrived (before that, gaps mean nothing). */
  loaded = false;
  /** Older messages exist on the server than the first one held. */
  hasMore = false;
  /** On screen: never trimmed or forgotten by the cache. */
  open = false;
  /** @type {Promise<void> | null} */
  #loading = null;
  #catchingUp = false;
  #catchUpAgain = false;
  /**
   * Up to here, gaps are known to stay: the server had nothing more to send for them after
   * every retry (messages lost with a Redis that kept no data, parked ones, or the jump to a
   * new seq epoch). They no longer count as "missed something".
   */
  #settledSeq = 0;
  /** @type {Set<(change: Change) => void>} */
  #listeners = new Set();

  /**
   * @param {string} chatid
   * @param {FetchPage} fetchPage
   */
  constructor(chatid, fetchPage) {
    this.chatid = chatid;
    this.fetchPage = fetchPage;
  }

  /** Lowest seq held (the `before` cursor), or null. */
  get firstSeq() {
    return this.messages[0]?.seq ?? null;
  }

  /** Highest seq held, or null. */
  get lastSeq() {
    return this.messages.at(-1)?.seq ?? null;
  }

  /** The newest message held (the recent list's preview), or null. */
  get last() {
    return this.messages.at(-1) ?? null;
  }

  /** The highest seq up to which nothing is missing: the `after` cursor for a catch-up. */
  get contiguousSeq() {
    let seq = this.firstSeq;
    if (seq === null) return null;
    for (const item of this.messages) {
      if (item.seq > seq + 1 && item.seq > this.#settledSeq) break;
      seq = item.seq;
    }
    return seq;
  }

  /** True when some seq between the first and the last one held is missing. */
  get hasGap() {
    return this.contiguousSeq !== this.lastSeq;
  }

  /**
   * Calls `listener` with every batch of messages added from now on.
   * @param {(change: Change) => void} listener
   * @returns {() => void} unsubscribes
   */
  subscribe(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Adds messages not held yet at their seq position; returns those that were new.
   * @param {Say[]} frames
   * @param {{older?: boolean}} [options] `older`: a page put above what is shown
   */
  add(frames, { older = false } = {}) {
    /** @type {Say[]} */
    const added = [];
    for (const frame of frames) {
      if (frame?.chatid !== this.chatid) continue;
      if (this.#mids.has(frame.mid)) {
        // The sender's copy made from its `ack` lacks what only the server knows (whom the
        // message mentions): the server's own copy takes its place.
        const i = frame.mentions ? this.messages.findIndex((m) => m.mid === frame.mid) : -1;
        if (i >= 0 && !this.messages[i].mentions) {
          this.messages[i] = frame;
          added.push(frame);
        }
        continue;
      }
      this.#mids.add(frame.mid);
      let i = this.messages.length;
      while (i > 0 && this.messages[i - 1].seq > frame.seq) i--;
      this.messages.splice(i, 0, frame);
      added.push(frame);
    }
    if (added.length) {
      for (const listener of this.#listeners) {
        listener({ frames: added, older });
      }
    }
    return added;
  }

  /** A live `say`: held at its place; a `seq` gap before it starts a catch-up. @param {Say} frame */
  addLive(frame) {
    const gap = this.loaded && this.lastSeq !== null && frame.seq > this.lastSeq + 1;
    const added = this.add([frame]);
    if (gap) this.catchUp();
    return added.length > 0;
  }

  /** Loads the newest page once (later calls wait for the same request). */
  loadNewest() {
    this.#loading ??= this.#loadNewest().catch((error) => {
      this.#loading = null; // a failure may be retried
      throw error;
    });
    return this.#loading;
  }

  async #loadNewest() {
    const page = await this.fetchPage(this.chatid, { limit: PAGE });
    this.add(page.messages);
    // An empty page while live messages are held: the archive lags; seq 1 is the first message.
    this.hasMore = page.messages.length ? page.hasMore : (this.firstSeq ?? 1) > 1;
    this.loaded = true;
    if (this.hasGap) this.catchUp();
  }

  /** Loads the page before the first message held. */
  async loadOlder() {
    if (this.firstSeq === null) return;
    const page = await this.fetchPage(this.chatid, { before: this.firstSeq, limit: PAGE });
    this.hasMore = page.hasMore;
    this.add(page.messages, { older: true });
  }

  /**
   * Fetches what this chat missed (after a reconnect, or when a `seq` gap shows). History is
   * archived by a worker a moment after delivery, so a gap that remains is asked again shortly.
   */
  async catchUp(attempt = 0) {
    if (!this.loaded) return;
    if (this.#catchingUp) {
      this.#catchUpAgain = true;
      return;
    }
    this.#catchingUp = true;
    // The cursor moves on with every page: a gap that stays (nothing can fill it) must not
    // make the same page come back again and again.
    let after = this.contiguousSeq ?? 0;
    let complete = false;
    try {
      let hasMore = true;
      while (hasMore) {
        const page = await this.fetchPage(this.chatid, { after, limit: CATCH_UP_PAGE });
        this.add(page.messages);
        after = Math.max(after, page.messages.at(-1)?.seq ?? after);
        hasMore = page.hasMore && page.messages.length > 0;
        complete = !page.hasMore;
      }
    } catch {
      // The next reconnect or gap tries again.
    } finally {
      this.#catchingUp = false;
    }
    if (this.#catchUpAgain || (this.hasGap && attempt < GAP_RETRIES)) {
      this.#catchUpAgain = false;
      setTimeout(() => this.catchUp(attempt + 1), this.hasGap ? 500 * 2 ** attempt : 0);
    } else if (this.hasGap && complete) {
      // Retried for about 15 s and the server says there is nothing more: those seqs are gone.
      this.#settledSeq = Math.max(this.#settledSeq, after);
    }
  }

  /**
   * Forgets that the newest page arrived (a reconnect, for a chat not worth a catch-up now):
   * the next {@link loadNewest} asks again, and a gap it leaves is caught up then.
   */
  markStale() {
    if (this.open) return;
    this.loaded = false;
    this.#loading = null;
  }

  /** Keeps only the newest `keep` messages (the chat left the screen). */
  trim(keep = KEPT_WHILE_CLOSED) {
    const drop = this.messages.length - keep;
    if (drop <= 0) return;
    for (const frame of this.messages.splice(0, drop)) this.#mids.delete(frame.mid);
    this.hasMore = true;
  }
}

/** Every chat's history, created on first use; a bounded number of chats is kept. */
export class ChatCache {
  /** @type {Map<string, ChatHistory>} in order of last use */
  #chats = new Map();

  /**
   * @param {FetchPage} fetchPage
   * @param {number} [maxChats]
   */
  constructor(fetchPage, maxChats = 200) {
    this.fetchPage = fetchPage;
    this.maxChats = maxChats;
  }

  /** The history of `chatid`, created when missing, marked as used now. @param {string} chatid */
  get(chatid) {
    let history = this.#chats.get(chatid);
    if (history) this.#chats.delete(chatid);
    else history = new ChatHistory(chatid, this.fetchPage);
    this.#chats.set(chatid, history);
    // Forget the chat used longest ago; its messages come back from the server if needed.
    for (const [chatid, oldest] of this.#chats) {
      if (this.#chats.size <= this.maxChats) break;
      if (!oldest.open) this.#chats.delete(chatid);
    }
    return history;
  }

  /** The history of `chatid` if held, without marking it used. @param {string} chatid */
  peek(chatid) {
    return this.#chats.get(chatid) ?? null;
  }

  /** Every history held. */
  all() {
    return [...this.#chats.values()];
  }

  clear() {
    this.#chats.clear();
  }
}
