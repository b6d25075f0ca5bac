import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { addressInRanges, clientAddress } from "./client_address.ts";

Deno.test("addresses match plain entries and CIDR ranges, v4 and v6", () => {
  assertEquals(addressInRanges("10.1.2.3", ["10.0.0.0/8"]), true);
  assertEquals(addressInRanges("11.1.2.3", ["10.0.0.0/8"]), false);
  assertEquals(addressInRanges("192.168.1.7", ["192.168.1.7"]), true);
  assertEquals(addressInRanges("192.168.1.8", ["192.168.1.7"]), false);
  assertEquals(addressInRanges("::1", ["::1"]), true);
  assertEquals(addressInRanges("[::1]", ["::1/128"]), true);
  assertEquals(addressInRanges("fd00::1:2", ["fd00::/8"]), true);
  assertEquals(addressInRanges("fe80::1", ["fd00::/8"]), false);
  assertEquals(addressInRanges("::ffff:10.0.0.9", ["10.0.0.0/24"]), true);
  assertEquals(addressInRanges("0.0.0.0", ["0.0.0.0/0"]), true);
  assertEquals(addressInRanges("not an address", ["0.0.0.0/0"]), false);
  assertEquals(addressInRanges("1.2.3.4", []), false);
});

Deno.test("X-Forwarded-For is believed only from a trusted proxy, right to left", () => {
  const proxies = ["10.0.0.5", "10.0.1.0/24"];
  assertEquals(clientAddress("203.0.113.9", "1.2.3.4", proxies), "203.0.113.9");
  assertEquals(clientAddress("10.0.0.5", "198.51.100.7", proxies), "198.51.100.7");
  // The client wrote "6.6.6.6" itself; the proxy appended the address it saw.
  assertEquals(clientAddress("10.0.0.5", "6.6.6.6, 198.51.100.7", proxies), "198.51.100.7");
  // Two proxies in a row.
  assertEquals(clientAddress("10.0.0.5", "198.51.100.7, 10.0.1.3", proxies), "198.51.100.7");
  assertEquals(clientAddress("10.0.0.5", "", proxies), "10.0.0.5");
  assertEquals(clientAddress("10.0.0.5", "<script>", proxies), "10.0.0.5");
  assertEquals(clientAddress("10.0.0.5", null, proxies), "10.0.0.5");
});
