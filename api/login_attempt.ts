/**
 * A login attempt as the rate limit counts it: the account as typed (normalised, no lookup,
 * so unknown accounts are limited alike) and the client's address, where an IPv6 address
 * stands for its /64 network: one host or household usually holds a whole /64, and counting
 * each of its 2^64 addresses apart would give a guesser an unlimited budget.
 *
 * @module
 */
import type { LoginAttempt } from "../store/sessions.ts";
import { addressGroup } from "./client_address.ts";

/** The attempt that `accountid` from `address` counts as. */
export function loginAttempt(accountid: string, address: string): LoginAttempt {
  return { account: accountid.slice(0, 40).toLowerCase(), address: addressGroup(address) };
}
