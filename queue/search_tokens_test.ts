import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { matchRanges, parseQuery, textTokens, WORD_PREFIX_CHARS } from "./search_tokens.ts";

Deno.test("text: CJK runs as overlapping bigrams, other words as lower-cased prefixes", () => {
  assertEquals(textTokens("明天的会议"), ["明天", "天的", "的会", "会议"]);
  assertEquals(textTokens("Meet 2pm"), ["me", "mee", "meet", "2p", "2pm"]);
  // A lone CJK character stays itself; one-letter words are not indexed.
  assertEquals(textTokens("用 a 会"), ["用", "会"]);
  // Kana and Hangul are CJK runs too; a word longer than the prefix limit stops there.
  assertEquals(textTokens("カタカナ 한국어"), ["カタ", "タカ", "カナ", "한국", "국어"]);
  assertEquals(
    textTokens("internationalization").at(-1),
    "internationalization".slice(0, WORD_PREFIX_CHARS),
  );
  // Punctuation, symbols and SQL are separators, never tokens.
  assertEquals(textTokens("' OR 1=1 -- %_"), ["or"]);
});

Deno.test("query: terms to check and tokens to look up; nothing to look up is null", () => {
  assertEquals(parseQuery("会议"), { terms: [{ kind: "cjk", text: "会议" }], tokens: ["会议"] });
  assertEquals(parseQuery("MEETING 会议"), {
    terms: [{ kind: "word", text: "meeting" }, { kind: "cjk", text: "会议" }],
    tokens: ["meeting", "会议"],
  });
  for (const nothing of [".*", "[a-z]+", "%", "_", "a b", "会", "-."]) {
    assertEquals(parseQuery(nothing), null, nothing);
  }
});

Deno.test("ranges: UTF-16 offsets of every term, word starts only, null unless all occur", () => {
  const terms = parseQuery("会议 meet")!.terms;
  assertEquals(matchRanges("明天的会议, Meeting; unmeet MEETUP", terms), [[3, 5], [7, 11], [
    23,
    27,
  ]]);
  assertEquals(matchRanges("明天的会议", terms), null);
  // A word right after CJK characters still starts a word; offsets count UTF-16 units;
  // touching ranges join.
  assertEquals(matchRanges("😀会议meet", terms), [[2, 8]]);
  // Overlapping terms merge into one range.
  assertEquals(matchRanges("会议议程", parseQuery("会议 议程")!.terms), [[0, 4]]);
});
