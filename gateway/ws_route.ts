/**
 * The one file that touches Hono's WebSocket upgrade: it turns a `/ws` request of an
 * authenticated, same-origin client into a {@link Connection}, and enforces the frame size.
 *
 * @module
 */
import type { Context } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { Gateway } from "./gateway.ts";
import type { Connection } from "./connection.ts";
import { CloseCode, ErrorCode } from "./protocol.ts";

/**
 * The `/ws` handler; the session middleware has put `accountid` and `sessionKey` on the context.
 *
 * The frame size is checked here, once Deno has the whole message: Deno's WebSocket (2.9.6) has
 * no receive limit of its own, refuses only single frames over 64 MiB and collects a fragmented
 * message without any bound. `limits.socketsPerAccount` and the idle close bound how much of
 * that one account can hold (README, "Frames").
 */
export function wsHandler(gateway: Gateway) {
  const maxBytes = gateway.ctx.config.limits.frameBytes;
  return upgradeWebSocket((c: Context) => {
    const accountid = c.get("accountid") as string;
    const sessionKey = c.get("sessionKey") as string;
    let connection: Connection | null = null;
    return {
      onOpen(_event, ws) {
        const raw = ws.raw as WebSocket;
        connection = gateway.open(accountid, sessionKey, {
          send: (text) => raw.send(text),
          close: (code, reason) => raw.close(code, reason),
          get bufferedAmount() {
            return raw.bufferedAmount;
          },
        });
      },
      onMessage(event) {
        if (!connection) return;
        const data = event.data;
        if (typeof data !== "string") {
          connection.sendError({ info: ErrorCode.badRequest, msg: "send text frames only" });
          return;
        }
        if (byteLengthOver(data, maxBytes)) {
          connection.close(CloseCode.tooLarge, `frame larger than ${maxBytes} bytes`);
          return;
        }
        connection.receive(data);
      },
      onClose() {
        if (connection) void gateway.closed(connection);
      },
      onError() {
        if (connection) void gateway.closed(connection);
      },
    };
  }, { idleTimeout: 0 });
}

function byteLengthOver(text: string, max: number): boolean {
  if (text.length > max) return true;
  if (text.length * 3 <= max) return false;
  return new TextEncoder().encode(text).length > max;
}
