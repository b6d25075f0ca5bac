/**
 * A client that keeps sending `say` frames with a window of unacknowledged ones, as a real
 * client does, and records every `ack`: the set of messages the server promised to keep.
 *
 * @module
 */
import type { WsClient } from "./ws_client.ts";

/** What a sender has done so far. */
export interface AckedSender {
  /** `mid` → `seq` of every acknowledged message. */
  acked: Map<string, number>;
  /** Frames sent. */
  sent(): number;
  /** Resolves when the socket closed or `stop()` was called. */
  done: Promise<void>;
  stop(): void;
}

/** Options for {@link startAckedSender}. */
export interface AckedSenderOptions {
  chatid: string;
  /** Unique among this test's senders: cids are `${tag}-${n}`. */
  tag: string;
  /** Most frames in flight (default 50). */
  window?: number;
  /** Pause between refills in ms (default 5). */
  pauseMs?: number;
}

/** Sends until the socket closes or `stop()`. */
export function startAckedSender(ws: WsClient, options: AckedSenderOptions): AckedSender {
  const acked = new Map<string, number>();
  const window = options.window ?? 50;
  let sent = 0;
  let answered = 0;
  let stopped = false;
  ws.socket.addEventListener("message", (event) => {
    const frame = JSON.parse(String(event.data));
    if (frame.type === "ack" && String(frame.cid).startsWith(`${options.tag}-`)) {
      acked.set(frame.mid, frame.seq);
      answered++;
    } else if (frame.type === "error" && String(frame.cid ?? "").startsWith(`${options.tag}-`)) {
      answered++;
    }
  });
  const done = (async () => {
    while (!stopped && ws.socket.readyState === WebSocket.OPEN) {
      while (sent - answered < window && ws.socket.readyState === WebSocket.OPEN) {
        const cid = `${options.tag}-${sent}`;
        try {
          ws.send({ type: "say", chatid: options.chatid, content: `${cid} 消息`, cid });
        } catch {
          break;
        }
        sent++;
      }
      // Frames taken by the test (ws.next) are not needed here; keep the client's memory flat.
      ws.frames.length = 0;
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 5));
    }
  })();
  return {
    acked,
    sent: () => sent,
    done,
    stop() {
      stopped = true;
    },
  };
}
