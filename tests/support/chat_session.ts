/**
 * A client of a server the test reaches only by URL (a `chat start` child process): logs in
 * over HTTP, opens `/ws` with a token and completes the `login` → `init` handshake.
 *
 * @module
 */
import { openWs, type WsClient } from "./ws_client.ts";

/** One account's session and socket on a server. */
export interface ChatSession {
  token: string;
  ws: WsClient;
  init: Record<string, unknown>;
}

/** Logs in with a password; throws with the answer unless it is 200. */
export async function loginOver(url: string, accountid: string, password: string) {
  const response = await fetch(`${url}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ accountid, password }),
  });
  const body = await response.json();
  if (response.status !== 200) {
    throw new Error(`login ${accountid}: ${response.status} ${JSON.stringify(body)}`);
  }
  return String(body.token);
}

/** Opens `/ws` with an existing token and waits for `init` (throws on an `error` instead). */
export async function openChatSession(
  url: string,
  accountid: string,
  token: string,
): Promise<ChatSession> {
  const ws = await openWs(url, token);
  ws.send({ type: "login", clientName: accountid });
  const init = await ws.next((f) => f.type === "init" || f.type === "error", 10_000);
  if (init.type !== "init") {
    await ws.close();
    throw new Error(`login refused: ${JSON.stringify(init)}`);
  }
  return { token, ws, init };
}

/** GET with a bearer token; status and parsed body. */
export async function getJson(url: string, token: string | null) {
  const response = await fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const text = await response.text();
  // deno-lint-ignore no-explicit-any
  return { status: response.status, body: (text ? JSON.parse(text) : null) as any };
}
