// @ts-check
/**
 * The page's one WebSocket to `/ws`: logs in with the first frame, answers the server's
 * `ping`, and reconnects with capped, jittered exponential backoff. Only one socket exists at a
 * time (the original opened a new one on every `setInterval` tick).
 *
 * @module
 */

/** Close codes of docs/protocol.md that mean "do not retry as is". */
export const CLOSE_UNAUTHENTICATED = 4401;
export const CLOSE_FORBIDDEN = 4403;

/** The server pings every 25 s; this long without any frame means the link is dead. */
const SILENCE_MS = 70_000;
/** A handshake (open + `init`) that takes longer is given up and retried. */
const HANDSHAKE_MS = 15_000;
const MAX_DELAY_MS = 30_000;

/**
 * @typedef {object} SocketHandlers
 * @property {(frame: any) => void} onFrame every frame but `ping`
 * @property {(state: "connecting" | "online" | "waiting" | "stopped", detail?: number) => void} onState
 *   `waiting` comes with the delay in milliseconds before the next attempt
 * @property {(code: number, wasReady: boolean) => Promise<boolean>} shouldRetry asked after an
 *   unexpected close; false stops reconnecting
 */

export class ChatSocket {
  /** @type {WebSocket | null} */
  #ws = null;
  #ready = false;
  #attempt = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #timer;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  #watchdog;
  #lastFrameAt = 0;
  #stopped = true;

  /**
   * @param {string} accountid sent as `clientName`
   * @param {SocketHandlers} handlers
   */
  constructor(accountid, handlers) {
    this.accountid = accountid;
    this.handlers = handlers;
    this.url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws`;
  }

  /** True once `init` arrived on the current socket. */
  get ready() {
    return this.#ready;
  }

  start() {
    this.#stopped = false;
    this.#connect();
  }

  /** Stops for good (logout): no more reconnects. */
  stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#drop(1000, "logout");
    this.handlers.onState("stopped");
  }

  /** Skips the backoff wait (the browser came back online, the user clicked "retry"). */
  reconnectNow() {
    if (this.#stopped || this.#ready) return;
    this.#drop(1000, "reconnecting"); // a handshake that may hang on the old network
    this.#attempt = 0;
    this.#connect();
  }

  /** Sends a frame when logged in; false when it could not be sent now. @param {object} frame */
  send(frame) {
    if (!this.#ready || !this.#ws) return false;
    this.#ws.send(JSON.stringify(frame));
    return true;
  }

  #connect() {
    clearTimeout(this.#timer);
    if (this.#stopped || this.#ws) return;
    this.handlers.onState("connecting");
    const ws = new WebSocket(this.url);
    this.#ws = ws;
    this.#ready = false;
    this.#lastFrameAt = Date.now();
    ws.onopen = () => ws.send(JSON.stringify({ type: "login", clientName: this.accountid }));
    ws.onmessage = (event) => {
      this.#lastFrameAt = Date.now();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame?.type === "ping") {
        ws.send(JSON.stringify({ type: "pong" }));
        return;
      }
      if (frame?.type === "init") {
        this.#ready = true;
        this.#attempt = 0;
        this.handlers.onState("online");
      }
      this.handlers.onFrame(frame);
    };
    ws.onclose = (event) => {
      if (this.#ws === ws) this.#closed(event.code);
    };
    clearInterval(this.#watchdog);
    this.#watchdog = setInterval(() => {
      if (this.#ws !== ws) return;
      const waited = Date.now() - this.#lastFrameAt;
      if (waited > SILENCE_MS || (!this.#ready && waited > HANDSHAKE_MS)) {
        this.#drop(4000, "no frames from the server");
        this.#closed(1006);
      }
    }, 5_000);
  }

  /**
   * Forgets the current socket without waiting for its close handshake.
   * @param {number} code
   * @param {string} reason
   */
  #drop(code, reason) {
    const ws = this.#ws;
    clearInterval(this.#watchdog);
    this.#ws = null;
    this.#ready = false;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    try {
      ws.close(code, reason);
    } catch {
      // already closed
    }
  }

  /** @param {number} code */
  async #closed(code) {
    const wasReady = this.#ready;
    this.#drop(1000, "closed");
    if (this.#stopped) return;
    if (!(await this.handlers.shouldRetry(code, wasReady)) || this.#stopped) {
      this.#stopped = true;
      this.handlers.onState("stopped");
      return;
    }
    const ceiling = Math.min(MAX_DELAY_MS, 1000 * 2 ** this.#attempt++);
    const delay = Math.round(ceiling / 2 + Math.random() * ceiling / 2);
    this.handlers.onState("waiting", delay);
    this.#timer = setTimeout(() => this.#connect(), delay);
  }
}
