/**
 * Steps the group tests share: accounts logged in with a socket each, the frames of the test's
 * group, and its history as one member reads it.
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { BothHarness, LoggedIn } from "./both_backends.ts";
import type { Frame } from "./ws_client.ts";

/** The test group's id (alice's). */
export const G = "alice-1764201600000";

/** The accounts of a test, logged in, each with one socket. */
export async function people(h: BothHarness, ids: string[]) {
  for (const id of ids) await h.addUser(id);
  const tokens: Record<string, string> = {};
  const ws: Record<string, LoggedIn> = {};
  for (const id of ids) {
    tokens[id] = await h.login(id);
    ws[id] = await h.connect(id, tokens[id]);
  }
  return { tokens, ws };
}

/** The next `groupset` frame of G on `client`. */
export const groupset = (client: LoggedIn) =>
  client.next((f) => f.type === "groupset" && f.chatid === G);

/** The next system line of G on `client`. */
export const line = async (client: LoggedIn) =>
  (await client.next((f) => f.type === "say" && f.chatid === G && f.msgType === "system"))
    .message;

/** No frame of G matching `match` has arrived on `client`. */
export function none(client: LoggedIn, match: (f: Frame) => boolean): void {
  const found = client.frames.filter((f) => f.chatid === G && match(f));
  assertEquals(found, [], `${JSON.stringify(found).slice(0, 300)}`);
}

/** The texts of G's history as `token`'s account may read it (after the worker caught up). */
export async function history(h: BothHarness, token: string): Promise<string[]> {
  await h.archived();
  const { status, body } = await h.api(token, `/api/chats/${G}/messages?limit=100`);
  assertEquals(status, 200, JSON.stringify(body));
  return body.messages.map((m: Frame) => m.message);
}
