import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import { escapeDnValue, escapeFilterValue, fillFilter, ouPath, parseDn } from "./ldap_escape.ts";

Deno.test("filter values: the five characters of RFC 4515 are escaped, nothing else", () => {
  assertEquals(escapeFilterValue("a*b(c)d\\e\0f"), "a\\2ab\\28c\\29d\\5ce\\00f");
  assertEquals(escapeFilterValue("李雷.li_lei"), "李雷.li_lei");
  assertEquals(escapeFilterValue("*)(uid=*"), "\\2a\\29\\28uid=\\2a");
});

Deno.test("a filter template gets the escaped account wherever {account} stands", () => {
  assertEquals(
    fillFilter("(|(uid={account})(mail={account}))", "x*)(objectClass=*"),
    "(|(uid=x\\2a\\29\\28objectClass=\\2a)(mail=x\\2a\\29\\28objectClass=\\2a))",
  );
});

Deno.test("DN values: RFC 4514 specials, leading # and spaces, NUL", () => {
  assertEquals(
    escapeDnValue('Sales, "East" + <West>;a=b\\c'),
    'Sales\\, \\"East\\" \\+ \\<West\\>\\;a\\=b\\\\c',
  );
  assertEquals(escapeDnValue("#1 "), "\\#1\\ ");
  assertEquals(escapeDnValue(" lead"), "\\ lead");
  assertEquals(escapeDnValue("a\0b"), "a\\00b");
});

Deno.test("a DN is read back into its RDNs, escapes undone, round trip with escapeDnValue", () => {
  for (const value of ['Sales, "East"', "#1 ", " x", "研发部", "a+b=c;d\\e", "a\0b"]) {
    const dn = `ou=${escapeDnValue(value)},dc=example,dc=com`;
    assertEquals(parseDn(dn)[0], [{ type: "ou", value: value.replace(/^ +| +$/g, "") }]);
  }
  assertEquals(parseDn("cn=A+uid=a,ou=X\\2C Y,dc=c"), [
    [{ type: "cn", value: "A" }, { type: "uid", value: "a" }],
    [{ type: "ou", value: "X, Y" }],
    [{ type: "dc", value: "c" }],
  ]);
  assertEquals(parseDn("ou=\\E7\\A0\\94\\E5\\8F\\91,dc=c")[0][0].value, "研发");
  assertEquals(parseDn(""), []);
  for (const bad of ["ou", "=x,", "ou=a,,dc=b", "ou=a\\"]) {
    assertThrows(() => parseDn(bad), SyntaxError);
  }
});

Deno.test("the OU path of an entry, top level first", () => {
  assertEquals(ouPath("cn=Li Lei,ou=Web,ou=R\\26D,dc=example,dc=com"), ["R&D", "Web"]);
  assertEquals(ouPath("CN=Han Meimei,OU=销售部,OU=北京,DC=corp,DC=example"), ["北京", "销售部"]);
  assertEquals(ouPath("uid=x,dc=example,dc=com"), []);
  assertEquals(ouPath("ou=People,dc=example,dc=com"), []);
});
