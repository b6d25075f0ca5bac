import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { parseCsv } from "./csv.ts";

Deno.test("csv: quoted fields with commas, quotes and line breaks keep their line numbers", () => {
  const text = '\ufeffa,b,c\r\n1,"x, y","say ""hi"""\n2,"two\nlines",z\n\n3,,\n';
  assertEquals(parseCsv(text), {
    records: [
      { line: 1, fields: ["a", "b", "c"] },
      { line: 2, fields: ["1", "x, y", 'say "hi"'] },
      { line: 3, fields: ["2", "two\nlines", "z"] },
      { line: 6, fields: ["3", "", ""] },
    ],
    problems: [],
  });
});

Deno.test("csv: a broken record is reported by line and the others are still read", () => {
  const { records, problems } = parseCsv('a,b\n"x"y,1\n2,3\n4,"never closed\n5,6\n');
  assertEquals(records, [{ line: 1, fields: ["a", "b"] }, { line: 3, fields: ["2", "3"] }]);
  assertEquals(problems, [
    { line: 2, problem: "text after a closing quote in field 1" },
    { line: 4, problem: "a quoted field is never closed" },
  ]);
  assertEquals(parseCsv(""), { records: [], problems: [] });
  assertEquals(parseCsv("only\n").records, [{ line: 1, fields: ["only"] }]);
});
