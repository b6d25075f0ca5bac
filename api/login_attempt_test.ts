import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { addressGroup as addressBudget } from "./client_address.ts";
import { loginAttempt } from "./login_attempt.ts";

Deno.test("IPv6 clients are counted by /64 network, IPv4 ones by address", () => {
  assertEquals(addressBudget("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  assertEquals(addressBudget("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
  assertEquals(addressBudget("[2001:DB8:0:0::7]"), "2001:db8:0:0::/64");
  assertEquals(addressBudget("fe80::1%eth0"), "fe80:0:0:0::/64");
  assertEquals(addressBudget("::1"), "0:0:0:0::/64");
  assertEquals(addressBudget("::ffff:192.0.2.1"), "192.0.2.1");
  assertEquals(addressBudget("192.0.2.1"), "192.0.2.1");
  assertEquals(addressBudget("local"), "local");
});

Deno.test("the account is counted as typed, lower-cased and bounded", () => {
  assertEquals(loginAttempt("ALICE", "192.0.2.1"), { account: "alice", address: "192.0.2.1" });
  assertEquals(loginAttempt("x".repeat(500), "192.0.2.1").account.length, 40);
});
