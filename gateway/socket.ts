/**
 * The small socket interface the gateway talks to, so the hub and its tests do not depend on
 * Hono or Deno's WebSocket.
 *
 * @module
 */

/** One client connection's transport. */
export interface ChatSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
  /** Bytes queued for sending and not yet written to the network. */
  readonly bufferedAmount: number;
}
