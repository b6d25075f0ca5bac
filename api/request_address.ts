/**
 * The addresses of an HTTP request: its peer (the TCP connection's other end) and the client
 * behind it (`X-Forwarded-For`, believed only from a trusted proxy; see `client_address.ts`).
 *
 * @module
 */
import type { Context } from "hono";
import { addressInRanges, clientAddress } from "./client_address.ts";

/** The TCP peer of the request; "local" for in-process requests (`app.request()`). */
export function peerAddress(c: Context): string {
  const info = c.env as Deno.ServeHandlerInfo<Deno.NetAddr> | undefined;
  return info?.remoteAddr?.hostname ?? "local";
}

/** True when the request came straight from one of the trusted proxies. */
export function fromTrustedProxy(c: Context, trustedProxies: readonly string[]): boolean {
  return trustedProxies.length > 0 && addressInRanges(peerAddress(c), trustedProxies);
}

/** The client's address: the peer, or the client a trusted proxy forwarded for. */
export function requestClientAddress(c: Context, trustedProxies: readonly string[]): string {
  return clientAddress(peerAddress(c), c.req.header("x-forwarded-for"), trustedProxies);
}
