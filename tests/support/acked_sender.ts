/**
 * A client that keeps sending `say` frames the way a real one does (a window of unanswered
 * frames, a short pause after a refusal) and records what the server answered for each cid:
 * an `ack` (mid, seq), or an `error` (nothing was stored). What counts in fault tests is
 * exactly what was acknowledged.
 *
 * @module
 */
import type { Frame, WsClient } from "./ws_client.ts";

/** What one acknowledged message was given. */
export interface Acked {
  cid: string;
  mid: string;
  seq: number;
  /** Order of acknowledgement, from 0. */
  order: number;
}

/** Sends numbered messages into one chat over `ws` and records the answers. */
export class AckedSender {
  /** Acknowledged messages by cid. */
  readonly acked = new Map<string, Acked>();
  /** Refused messages: cid → the error's `info`. */
  readonly refused = new Map<string, string>();
  readonly #ws: WsClient;
  readonly #chatid: string;
  readonly #tag: string;
  #sent = 0;
  #answered = 0;
  #closed = false;
  #wake: (() => void) | undefined;

  constructor(ws: WsClient, chatid: string, tag: string) {
    this.#ws = ws;
    this.#chatid = chatid;
    this.#tag = tag;
    ws.socket.addEventListener("message", (event) => {
      const frame = JSON.parse(String(event.data)) as Frame;
      if (typeof frame.cid !== "string" || !frame.cid.startsWith(`${tag}-`)) return;
      if (frame.type === "ack" && !this.acked.has(frame.cid)) {
        this.acked.set(frame.cid, {
          cid: frame.cid,
          mid: frame.mid,
          seq: frame.seq,
          order: this.acked.size,
        });
      } else if (frame.type === "error") {
        this.refused.set(frame.cid, String(frame.info));
      } else return;
      this.#answered++;
      this.#wake?.();
    });
  }

  /**
   * Sends until `target` messages are acknowledged in all (or `maxSends` were sent), with at
   * most `window` unanswered, pausing `pauseMs` after each refusal; waits for every answer.
   * Ends early, without error, when the socket closes (the server was killed): what was
   * acknowledged by then is what counts.
   */
  async sendUntilAcked(target: number, maxSends: number, window = 20, pauseMs = 20) {
    const closed = this.#ws.closed.then(() => {
      this.#closed = true;
      this.#wake?.();
    });
    try {
      await this.#send(target, maxSends, window, pauseMs);
    } catch (error) {
      if (!this.#closed) throw error;
    }
    void closed;
  }

  async #send(target: number, maxSends: number, window: number, pauseMs: number) {
    let refusedSeen = this.refused.size;
    while (this.acked.size < target && this.#sent < maxSends && !this.#closed) {
      while (
        (this.#sent - this.#answered >= window || this.refused.size > refusedSeen) && !this.#closed
      ) {
        if (this.refused.size > refusedSeen) {
          refusedSeen = this.refused.size;
          await new Promise((r) => setTimeout(r, pauseMs));
          continue;
        }
        await this.#answer(10_000);
      }
      if (this.#closed) break;
      if (this.acked.size + (this.#sent - this.#answered) >= target) {
        await this.#answer(10_000);
        continue;
      }
      const cid = `${this.#tag}-${this.#sent++}`;
      this.#ws.send({ type: "say", chatid: this.#chatid, content: `${cid} text`, cid });
    }
    while (this.#answered < this.#sent && !this.#closed) await this.#answer(10_000);
  }

  /** Acknowledgements in the order they came. */
  get inOrder(): Acked[] {
    return [...this.acked.values()].sort((a, b) => a.order - b.order);
  }

  #answer(timeoutMs: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        reject(new Error(`no answer within ${timeoutMs} ms (${this.#sent - this.#answered} open)`));
      }, timeoutMs);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }
}
