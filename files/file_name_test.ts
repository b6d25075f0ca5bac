import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { cleanFileName, contentDisposition, MAX_NAME_CHARS } from "./file_name.ts";

Deno.test("names: the last path part, control characters refused, long names shortened", () => {
  assertEquals(cleanFileName("report.pdf"), { name: "report.pdf" });
  assertEquals(cleanFileName("../../etc/passwd"), { name: "passwd" });
  assertEquals(cleanFileName("..\\..\\boot.ini"), { name: "boot.ini" });
  assertEquals(cleanFileName("<img src=x onerror=alert(1)>.html"), {
    name: "<img src=x onerror=alert(1)>.html",
  });
  assertEquals(cleanFileName("a\0.php"), { problem: "name must not contain control characters" });
  assertEquals(cleanFileName("line\nbreak"), {
    problem: "name must not contain control characters",
  });
  assertEquals("problem" in cleanFileName("../"), true);
  assertEquals("problem" in cleanFileName(""), true);
  assertEquals("problem" in cleanFileName(42), true);
  assertEquals("problem" in cleanFileName("\ud800.txt"), true);
  const long = cleanFileName("😀".repeat(300) + ".tar.gz");
  assertEquals("name" in long && [...long.name].length, MAX_NAME_CHARS);
  assertEquals("name" in long && long.name.endsWith("😀.gz"), true);
});

Deno.test("Content-Disposition: ASCII fallback without quotes, UTF-8 name encoded", () => {
  assertEquals(
    contentDisposition("attachment", 'Bericht "Q1" ü.pdf'),
    `attachment; filename="Bericht _Q1_ _.pdf"; filename*=UTF-8''Bericht%20%22Q1%22%20%C3%BC.pdf`,
  );
  assertEquals(
    contentDisposition("inline", "a'b(1).png"),
    `inline; filename="a'b(1).png"; filename*=UTF-8''a%27b%281%29.png`,
  );
});
