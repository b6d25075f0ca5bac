/**
 * Small fixtures shared by tests: a plain user, a message draft, and waiting for a condition.
 *
 * @module
 */
import { type MessageDraft, newMid } from "../../queue/message.ts";
import type { User } from "../../store/users.ts";

/** A user with only an account and a name. */
export function plainUser(accountid: string, username = accountid): User {
  return { accountid, username, dept: "", deptDetail: "", email: "", tel: "", mobile: "" };
}

/** The test servers' user: in R&D, with an e-mail address. */
export function testUser(accountid: string, username = accountid.toUpperCase()): User {
  return {
    accountid,
    username,
    dept: "R&D",
    deptDetail: "Company,R&D",
    email: `${accountid}@example.com`,
    tel: "",
    mobile: "",
  };
}

/** A draft from alice with SQL, HTML and emoji in its text; groups get three members. */
export function sampleDraft(chatid: string, i: number): MessageDraft {
  const members = chatid.includes("--") ? chatid.split("--") : ["alice", "bob", "carol"];
  return {
    mid: newMid(),
    chatid,
    fromuser: "alice",
    message: `m${i} '; DROP TABLE x; -- <b>😀</b>`,
    type: 0,
    fileId: "",
    time: Math.floor(Date.now() / 1000),
    cid: `c${i}`,
    members,
  };
}

/** Waits until `check` returns a truthy value (polling every 20 ms) or throws after `ms`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  ms = 10_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what} not reached within ${ms} ms${last ? `: ${last}` : ""}`);
}
