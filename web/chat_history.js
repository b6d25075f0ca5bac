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
 * A reply's quote: the quoted message's `mid`, sender, first 100 characters and type;
 * `recalled` (and an empty excerpt) once that message was recalled.
 * @typedef {{mid: string, fromuser: string, excerpt: string, msgType?: string,
 *   recalled?: boolean}} Quote
 */
/**
 * A message as the server sends it (`say` frame, `init.offline`, history). `edited`: unix
 * seconds of the last edit; `recalled`: who recalled it and when (the text and file are gone).
 * `provisional`: the sender's own copy made from its `ack`, replaced by the server's copy.
 * @typedef {{type?: string, chatid: string, fromuser: string, message: string, msgType?: string,
 *   file?: any, time: number, mid: string, seq: number, cid?: string, mentions?: string[],
 *   mention?: boolean, replyTo?: Quote, edited?: number, recalled?: {by: string, time: number},
 *   provisional?: boolean}} Say
 */
/**
 * A recall or an edit of a message, as its frame tells it.
 * @typedef {{mid: string, recalled?: {by: string, time: number}, message?: string,
 *   edited?: number}} MessageChange
 */
/** @typedef {{messages: Say[], hasMore: boolean}} Page */
/** @typedef {(chatid: string, params: Record<string, number>) => Promise<Page>} FetchPage */
/**
 * What a listener is told: messages added (`older`: a page above what is shown), messages
 * changed in place (`changed`: a recall, an edit, a fuller copy), or the read marks moved
 * (`receipts`, no frames).
 * @typedef {{frames: Say[], older: boolean, changed?: boolean, receipts?: boolean}} Change
 */

/** Recalls and edits remembered for copies of a message that arrive after them. */
const CHANGES_KEPT = 200;

/**
 * Whether `next` is a later state of the message `held` is: the server's copy of a
 * provisional one, or a recall or an edit the held copy lacks.
 * @param {Say} held
 * @param {Say} next
 */
export function isNewer(held, next) {
  if (held.recalled) return false;
  if (next.recalled) return true;
  if ((next.edited ?? 0) > (held.edited ?? 0)) return true;
  if ((next.edited ?? 0) < (held.edited ?? 0)) return false;
  if (next.mentions && !held.mentions) return true;
  return !!held.provisional && !next.provisional;
}

/**
 * `frame` with `change` applied (a recall empties the text and drops the file).
 * @param {Say} frame
 * @param {MessageChange} change
 * @returns {Say}
 */
export function applyChange(frame, change) {
  if (change.recalled) {
    const { file: _file, replyTo: _quote, ...rest } = frame;
    return { ...rest, message: "", recalled: change.recalled, provisional: false };
  }
  if (frame.recalled || (frame.edited ?? 0) > (change.edited ?? 0)) return frame;
  return { ...frame, message: String(change.message ?? ""), edited: change.edited };
}

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
  /**
   * Recalls and edits of messages held may have been missed (the socket was down): the next
   * {@link refresh} asks for the newest page again, whose copies replace older states.
   */
  changesMissed = false;
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
  /** @type {Map<string, MessageChange>} recalls and edits by mid, the newest last */
  #changes = new Map();
  /** Highest read seq by account (read receipts), from the receipts route and `receipt` frames. */
  /** @type {Map<string, number>} */
  receipts = new Map();
  /** The participants the receipts route named (a group's current members). @type {string[]} */
  members = [];

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
    /** @type {Say[]} */
    const replaced = [];
    for (const given of frames) {
      if (given?.chatid !== this.chatid) continue;
      // A recall or an edit that came before this copy of the message (a page asked earlier).
      const change = this.#changes.get(given.mid);
      const frame = change ? applyChange(given, change) : given;
      if (this.#mids.has(frame.mid)) {
        // The sender's copy made from its `ack` lacks what only the server knows (whom the
        // message mentions, its quote): the server's own copy takes its place, and so does a
        // later state of the message (recalled or edited while this page was away).
        const i = this.messages.findIndex((m) => m.mid === frame.mid);
        if (i >= 0 && isNewer(this.messages[i], frame)) {
          this.messages[i] = frame;
          replaced.push(frame);
        }
        continue;
      }
      this.#mids.add(frame.mid);
      let i = this.messages.length;
      while (i > 0 && this.messages[i - 1].seq > frame.seq) i--;
      this.messages.splice(i, 0, frame);
      added.push(frame);
    }
    if (added.length) this.#tell({ frames: added, older });
    if (replaced.length) this.#tell({ frames: replaced, older: false, changed: true });
    return added;
  }

  /** @param {Change} change */
  #tell(change) {
    for (const listener of this.#listeners) listener(change);
  }

  /**
   * A `recall` or `edit` frame: the held message changes in place (and a recalled one's
   * quotes in replies become "recalled message"); remembered for a copy that arrives later.
   * Returns whether something held changed.
   * @param {MessageChange} change
   */
  change(change) {
    this.#changes.delete(change.mid);
    this.#changes.set(change.mid, change);
    if (this.#changes.size > CHANGES_KEPT) {
      this.#changes.delete(this.#changes.keys().next().value ?? "");
    }
    /** @type {Say[]} */
    const changed = [];
    this.messages = this.messages.map((m) => {
      let next = m;
      if (m.mid === change.mid) next = applyChange(m, change);
      else if (change.recalled && m.replyTo?.mid === change.mid && !m.replyTo.recalled) {
        next = { ...m, replyTo: { ...m.replyTo, excerpt: "", recalled: true } };
      }
      if (next !== m) changed.push(next);
      return next;
    });
    if (changed.length) this.#tell({ frames: changed, older: false, changed: true });
    return changed.length > 0;
  }

  /** The held message `mid`, or null. @param {string} mid */
  find(mid) {
    return this.#mids.has(mid) ? this.messages.find((m) => m.mid === mid) ?? null : null;
  }

  /**
   * Read marks: `receipts` (account → highest read seq) from the receipts route, or one
   * account's from a `receipt` frame; a mark only rises.
   * @param {Record<string, number>} receipts
   * @param {string[]} [members] the route's current participants
   */
  setReceipts(receipts, members) {
    let moved = false;
    for (const [accountid, value] of Object.entries(receipts)) {
      const seq = Number(value) || 0;
      if (seq > (this.receipts.get(accountid) ?? 0)) {
        this.receipts.set(accountid, seq);
        moved = true;
      }
    }
    if (members) {
      this.members = members;
      moved = true;
    }
    if (moved) this.#tell({ frames: [], older: false, receipts: true });
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
    this.changesMissed = false;
    this.add(page.messages);
    // An empty page while live messages are held: the archive lags; seq 1 is the first message.
    this.hasMore = page.messages.length ? page.hasMore : (this.firstSeq ?? 1) > 1;
    this.loaded = true;
    if (this.hasGap) this.catchUp();
  }

  /**
   * The newest page again, after {@link changesMissed}: what was recalled or edited meanwhile
   * replaces the copies held (a catch-up by seq only brings what is new).
   */
  async refresh() {
    if (!this.loaded) return;
    this.changesMissed = false;
    try {
      const page = await this.fetchPage(this.chatid, { limit: PAGE });
      this.add(page.messages);
    } catch {
      this.changesMissed = true;
    }
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
