/**
 * A login attempt as the rate limit counts it: the account as typed (normalised, no lookup,
 * so unknown accounts are limited alike) and the client's address, where an IPv6 address
 * stands for its /64 network: one host or household usually holds a whole /64, and counting
 * each of its 2^64 addresses apart would give a guesser an unlimited budget.
 *
 * @module
 */
import type { LoginAttempt } from "../store/sessions.ts";

/** The attempt that `accountid` from `address` counts as. */
export function loginAttempt(accountid: string, address: string): LoginAttempt {
  return { account: accountid.slice(0, 40).toLowerCase(), address: addressBudget(address) };
}

/** IPv4 addresses (also IPv4-mapped IPv6) as they are; IPv6 as `a:b:c:d::/64`. */
export function addressBudget(address: string): string {
  const text = address.trim().replace(/^\[(.*)\]$/, "$1").split("%")[0].toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (mapped) return mapped[1];
  if (!text.includes(":") || !/^[0-9a-f:.]+$/.test(text)) return text.slice(0, 64);
  const halves = text.split("::");
  if (halves.length > 2) return text.slice(0, 64);
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = Math.max(0, 8 - head.length - tail.length);
  const groups = halves.length === 2 ? [...head, ...Array(missing).fill("0"), ...tail] : head;
  const network = groups.slice(0, 4).map((g) => (parseInt(g, 16) || 0).toString(16));
  return `${network.join(":")}::/64`;
}
